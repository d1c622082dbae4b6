// Issue 16 item 5: the Users tab paged from a real database (SQLite file, and PostgreSQL with
// SD_TEST_BACKEND_PG). 650 accounts (more than a window of three pages of 200), inserted in one
// transaction; the model fetches on the ConsoleBackend's thread. Each sort, the status filter
// and the prefix search done by SQL over indexes (their plans checked); rows across page
// boundaries; a live insert and removal patching the window; the selection and the identities
// pane after a removal; an action on a selected row, confirmed by name.

#include "consoletablemodels.h"
#include "pageddb.h"
#include "pagedfilterproxy.h"
#include "queryplan.h"
#include "userspage.h"

#include "console/useradminservice.h"
#include "database.h"
#include "flows/oauth/oauthstore.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace sd::core;
using namespace pageddb; // kAccounts, kStart, kPostgres
using sd::ui::UserTableModel;

class TestUsersPaged : public QObject
{
    Q_OBJECT
    pageddb::Fixture<UserTableModel> m_data{kStart + 3'600'000};

    // Account i (pageddb::numbered): every third active, then disabled, then pending approval.
    static Account account(int i)
    {
        Account a = pageddb::numbered(i, kAccounts, kStart);
        a.status = i % 3 == 0   ? AccountStatus::Active
                   : i % 3 == 1 ? AccountStatus::Disabled
                                : AccountStatus::PendingApproval;
        return a;
    }

