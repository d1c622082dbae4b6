// The console's lists, offscreen over an in-process SignupDesk (SQLite file, fake clock):
// columns fitted as rows arrive (also on a fresh desk that starts empty), one header per
// meaning, a cut cell's whole text in its tooltip, and window size, column widths and hidden
// columns remembered in the console's own settings file.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "accounts/accountstore.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "mainwindow.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"

#include <QComboBox>
#include <QHeaderView>
#include <QHelpEvent>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolTip>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::SignupTableModel;

class TestConsoleTables : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    QTableView *view() { return m_window->signupView(); }
    int textWidth(const QString &text) { return view()->fontMetrics().horizontalAdvance(text); }

private slots:
    void init()
    {
        QVERIFY(m_console.openSignupsWindow(300ms));
        m_window->statusFilter()->setCurrentIndex(5); // All
    }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    void columnsFitAsRowsArrive()
    {
        // A fresh desk: no rows at start; the first signups arrive live.
        QCOMPARE(m_window->signupModel()->rowCount(), 0);
        const QString first = m_console.signUp(u"marguerite_delacroix"_s);
        QTRY_VERIFY(m_console.signupIndex(first).isValid());
        const QString email = u"marguerite_delacroix@example.com"_s;
        QTRY_VERIFY2(view()->columnWidth(SignupTableModel::Email) >= textWidth(email),
                     qPrintable(QString::number(view()->columnWidth(SignupTableModel::Email))));
        QTRY_VERIFY(view()->columnWidth(SignupTableModel::Username) >=
                    textWidth(u"marguerite_delacroix"_s));
        // A longer one later: the column grows (up to its cap).
        const QString second = m_console.signUp(u"bartholomew_montgomery"_s);
        QTRY_VERIFY(m_console.signupIndex(second).isValid());
        QTRY_VERIFY(view()->columnWidth(SignupTableModel::Email) >=
                    textWidth(u"bartholomew_montgomery@example.com"_s));
        QVERIFY(view()->columnWidth(SignupTableModel::Email) <= 260);
    }

    void usersTabFits1400WithGroupsAndLastLogin()
    {
        // Long names and addresses, groups, a login: every column in view at 1400 px.
        m_window->resize(1400, 800);
        QStringList ids;
        for (const QString &name :
             {u"marguerite_delacroix_de_la_tour"_s, u"bartholomew_montgomery_smythe"_s, u"ann"_s}) {
            const QString id = m_console.signUp(name);
            QVERIFY(!id.isEmpty());
            ids << id;
        }
        m_console.worker.call([&] {
            auto &core = m_console.core();
            (void)core.approval().approve(ids.at(0), sd::core::Actor{u"cli"_s});
            auto db = m_console.app().database().connection();
            (void)sd::core::accountstore::setGroups(*db, ids.at(0),
                                                    {u"staff"_s, u"beta-testers"_s});
            (void)core.sessions().login(u"marguerite_delacroix_de_la_tour"_s,
                                        u"correct battery staple horse"_s, {u"198.51.100.4"_s});
        });
        sd::ui::UsersPage *users = m_window->usersPage();
        m_window->tabs()->setCurrentWidget(users);
        QTRY_VERIFY(users->isLoaded() && users->model()->rowCount() == 3);
        using sd::ui::UserTableModel;
        const int row = users->model()->rowOf(ids.at(0));
        QCOMPARE(users->model()->index(row, UserTableModel::Groups).data().toString(),
                 u"staff, beta-testers"_s);
        QCOMPARE(users->model()->index(row, UserTableModel::LastLogin).data().toString(),
                 u"0 s ago"_s); // the fake clock stands still
        QVERIFY(users->model()
                    ->index(row, UserTableModel::LastLogin)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .endsWith(u"(0 s ago)"_s));
        QCOMPARE(users->model()
                     ->index(users->model()->rowOf(ids.at(2)), UserTableModel::LastLogin)
                     .data()
                     .toString(),
                 u"never"_s);
        QTableView *view = users->view();
        QCOMPARE(view->model()->headerData(UserTableModel::Groups, Qt::Horizontal).toString(),
                 u"Groups"_s);
        QTest::qWait(200); // the fitting timer, after the resize and the rows
        QTRY_COMPARE(view->horizontalScrollBar()->maximum(), 0);
        for (int c = 0; c < UserTableModel::ColumnCount; ++c) {
            QVERIFY(!view->isColumnHidden(c));
            const int header = view->fontMetrics().horizontalAdvance(
                view->model()->headerData(c, Qt::Horizontal).toString());
            QVERIFY2(view->columnWidth(c) >= header, qPrintable(QString::number(c)));
        }
        // The short cells are whole; a long one that gave way has its text in the tooltip.
        const QModelIndex status = view->model()->index(0, UserTableModel::Status);
        QVERIFY(!sd::ui::CutCellTips::isCut(view, status));
    }

    void oneHeaderPerMeaning()
    {
        QSet<QString> seen;
        for (int c = 0; c < SignupTableModel::ColumnCount; ++c) {
            const QString text =
                m_window->signupModel()->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
            QVERIFY2(!seen.contains(text), qPrintable(text));
            seen.insert(text);
        }
    }

    void cutCellShowsItsTextAsTooltip()
    {
        const QString id = m_console.signUp(u"marguerite_delacroix"_s);
        QTRY_VERIFY(m_console.signupIndex(id).isValid());
        const QModelIndex email = m_console.signupIndex(id, SignupTableModel::Email);
        const QModelIndex name = m_console.signupIndex(id, SignupTableModel::Username);
        QTRY_VERIFY(!sd::ui::CutCellTips::isCut(view(), name));                 // fitted
        view()->horizontalHeader()->resizeSection(SignupTableModel::Email, 60); // by hand
        QVERIFY(sd::ui::CutCellTips::isCut(view(), email));
        const QPoint at = view()->visualRect(email).center();
        QHelpEvent help(QEvent::ToolTip, at, view()->viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(view()->viewport(), &help);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), u"marguerite_delacroix@example.com"_s);
        QToolTip::hideText();
        QTRY_VERIFY(!QToolTip::isVisible());

        // A cell that fits has no tooltip of its own.
        const QPoint nameAt = view()->visualRect(name).center();
        QHelpEvent nameHelp(QEvent::ToolTip, nameAt, view()->viewport()->mapToGlobal(nameAt));
        QCoreApplication::sendEvent(view()->viewport(), &nameHelp);
        QTest::qWait(100);
        QVERIFY(!QToolTip::isVisible());
    }

    void sizesAndHiddenColumnsAreRemembered()
    {
        const QString id = m_console.signUp(u"ann"_s);
        QTRY_VERIFY(m_console.signupIndex(id).isValid());
        m_window->resize(1100, 650);
        QHeaderView *header = view()->horizontalHeader();
        header->resizeSection(SignupTableModel::Username, 173); // by hand
        header->setSectionHidden(SignupTableModel::DisplayName, true);
        const QSize size = m_window->size();

        m_console.window.reset(); // closes: the state is written
        QVERIFY(m_console.openWindow());
        QCOMPARE(m_window->size(), size);
        QCOMPARE(view()->columnWidth(SignupTableModel::Username), 173);
        QVERIFY(view()->isColumnHidden(SignupTableModel::DisplayName));
        QVERIFY(!view()->isColumnHidden(SignupTableModel::Email));
        // Sized by hand: rows arriving no longer change the widths.
        const QString more = m_console.signUp(u"bartholomew_montgomery"_s);
        QTRY_VERIFY(m_console.signupIndex(more).isValid());
        QTest::qWait(200);
        QCOMPARE(view()->columnWidth(SignupTableModel::Username), 173);
        // The console's own file, not the server's configuration.
        QSettings file(m_console.settingsFile(), QSettings::IniFormat);
        QVERIFY(file.contains(u"window/geometry"_s));
        QVERIFY(file.contains(u"columns/signups/state"_s));
    }

    // Widths remembered by a console whose table had fewer columns (before an upgrade added
    // one) are not put on the shifted columns: the table is fitted as on a first start.
    void stateOfOtherColumnsIsDropped()
    {
        const QString id = m_console.signUp(u"ann"_s);
        QTRY_VERIFY(m_console.signupIndex(id).isValid());
        QHeaderView *header = view()->horizontalHeader();
        header->resizeSection(SignupTableModel::Username, 173); // by hand
        m_console.window.reset();                               // closes: the state is written
        {
            QSettings file(m_console.settingsFile(), QSettings::IniFormat);
            QCOMPARE(file.value(u"columns/signups/columns"_s).toInt(),
                     SignupTableModel::ColumnCount);
            file.setValue(u"columns/signups/columns"_s, SignupTableModel::ColumnCount - 1);
        }
        QVERIFY(m_console.openWindow());
        QTRY_VERIFY(m_console.signupIndex(id).isValid());
        QTRY_VERIFY(view()->columnWidth(SignupTableModel::Username) != 173);
        // Fitted, not by hand: a longer name arriving widens its column.
        const int before = view()->columnWidth(SignupTableModel::Username);
        const QString more = m_console.signUp(u"bartholomew_montgomery_the_third"_s);
        QTRY_VERIFY(m_console.signupIndex(more).isValid());
        QTRY_VERIFY(view()->columnWidth(SignupTableModel::Username) > before);
    }
};

QTEST_MAIN(TestConsoleTables)
#include "tst_consoletables.moc"
