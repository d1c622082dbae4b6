// Issue 16 item 5: the Signups tab's paged model against a real database (SQLite file, and
// PostgreSQL with SD_TEST_BACKEND_PG). 650 accounts (more than a window of three pages of 200),
// inserted in one transaction; the model fetches on the ConsoleBackend's thread. Sorting,
// the status filter and the prefix search done by SQL; rows across page boundaries; a live
// insert and removal patching the window; the view's selection after a removal.

#include "pageddb.h"
#include "pagedfilterproxy.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"

#include "console/signupoverview.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd::core;
using pageddb::kAccounts;
using pageddb::kStart;
using sd::ui::SignupTableModel;

namespace {

// Account i (pageddb::numbered): every third pending approval, the others pending
// verification, so each sort order is known.
Account account(int i)
{
    Account a = pageddb::numbered(i, kAccounts, kStart);
    a.status = i % 3 == 0 ? AccountStatus::PendingApproval : AccountStatus::PendingVerification;
    return a;
}

} // namespace

class TestSignupsPaged : public QObject
{
    Q_OBJECT

private:
    pageddb::Fixture<SignupTableModel> m_data{kStart + 3'600'000};

private slots:
    void init() { QVERIFY(m_data.open(kAccounts, account)); }

    void cleanup() { m_data.close(); }