    static QString text(const QAbstractItemModel *model, int row, int column)
    {
        return pageddb::fetchedText(model, row, column);
    }
    void sortBy(int column, Qt::SortOrder order)
    {
        m_data.model->sort(column, order);
        QTRY_VERIFY(m_data.model->isLoaded());
    }

private slots:
    void init()
    {
        QVERIFY(m_data.open(kAccounts, account));
        // Every fifth account signed in, the later ones earlier (u0000 last of all).
        QVERIFY(m_data.run(u"UPDATE user_last_login SET at = ? - (SELECT sign_up_time FROM users"
                           " WHERE users.id = user_id) WHERE CAST(substr(user_id, 7) AS INTEGER)"
                           " % 5 = 0"_s,
                           {kStart * 2 + 700'000}));
        // u0003: two live sessions, one ended; groups.
        const qint64 now = m_data.clock.nowMs();
        for (const auto &[id, revoked] :
             {std::pair{u"tok_a"_s, false}, {u"tok_b"_s, false}, {u"tok_c"_s, true}})
            QVERIFY(m_data.run(
                u"INSERT INTO tokens (id, user_id, kind, token_hash, created_at,"
                " expires_at, revoked_at) VALUES (?, 'usr_p0003', 'session', ?, ?, ?, ?)"_s,
                QVariantList{id, QString(u"hash_"_s + id), now, now + 3'600'000,
                             revoked ? QVariant(now) : QVariant()}));
        QVERIFY(
            m_data.run(u"UPDATE users SET groups_list = 'staff,beta' WHERE id = 'usr_p0003'"_s));
    }

    void cleanup() { m_data.close(); }

    void pagesAcrossWindowBoundaries()
    {
        QVERIFY(m_data.start());
        // The whole length, a window of three pages held (not 650 rows).
        const auto shape = [this] {
            return QList<int>{m_data.model->rowCount(), m_data.model->windowOffset(),
                              m_data.model->windowSize()};
        };
        QCOMPARE(shape(), (QList<int>{kAccounts, 0, 600}));
        // By username by default; rows past the window fetched on demand (the window moves,
        // the length stays), then back.
        QStringList names;
        for (int row : {0, 199, 200, 599, 649, 3})
            names << m_data.username(row);
        QCOMPARE(names.join(u' '), u"u0000 u0199 u0200 u0599 u0649 u0003"_s);
        QCOMPARE(shape(), (QList<int>{kAccounts, 0, 600}));
        QCOMPARE(m_data.model->rowOf(u"usr_p0003"_s), 3);
        // The per-row values, read for the window's rows.
        const int row = m_data.model->rowOf(u"usr_p0003"_s);
        QCOMPARE(m_data.model->index(row, UserTableModel::Sessions).data().toInt(), 2);
        QCOMPARE(m_data.model->index(row, UserTableModel::Groups).data().toString(),
                 u"staff, beta"_s);
        QCOMPARE(m_data.model->index(row, UserTableModel::Status).data().toString(), u"Active"_s);
        QCOMPARE(m_data.model->index(m_data.model->rowOf(u"usr_p0001"_s), UserTableModel::LastLogin)
                     .data()
                     .toString(),
                 u"never"_s);
        QCOMPARE(m_data.model->find(u"usr_p0005"_s)->lastLoginMs, kStart + 700'000 - 5000);
    }

    void sortsEachColumnInTheDatabase()
    {
        QVERIFY(m_data.start());
        sortBy(UserTableModel::Username, Qt::DescendingOrder);
        QCOMPARE(m_data.username(0), u"u0649"_s);
        QCOMPARE(m_data.username(649), u"u0000"_s);
        sortBy(UserTableModel::Email, Qt::AscendingOrder);
        QCOMPARE(m_data.username(1), u"u0001"_s);
        sortBy(UserTableModel::DisplayName, Qt::AscendingOrder);
        QCOMPARE(m_data.username(0), u"u0649"_s); // "Name 0000"
        QCOMPARE(m_data.username(200), u"u0449"_s);
        sortBy(UserTableModel::SignedUp, Qt::DescendingOrder);
        QCOMPARE(m_data.username(0), u"u0649"_s);
        QCOMPARE(m_data.username(649), u"u0000"_s);
        // Status: by its text, then signup time: active, disabled, pending_approval.
        sortBy(UserTableModel::Status, Qt::AscendingOrder);
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(1), u"u0003"_s);
        QCOMPARE(m_data.username(217), u"u0001"_s);
        QCOMPARE(m_data.username(649), u"u0647"_s);
        // Last login: never first (as 0), then oldest; descending, the newest first.
        sortBy(UserTableModel::LastLogin, Qt::AscendingOrder);
        QCOMPARE(m_data.username(0), u"u0001"_s);
        QCOMPARE(m_data.username(519), u"u0649"_s); // 520 never signed in
        QCOMPARE(m_data.username(520), u"u0645"_s);
        sortBy(UserTableModel::LastLogin, Qt::DescendingOrder);
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(1), u"u0005"_s);
        // Filtered, the window joins the last-login rows to the accounts the filter keeps:
        // active ones are every third (u0000, u0003, …), and of those every fifth signed in.
        UserQuery active = m_data.model->query();
        active.statuses = {AccountStatus::Active};
        m_data.model->setQuery(active);
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(m_data.model->rowCount(), 217);
        QCOMPARE(m_data.username(0), u"u0000"_s);
        QCOMPARE(m_data.username(1), u"u0015"_s);
        QCOMPARE(m_data.username(43), u"u0645"_s); // the last of 44 that signed in
        QCOMPARE(m_data.username(44), u"u0648"_s); // then never, the highest id first
        QCOMPARE(m_data.username(216), u"u0003"_s);
        // The columns with no index behind them keep the order there is.
        const UserQuery before = m_data.model->query();
        for (int column : {int(UserTableModel::Role), int(UserTableModel::Groups),
                           int(UserTableModel::Sessions), int(UserTableModel::SecondFactor)}) {
            QVERIFY(!UserTableModel::isSortable(column));
            m_data.model->sort(column, Qt::AscendingOrder);
            QCOMPARE(m_data.model->query(), before);
        }
    }

    void filtersAndSearchesInTheDatabase()
    {
        sd::ui::PagedFilterProxy proxy;
        proxy.setSourceModel(m_data.model.get());
        new QAbstractItemModelTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     &proxy);
        QVERIFY(m_data.start());
        proxy.setStatuses({toString(AccountStatus::Disabled)});
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 217);
        QCOMPARE(text(&proxy, 1, UserTableModel::Username), u"u0004"_s);
        // "Pending": both pending statuses.
        proxy.setStatuses({toString(AccountStatus::PendingVerification),
                           toString(AccountStatus::PendingApproval)});
        QTRY_VERIFY(m_data.model->isLoaded());
        QCOMPARE(proxy.rowCount(), 216);
        // Words are prefixes of the username, email or display name, case-insensitive; every
        // word must match; the filter applies too. How many rows a search finds:
        const auto found = [&](const QString &text, const QStringList &statuses = {}) {
            proxy.setStatuses(statuses);
            proxy.setSearchText(text);
            return QTest::qWaitFor([&] { return m_data.model->isLoaded(); }) ? proxy.rowCount()
                                                                             : -1;
        };
        QCOMPARE(found(u"  U012  "_s), 10); // u0120 … u0129
        QCOMPARE(text(&proxy, 0, UserTableModel::Username), u"u0120"_s);
        QCOMPARE(found(u"MAIL0007@"_s), 1);
        QCOMPARE(found(u"nAmE u0000"_s), 1);
        QCOMPARE(text(&proxy, 0, UserTableModel::Username), u"u0000"_s);
        // u0120 … u0129 that are active: u0120, u0123, u0126, u0129.
        QCOMPARE(found(u"u012"_s, {toString(AccountStatus::Active)}), 4);
        QCOMPARE(found(u"198.51.100.7"_s), 0); // the client address is not searched here
        QCOMPARE(found(u"%"_s), 0);            // no wildcard
        QCOMPARE(found({}), kAccounts);
    }

