// Issue 16 item 5: the Signups tab's paged model against a real database (SQLite file, and
// PostgreSQL with SD_TEST_BACKEND_PG). 650 accounts (more than a window of three pages of 200),
// inserted in one transaction; the model fetches on the ConsoleBackend's thread. Sorting,
// the status filter and the prefix search done by SQL; rows across page boundaries; a live
// insert and removal patching the window; the view's selection after a removal.

#include "consolebackend.h"
#include "signupfilterproxy.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"
#include "testenv.h"

#include "accounts/accountstore.h"
#include "console/signupoverview.h"
#include "coreservices.h"
#include "transaction.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd::core;
using sd::ui::SignupTableModel;

namespace {

constexpr int kAccounts = 650;
constexpr qint64 kStart = 1'780'000'000'000;

// Account i: "u0000" … "u0649", signed up i seconds after kStart, every third pending
// approval (the others pending verification), display names counting down ("Name 0649" for
// u0000), so each sort order is known.
Account account(int i)
{
    Account a;
    const QString n = u"%1"_s.arg(i, 4, 10, QChar(u'0'));
    a.id = u"usr_p"_s + n;
    a.username = u"u"_s + n;
    a.email = u"mail"_s + n + u"@example.com"_s;
    a.displayName = u"Name %1"_s.arg(kAccounts - 1 - i, 4, 10, QChar(u'0'));
    a.status = i % 3 == 0 ? AccountStatus::PendingApproval : AccountStatus::PendingVerification;
    a.signUpTimeMs = kStart + i * 1000;
    a.remoteIp = u"198.51.100.%1"_s.arg(i % 250);
    return a;
}

} // namespace

class TestSignupsPaged : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Config m_config;
    FakeClock m_clock{kStart + 3'600'000};
    std::unique_ptr<sd::store::Database> m_db;
    std::unique_ptr<CoreServices> m_core;
    std::unique_ptr<sd::ui::ConsoleBackend> m_backend;
    std::unique_ptr<SignupTableModel> m_model;

    bool insert(const QList<Account> &accounts)
    {
        auto tx = sd::store::Transaction::begin(*m_db);
        if (!tx)
            return false;
        for (const Account &a : accounts)
            if (!accountstore::insert(tx->db(), a))
                return false;
        return tx->commit().has_value();
    }

    // Starts the model on `query` and waits for its first window.
    void start(const SignupQuery &query = {})
    {
        m_model->setQuery(query);
        m_model->start();
        QTRY_VERIFY(m_model->isLoaded());
    }

    // The username in row `row`, fetching its window when it is not held (bounded wait).
    QString username(int row)
    {
        const QModelIndex index = m_model->index(row, SignupTableModel::Username);
        QString name = index.data().toString();
        for (int i = 0; name.isEmpty() && i < 500; ++i) {
            QTest::qWait(10);
            name = index.data().toString();
        }
        return name;
    }

    void waitIdle() { QTRY_VERIFY(!m_model->isFetching() && m_backend->jobsInFlight() == 0); }