    void holdsAWindowAndPagesAcrossBoundaries()
    {
        QVERIFY(m_data.start());
        QCOMPARE(m_data.model->rowCount(), kAccounts);
        QCOMPARE(m_data.model->windowOffset(), 0);
        QCOMPARE(m_data.model->windowSize(), 600); // three pages, not 650 rows
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(199), u"u0199"_s);
        QCOMPARE(m_data.username(200), u"u0200"_s);
        QCOMPARE(m_data.username(599), u"u0599"_s);
        // Past the window: fetched on demand, the window moves, the length stays.
        QCOMPARE(m_data.username(649), u"u0649"_s);
        QCOMPARE(m_data.model->rowCount(), kAccounts);
        QVERIFY(m_data.model->windowOffset() > 0);
        QVERIFY(m_data.model->windowSize() <= 600);
        QCOMPARE(m_data.model->rowOf(u"usr_p0649"_s), 649);
        QCOMPARE(m_data.model->rowOf(u"usr_p0000"_s), -1); // no longer held
        QCOMPARE(m_data.username(0), u"u0000"_s);          // and back
        QCOMPARE(m_data.model->countWithStatus(AccountStatus::PendingApproval), 217);
        QCOMPARE(m_data.model->countWithStatus(AccountStatus::PendingVerification), 433);
    }

    void sortsInTheDatabase()
    {
        QVERIFY(m_data.start());
        m_data.model->sort(SignupTableModel::DisplayName, Qt::AscendingOrder);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(m_data.username(0), u"u0649"_s); // "Name 0000"
        QCOMPARE(m_data.username(649), u"u0000"_s);
        m_data.model->sort(SignupTableModel::SignedUp, Qt::DescendingOrder);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(m_data.username(0), u"u0649"_s);
        QCOMPARE(m_data.username(200), u"u0449"_s);
        m_data.model->sort(SignupTableModel::Username, Qt::AscendingOrder);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(m_data.username(1), u"u0001"_s);
        // Status: by its text, then signup time: pending_approval before pending_verification.
        m_data.model->sort(SignupTableModel::Status, Qt::AscendingOrder);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(1), u"u0003"_s);
        QCOMPARE(m_data.username(217), u"u0001"_s);
        // A column with no index behind it keeps the order there is.
        const SignupQuery before = m_data.model->query();
        m_data.model->sort(SignupTableModel::EmailState, Qt::DescendingOrder);
        QCOMPARE(m_data.model->query(), before);
    }

    void filtersAndSearchesInTheDatabase()
    {
        sd::ui::PagedFilterProxy proxy;
        proxy.setSourceModel(m_data.model.get());
        QVERIFY(m_data.start());
        proxy.setStatuses({toString(AccountStatus::PendingApproval)});
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 217);
        QCOMPARE(proxy.index(1, SignupTableModel::Username).data().toString(), u"u0003"_s);
        // Words are prefixes of the username, email, display name or IP, case-insensitive;
        // every word must match.
        proxy.setStatuses({});
        proxy.setSearchText(u"  U012  "_s);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 10); // u0120 … u0129
        QCOMPARE(proxy.index(0, SignupTableModel::Username).data().toString(), u"u0120"_s);
        proxy.setSearchText(u"MAIL0007@"_s);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(u"nAmE u0000"_s); // display name and username
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, SignupTableModel::Username).data().toString(), u"u0000"_s);
        proxy.setSearchText(u"198.51.100.7 u00"_s); // both words: u0007 and u0070 … u0079
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 11);
        proxy.setSearchText(u"%"_s); // no wildcard
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(u"nobody"_s);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText({});
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), kAccounts);
    }

    // A search counts its matches only a count-ahead past its window (a broad prefix over a
    // million accounts would cost most of a search's time): the list is that long, says the
    // count is not exact, and grows as the view scrolls down; a narrow search counts exactly.
    void aBroadSearchCountsAheadAndGrowsAsItScrolls()
    {
        SignupTableModel *model = m_data.model.get();
        sd::ui::PagedFilterProxy proxy;
        proxy.setSourceModel(model);
        model->setCountAhead(20);
        QVERIFY(m_data.start());
        QCOMPARE(model->rowCount(), kAccounts); // no words: an exact count
        QVERIFY(model->isCountExact());
        proxy.setSearchText(u"u0"_s); // every account
        QTRY_VERIFY(model->isLoaded());
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), 620); // a window of 600 and 20 ahead
        QVERIFY(!model->isCountExact());
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(599), u"u0599"_s);
        QCOMPARE(m_data.username(619), u"u0619"_s); // a window further down counts to the end
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), kAccounts);
        QVERIFY(model->isCountExact());
        QCOMPARE(m_data.username(649), u"u0649"_s);
        QCOMPARE(m_data.username(0), u"u0000"_s); // back up: the list keeps its length
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), kAccounts);
        // In the other order too.
        model->sort(SignupTableModel::SignedUp, Qt::DescendingOrder);
        QTRY_VERIFY(model->isLoaded());
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), 620);
        QCOMPARE(m_data.username(0), u"u0649"_s);
        QCOMPARE(m_data.username(1), u"u0648"_s);
        // A broad word with one that no account starts with finds nothing, and a broad one
        // with a narrow one is counted exactly.
        proxy.setSearchText(u"u0 nobody"_s);
        QTRY_VERIFY(model->isLoaded());
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(model->isCountExact());
        proxy.setSearchText(u"u0 198.51.100.7"_s); // i % 250 in {7, 70 … 79}
        QTRY_VERIFY(model->isLoaded());
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowCount(), 33);
        QVERIFY(model->isCountExact());
        QCOMPARE(m_data.username(0), u"u0579"_s); // still newest first
        QCOMPARE(m_data.username(32), u"u0007"_s);
    }

    // Fitting the columns measures the rows in view, not Qt's default of 1,000 rows around
    // them: those beyond the window asked for another window, whose arrival refitted, and the
    // window went back and forth for ever (20-40 ms of the GUI thread each time).
    void fittingColumnsLeavesTheWindowWhereTheViewIs()
    {
        QTableView view;
        view.setModel(m_data.model.get());
        view.resize(900, 400);
        new sd::ui::TableColumns(&view, nullptr, u"signups"_s, 320);
        QVERIFY(m_data.start());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(300); // the fit (50 ms after the rows) and what it might ask for
        QVERIFY(m_data.idle());
        QSignalSpy fetched(m_data.model.get(), &SignupTableModel::fetched);
        QTest::qWait(500);
        QCOMPARE(fetched.size(), 0);
        QCOMPARE(m_data.model->windowOffset(), 0);
        QVERIFY(view.columnWidth(SignupTableModel::Username) > 0);
    }

    void liveInsertAndRemovalPatchTheWindow()
    {
        QVERIFY(m_data.start());
        QCOMPARE(m_data.username(5), u"u0005"_s);
        // A signup that sorts inside the window (between u0004 and u0005) and one at the end.
        Account early = account(9000);
        early.id = u"usr_early"_s;
        early.username = u"early"_s;
        early.email = u"early@example.com"_s;
        early.signUpTimeMs = kStart + 4500;
        Account late = account(9001);
        QVERIFY(m_data.insert({early, late}));
        QSignalSpy inserted(m_data.model.get(), &QAbstractItemModel::rowsInserted);
        m_data.model->refresh();
        QTRY_COMPARE(m_data.model->rowCount(), kAccounts + 2);
        QVERIFY(m_data.idle());
        QCOMPARE(m_data.model->rowOf(u"usr_early"_s), 5);
        QCOMPARE(m_data.username(5), u"early"_s);
        QCOMPARE(m_data.username(6), u"u0005"_s);
        QVERIFY(inserted.size() >= 2); // row by row, not a reset

        // A removal inside the window: that one row goes, the selection moves off it.
        QItemSelectionModel selection(m_data.model.get());
        selection.setCurrentIndex(m_data.model->index(5, 0),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QSignalSpy removed(m_data.model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(m_data.model.get(), &QAbstractItemModel::modelReset);
        {
            auto tx = sd::store::Transaction::begin(*m_data.db);
            QVERIFY(tx);
            auto gone = accountstore::removeIfStatus(
                tx->db(), u"usr_early"_s,
                {AccountStatus::PendingApproval, AccountStatus::PendingVerification});
            QVERIFY(gone && *gone);
            QVERIFY(tx->commit());
        }
        m_data.model->refresh();
        QTRY_COMPARE(m_data.model->rowCount(), kAccounts + 1);
        QVERIFY(m_data.idle());
        // The row itself first (then, as the window's length is kept, the list's end moves).
        QVERIFY(!removed.isEmpty());
        QCOMPARE(removed.at(0).at(1).toInt(), 5);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(m_data.model->rowOf(u"usr_early"_s), -1);
        QVERIFY(!selection.isRowSelected(5, {})); // the row that took its place is not selected
        QCOMPARE(m_data.username(5), u"u0005"_s);
        QCOMPARE(m_data.model->index(m_data.model->rowCount() - 1, SignupTableModel::Username)
                     .data()
                     .toString()
                     .isEmpty(),
                 true); // the end is not held: only the window is
    }
};

QTEST_MAIN(TestSignupsPaged)
#include "tst_signupspaged.moc"