    // Every statement the model runs for each order, filter and search: its page picks rows
    // through an index in the query's order (no full scan, no sort of the whole table).
    void eachOrderUsesAnIndex()
    {
        struct Seen
        {
            QString sql;
            QVariantList params;
        };
        QMutex mutex;
        QList<Seen> seen;
        const sd::store::detail::StatementObserver observer = [&](const QString &sql,
                                                                  const QVariantList &params) {
            QMutexLocker lock(&mutex);
            if (sql.contains(u"users u"_s)) // FROM or JOIN
                seen.append({sql, params});
        };
        sd::store::detail::setStatementObserver(&observer);
        QVERIFY(m_data.start());
        for (int column = 0; column < UserTableModel::ColumnCount; ++column) {
            if (!UserTableModel::isSortable(column))
                continue;
            sortBy(column, Qt::AscendingOrder);
            sortBy(column, Qt::DescendingOrder);
        }
        sd::ui::PagedFilterProxy proxy;
        proxy.setSourceModel(m_data.model.get());
        proxy.setStatuses({toString(AccountStatus::Active)});
        proxy.setSearchText(u"u01 mail"_s);
        QTRY_VERIFY(m_data.model->isLoaded());
        QVERIFY(m_data.idle());
        sd::store::detail::setStatementObserver(nullptr);

        auto db = m_data.db->connection();
        QVERIFY(db);
        if (kPostgres)
            QVERIFY(sd::store::runQuery(*db, u"SET enable_seqscan = off"_s));
        QStringList failures;
        int pages = 0;
        QMutexLocker lock(&mutex);
        for (const Seen &s : std::as_const(seen)) {
            // The window's accounts are picked in the sub-select: that is what must use an
            // index (the outer query sorts its 600 rows at most). Its values: all but the
            // session count's time, which comes first.
            QString sql = s.sql;
            QVariantList params = s.params;
            const qsizetype from = sql.indexOf(u"(SELECT u.*"_s);
            if (from >= 0) {
                // The sub-select: up to its closing parenthesis.
                qsizetype to = from;
                for (int depth = 0; to < sql.size(); ++to) {
                    depth += sql.at(to) == u'(' ? 1 : sql.at(to) == u')' ? -1 : 0;
                    if (depth == 0)
                        break;
                }
                QVERIFY(to < sql.size());
                sql = sql.mid(from + 1, to - from - 1);
                QVERIFY2(sql.contains(u"LIMIT ? OFFSET ?"_s), qPrintable(sql));
                params.removeFirst();
                ++pages;
            } else if (!sql.startsWith(u"SELECT COUNT(*) FROM users u"_s)) {
                continue;
            }
            // Unfiltered, the order itself comes from an index (no sort); filtered or searched,
            // the matching rows come from indexes (they may then be sorted).
            const bool filtered = sql.contains(u"status IN"_s) || sql.contains(u" OR "_s);
            const QStringList plan = testplan::planOf(*db, kPostgres, sql, params);
            const QString text = plan.join(u"\n  "_s);
            bool bad = plan.isEmpty() || plan.first().startsWith(u"ERROR"_s);
            // SQLite scans the rows of a sub-select it made (a window of user_last_login's
            // index, sorted by last login): no table.
            QStringList madeHere;
            for (const QString &line : plan) {
                static const QRegularExpression made(u"^(MATERIALIZE|CO-ROUTINE) (\\w+)$"_s);
                if (const auto m = made.match(line.trimmed()); m.hasMatch())
                    madeHere << u"SCAN "_s + m.captured(2);
            }
            for (const QString &line : plan) {
                const QString l = line.trimmed();
                // A whole sort node (an incremental sort of ties after an index is fine).
                static const QRegularExpression sortNode(u"^(->\\s+)?Sort\\s+\\("_s);
                const bool sorts = kPostgres ? sortNode.match(l).hasMatch()
                                             : l.contains(u"TEMP B-TREE FOR ORDER BY"_s);
                const bool scans = kPostgres ? l.contains(u"Seq Scan"_s)
                                             : l.startsWith(u"SCAN "_s) &&
                                                   !l.contains(u"INDEX"_s) && !madeHere.contains(l);
                bad |= scans || (sorts && !filtered);
            }
            if (bad)
                failures << sql + u"\n  "_s + text;
            else if (qEnvironmentVariableIsSet("SD_SHOW_PLANS"))
                qInfo("%s\n  %s", qPrintable(sql), qPrintable(text));
        }
        if (kPostgres)
            QVERIFY(sd::store::runQuery(*db, u"RESET enable_seqscan"_s));
        qInfo("%d page statements explained, e.g.:\n  %s", pages,
              qPrintable(seen.isEmpty() ? QString() : seen.constLast().sql));
        QVERIFY(pages >= 13); // six columns both ways, the default, the filtered search
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u"\n"_s)));
    }

    void liveInsertAndRemovalPatchTheWindow()
    {
        QSignalSpy inserted(m_data.model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(m_data.model.get(), &QAbstractItemModel::modelReset);
        QVERIFY(m_data.start());
        inserted.clear();
        reset.clear();
        // One account that sorts inside the window (between u0004 and u0005), one past it.
        Account inside = account(9000);
        inside.id = u"usr_inside"_s;
        inside.username = u"u0004a"_s;
        inside.email = u"inside@example.com"_s;
        QVERIFY(m_data.insert({inside, account(9001)}));
        m_data.model->refresh();
        QTRY_COMPARE(m_data.model->rowCount(), kAccounts + 2);
        QVERIFY(m_data.idle());
        QVERIFY(!inserted.isEmpty());
        QCOMPARE(inserted.at(0).at(1).toInt(), 5); // the row itself, where it sorts: no reset
        QCOMPARE(reset.size(), 0);
        QCOMPARE(m_data.username(5) + u' ' + m_data.username(6), u"u0004a u0005"_s);
        // A changed row changes in place.
        QVERIFY(m_data.run(u"UPDATE users SET status = 'disabled' WHERE id = 'usr_p0003'"_s));
        QSignalSpy changed(m_data.model.get(), &QAbstractItemModel::dataChanged);
        m_data.model->refresh();
        QTRY_VERIFY(m_data.model->find(u"usr_p0003"_s)->status == AccountStatus::Disabled);
        QVERIFY(m_data.idle());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
        // A removal: that one row goes.
        QSignalSpy removed(m_data.model.get(), &QAbstractItemModel::rowsRemoved);
        QVERIFY(m_data.run(u"DELETE FROM users WHERE id = 'usr_inside'"_s));
        m_data.model->refresh();
        QVERIFY(m_data.idle());
        QTRY_COMPARE(m_data.model->rowCount(), kAccounts + 1);
        QVERIFY(m_data.model->rowOf(u"usr_inside"_s) < 0 && reset.isEmpty());
        QCOMPARE(removed.value(0).value(1).toInt(), 5); // the row itself first
        QCOMPARE(m_data.username(5), u"u0005"_s);
    }

    // Ctrl+A over the whole list: what the actions read is the selected rows the window holds
    // (the others have no account loaded), without visiting every selected row.
    void aWholeListSelectionIsReadOverTheWindow()
    {
        QVERIFY(m_data.start());
        sd::ui::PagedFilterProxy proxy;
        proxy.setSourceModel(m_data.model.get());
        QItemSelectionModel selection(&proxy);
        const int lastColumn = proxy.columnCount() - 1;
        selection.select(QItemSelection(proxy.index(0, 0), proxy.index(kAccounts - 1, lastColumn)),
                         QItemSelectionModel::ClearAndSelect);
        QCOMPARE(selection.selectedRows().size(), kAccounts);
        QList<int> window(600);
        std::iota(window.begin(), window.end(), 0);
        QCOMPARE(sd::ui::selectedHeldRows(selection), window);
        // Scrolled to the end: the window moved, and so do the rows read.
        QCOMPARE(m_data.username(kAccounts - 1), u"u0649"_s);
        const int offset = m_data.model->windowOffset();
        QVERIFY(offset > 0);
        const QList<int> held = sd::ui::selectedHeldRows(selection);
        QCOMPARE(held.size(), m_data.model->windowSize());
        QCOMPARE(held.first(), offset);
        QCOMPARE(held.last(), kAccounts - 1);
        // A cell is not a row; rows picked one by one come in the order picked; rows in two
        // overlapping ranges come once.
        selection.select(proxy.index(kAccounts - 1, 1), QItemSelectionModel::ClearAndSelect);
        QVERIFY(sd::ui::selectedHeldRows(selection).isEmpty());
        selection.select(proxy.index(kAccounts - 2, 0),
                         QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        selection.select(proxy.index(kAccounts - 5, 0),
                         QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QCOMPARE(sd::ui::selectedHeldRows(selection), (QList<int>{kAccounts - 2, kAccounts - 5}));
        QItemSelection overlapping(proxy.index(640, 0), proxy.index(645, lastColumn));
        overlapping.select(proxy.index(643, 0), proxy.index(648, lastColumn));
        selection.select(overlapping, QItemSelectionModel::ClearAndSelect);
        QList<int> rows(9);
        std::iota(rows.begin(), rows.end(), 640);
        QCOMPARE(sd::ui::selectedHeldRows(selection), rows);
    }

    // The tab itself: the selection and identities pane follow a removal; an action on the
    // selected row asks first, by name, then runs through core.
    void theTabSelectsActsAndFollowsRemovals()
    {
        m_data.model.reset(); // the page has its own
        {
            auto db = m_data.db->connection();
            QVERIFY(db);
            QVERIFY(oauthstore::insertIdentity(*db, {u"oid_3"_s, u"usr_p0003"_s, u"github"_s,
                                                     u"4242"_s, u"u3@example.com"_s, kStart}));
        }
        sd::ui::UsersPage page(m_data.backend.get(), *m_data.core);
        new QAbstractItemModelTester(
            page.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest, page.proxy());
        page.resize(1200, 700);
        page.show();
        QTRY_VERIFY(page.isLoaded());
        UserTableModel *model = page.model();
        QCOMPARE(model->rowCount(), kAccounts);
        QCOMPARE(model->windowSize(), 600);
        QTableView *view = page.view();
        // The header sorts the sortable columns only.
        QHeaderView *header = view->horizontalHeader();
        header->setSortIndicator(UserTableModel::Sessions, Qt::DescendingOrder);
        QCOMPARE(header->sortIndicatorSection(), int(UserTableModel::Username));
        QCOMPARE(model->query().order, UserQuery::Order::Username);
        // The search field and the filter combo go to the database.
        page.searchField()->setText(u"u000"_s);
        QTRY_COMPARE(view->model()->rowCount(), 10);
        page.filter()->setCurrentIndex(1);          // Active
        QTRY_COMPARE(view->model()->rowCount(), 4); // u0000, u0003, u0006, u0009
        page.filter()->setCurrentIndex(0);
        QTRY_COMPARE(view->model()->rowCount(), 10);

        // Select u0003: its identities show.
        QSignalSpy loaded(&page, &sd::ui::UsersPage::identitiesLoaded);
        view->setFocus();
        view->selectionModel()->setCurrentIndex(view->model()->index(3, 0),
                                                QItemSelectionModel::ClearAndSelect |
                                                    QItemSelectionModel::Rows);
        QTRY_COMPARE(page.identitiesUserId(), u"usr_p0003"_s);
        QCOMPARE(page.identityModel()->rowCount(), 1);

        // Disable it: asked first, naming the account, then done by core.
        auto *disable = page.findChild<QAction *>(u"disableUserAction"_s);
        QVERIFY(disable && disable->isEnabled());
        disable->trigger();
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = page.findChild<QMessageBox *>(u"confirmDialog"_s)));
        QVERIFY2(box->text().startsWith(u"Disable u0003?"_s), qPrintable(box->text()));
        box->findChild<QPushButton *>(u"confirmButton"_s)->click();
        QTRY_VERIFY(model->find(u"usr_p0003"_s)->status == AccountStatus::Disabled);
        QCOMPARE(model->find(u"usr_p0003"_s)->liveSessions, 0);
        QTRY_VERIFY(page.findChild<QAction *>(u"enableUserAction"_s)->isEnabled());

        // Removed elsewhere: its row goes, the current row moves on, the pane follows.
        QVERIFY(m_data.run(u"DELETE FROM users WHERE id = 'usr_p0003'"_s));
        page.reload();
        QTRY_COMPARE(view->model()->rowCount(), 9);
        QVERIFY(m_data.idle());
        QCOMPARE(model->rowOf(u"usr_p0003"_s), -1);
        const QString current =
            view->selectionModel()->currentIndex().data(sd::ui::KeyRole).toString();
        QVERIFY(current != u"usr_p0003"_s);
        QTRY_VERIFY(page.identitiesUserId() != u"usr_p0003"_s);
        QVERIFY(page.identityModel()->rowCount() == 0);
        for (const QModelIndex &index : view->selectionModel()->selectedRows())
            QVERIFY(index.data(sd::ui::KeyRole).toString() != u"usr_p0003"_s);
        page.hide();
        QVERIFY(m_data.idle());
    }
};

QTEST_MAIN(TestUsersPaged)
#include "tst_userspaged.moc"