private slots:
    void init()
    {
        m_model.reset();
        m_backend.reset();
        m_core.reset();
        m_db.reset();
        static int n = 0;
        QString error;
        const QString url =
            testenv::freshDatabaseUrl(m_dir.filePath(u"paged%1.db"_s.arg(++n)), &error);
        QVERIFY2(!url.isEmpty(), qPrintable(error));
        m_config = *loadConfig({});
        m_config.password = {64, 1, 1};
        m_config.rateLimitEnabled = false;
        m_db = std::make_unique<sd::store::Database>(*sd::store::DatabaseUrl::parse(url));
        auto core = CoreServices::create(m_config, *m_db, m_clock);
        QVERIFY2(core, core ? "" : qPrintable(core.error().detail));
        m_core = std::move(*core);
        QList<Account> accounts;
        for (int i = 0; i < kAccounts; ++i)
            accounts << account(i);
        QVERIFY(insert(accounts));
        m_backend = std::make_unique<sd::ui::ConsoleBackend>(*m_core);
        m_model = std::make_unique<SignupTableModel>(m_backend.get(), *m_core);
        new QAbstractItemModelTester(
            m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_model.get());
    }

    void cleanup()
    {
        if (m_backend)
            waitIdle();
        m_model.reset();
        m_backend.reset();
        m_core.reset();
        m_db.reset();
    }

    void holdsAWindowAndPagesAcrossBoundaries()
    {
        start();
        QCOMPARE(m_model->rowCount(), kAccounts);
        QCOMPARE(m_model->windowOffset(), 0);
        QCOMPARE(m_model->windowSize(), 600); // three pages, not 650 rows
        QCOMPARE(username(0), u"u0000"_s);
        QCOMPARE(username(199), u"u0199"_s);
        QCOMPARE(username(200), u"u0200"_s);
        QCOMPARE(username(599), u"u0599"_s);
        // Past the window: fetched on demand, the window moves, the length stays.
        QCOMPARE(username(649), u"u0649"_s);
        QCOMPARE(m_model->rowCount(), kAccounts);
        QVERIFY(m_model->windowOffset() > 0);
        QVERIFY(m_model->windowSize() <= 600);
        QCOMPARE(m_model->rowOf(u"usr_p0649"_s), 649);
        QCOMPARE(m_model->rowOf(u"usr_p0000"_s), -1); // no longer held
        QCOMPARE(username(0), u"u0000"_s);            // and back
        QCOMPARE(m_model->countWithStatus(AccountStatus::PendingApproval), 217);
        QCOMPARE(m_model->countWithStatus(AccountStatus::PendingVerification), 433);
    }

    void sortsInTheDatabase()
    {
        start();
        m_model->sort(SignupTableModel::DisplayName, Qt::AscendingOrder);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(username(0), u"u0649"_s); // "Name 0000"
        QCOMPARE(username(649), u"u0000"_s);
        m_model->sort(SignupTableModel::SignedUp, Qt::DescendingOrder);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(username(0), u"u0649"_s);
        QCOMPARE(username(200), u"u0449"_s);
        m_model->sort(SignupTableModel::Username, Qt::AscendingOrder);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(username(1), u"u0001"_s);
        // Status: by its text, then signup time: pending_approval before pending_verification.
        m_model->sort(SignupTableModel::Status, Qt::AscendingOrder);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(username(0), u"u0000"_s);
        QCOMPARE(username(1), u"u0003"_s);
        QCOMPARE(username(217), u"u0001"_s);
        // A column with no index behind it keeps the order there is.
        const SignupQuery before = m_model->query();
        m_model->sort(SignupTableModel::EmailState, Qt::DescendingOrder);
        QCOMPARE(m_model->query(), before);
    }

    void filtersAndSearchesInTheDatabase()
    {
        sd::ui::SignupFilterProxy proxy;
        proxy.setSourceModel(m_model.get());
        start();
        proxy.setStatuses({toString(AccountStatus::PendingApproval)});
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 217);
        QCOMPARE(proxy.index(1, SignupTableModel::Username).data().toString(), u"u0003"_s);
        // Words are prefixes of the username, email, display name or IP, case-insensitive;
        // every word must match.
        proxy.setStatuses({});
        proxy.setSearchText(u"  U012  "_s);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 10); // u0120 … u0129
        QCOMPARE(proxy.index(0, SignupTableModel::Username).data().toString(), u"u0120"_s);
        proxy.setSearchText(u"MAIL0007@"_s);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(u"nAmE u0000"_s); // display name and username
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, SignupTableModel::Username).data().toString(), u"u0000"_s);
        proxy.setSearchText(u"198.51.100.7 u00"_s); // both words: u0007 and u0070 … u0079
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 11);
        proxy.setSearchText(u"%"_s); // no wildcard
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(u"nobody"_s);
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText({});
        QTRY_VERIFY(m_model->isLoaded());
        QCOMPARE(proxy.rowCount(), kAccounts);
    }

    // A search counts its matches only a count-ahead past its window (a broad prefix over a
    // million accounts would cost most of a search's time): the list is that long, says the
    // count is not exact, and grows as the view scrolls down; a narrow search counts exactly.
    void aBroadSearchCountsAheadAndGrowsAsItScrolls()
    {
        sd::ui::SignupFilterProxy proxy;
        proxy.setSourceModel(m_model.get());
        m_model->setCountAhead(20);
        start();
        QCOMPARE(m_model->rowCount(), kAccounts); // no words: an exact count
        QVERIFY(m_model->isCountExact());
        proxy.setSearchText(u"u0"_s); // every account
        QTRY_VERIFY(m_model->isLoaded());
        waitIdle();
        QCOMPARE(m_model->rowCount(), 620); // a window of 600 and 20 ahead
        QVERIFY(!m_model->isCountExact());
        QCOMPARE(username(0), u"u0000"_s);
        QCOMPARE(username(599), u"u0599"_s);
        QCOMPARE(username(619), u"u0619"_s); // a window further down counts to the end
        waitIdle();
        QCOMPARE(m_model->rowCount(), kAccounts);
        QVERIFY(m_model->isCountExact());
        QCOMPARE(username(649), u"u0649"_s);
        QCOMPARE(username(0), u"u0000"_s); // back up: the list keeps its length
        waitIdle();
        QCOMPARE(m_model->rowCount(), kAccounts);
        // In the other order too.
        m_model->sort(SignupTableModel::SignedUp, Qt::DescendingOrder);
        QTRY_VERIFY(m_model->isLoaded());
        waitIdle();
        QCOMPARE(m_model->rowCount(), 620);
        QCOMPARE(username(0), u"u0649"_s);
        QCOMPARE(username(1), u"u0648"_s);
        // Words tried smallest first: a broad word with one that no account starts with
        // finds nothing, and a broad one with a narrow one is counted exactly.
        proxy.setSearchText(u"u0 nobody"_s);
        QTRY_VERIFY(m_model->isLoaded());
        waitIdle();
        QCOMPARE(m_model->rowCount(), 0);
        QVERIFY(m_model->isCountExact());
        proxy.setSearchText(u"u0 198.51.100.7"_s); // i % 250 in {7, 70 … 79}
        QTRY_VERIFY(m_model->isLoaded());
        waitIdle();
        QCOMPARE(m_model->rowCount(), 33);
        QVERIFY(m_model->isCountExact());
        QCOMPARE(username(0), u"u0579"_s); // still newest first
        QCOMPARE(username(32), u"u0007"_s);
    }

    // Fitting the columns measures the rows in view, not Qt's default of 1,000 rows around
    // them: those beyond the window asked for another window, whose arrival refitted, and the
    // window went back and forth for ever (20-40 ms of the GUI thread each time).
    void fittingColumnsLeavesTheWindowWhereTheViewIs()
    {
        QTableView view;
        view.setModel(m_model.get());
        view.resize(900, 400);
        new sd::ui::TableColumns(&view, nullptr, u"signups"_s, 320);
        start();
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(300); // the fit (50 ms after the rows) and what it might ask for
        waitIdle();
        QSignalSpy fetched(m_model.get(), &SignupTableModel::fetched);
        QTest::qWait(500);
        QCOMPARE(fetched.size(), 0);
        QCOMPARE(m_model->windowOffset(), 0);
        QVERIFY(view.columnWidth(SignupTableModel::Username) > 0);
    }

    void liveInsertAndRemovalPatchTheWindow()
    {
        start();
        QCOMPARE(username(5), u"u0005"_s);
        // A signup that sorts inside the window (between u0004 and u0005) and one at the end.
        Account early = account(9000);
        early.id = u"usr_early"_s;
        early.username = u"early"_s;
        early.email = u"early@example.com"_s;
        early.signUpTimeMs = kStart + 4500;
        Account late = account(9001);
        QVERIFY(insert({early, late}));
        QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
        m_model->refresh();
        QTRY_COMPARE(m_model->rowCount(), kAccounts + 2);
        waitIdle();
        QCOMPARE(m_model->rowOf(u"usr_early"_s), 5);
        QCOMPARE(username(5), u"early"_s);
        QCOMPARE(username(6), u"u0005"_s);
        QVERIFY(inserted.size() >= 2); // row by row, not a reset

        // A removal inside the window: that one row goes, the selection moves off it.
        QItemSelectionModel selection(m_model.get());
        selection.setCurrentIndex(m_model->index(5, 0),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
        {
            auto tx = sd::store::Transaction::begin(*m_db);
            QVERIFY(tx);
            auto gone = accountstore::removeIfStatus(
                tx->db(), u"usr_early"_s,
                {AccountStatus::PendingApproval, AccountStatus::PendingVerification});
            QVERIFY(gone && *gone);
            QVERIFY(tx->commit());
        }
        m_model->refresh();
        QTRY_COMPARE(m_model->rowCount(), kAccounts + 1);
        waitIdle();
        // The row itself first (then, as the window's length is kept, the list's end moves).
        QVERIFY(!removed.isEmpty());
        QCOMPARE(removed.at(0).at(1).toInt(), 5);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(m_model->rowOf(u"usr_early"_s), -1);
        QVERIFY(!selection.isRowSelected(5, {})); // the row that took its place is not selected
        QCOMPARE(username(5), u"u0005"_s);
        QCOMPARE(m_model->index(m_model->rowCount() - 1, SignupTableModel::Username)
                     .data()
                     .toString()
                     .isEmpty(),
                 true); // the end is not held: only the window is
    }
};

QTEST_MAIN(TestSignupsPaged)
#include "tst_signupspaged.moc"
