// The Signups tab's detail pane, offscreen, over an in-process SignupDesk (SQLite file, fake
// clock): after the selected row leaves the list (approved, rejected after its undo window,
// removed by another process' change) the header and the timeline show one and the same
// signup, the newly selected one, or nothing once no row is selected. A change by another
// process (its own connection and core, as the command line) shows within a second.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "mainwindow.h"
#include "pagedfilterproxy.h"
#include "reasondialog.h"
#include "signupspage.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"
#include "timelinepane.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QElapsedTimer>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::SignupTableModel;

class TestConsoleDetail : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    SignupTableModel &model() { return *m_window->signupModel(); }
    sd::ui::TimelinePane &pane() { return *m_window->signupsPage()->detailPane(); }

    QModelIndex viewIndex(const QString &userId) { return m_console.signupIndex(userId); }
    void clickRow(const QString &userId, Qt::KeyboardModifiers modifiers = {})
    {
        QVERIFY(m_console.clickSignup(userId, modifiers));
    }

    // Three signups pending approval, in this order in the list (by signup time).
    QStringList threePending()
    {
        QStringList ids;
        for (const QString &name : {u"ann"_s, u"bob"_s, u"cid"_s}) {
            ids << m_console.signUp(name);
            m_console.server->clock().advanceMs(1000);
        }
        return ids;
    }

    // The selected current row's user id, or empty.
    QString selectedCurrent()
    {
        QItemSelectionModel *sm = m_window->signupView()->selectionModel();
        const QModelIndex current = sm->currentIndex();
        if (!current.isValid() || !sm->isRowSelected(current.row(), {}))
            return {};
        return current.data(SignupTableModel::UserIdRole).toString();
    }

    // Header and timeline are of the one selected signup (`username`), loaded.
    void expectShown(const QString &userId, const QString &username)
    {
        QTRY_COMPARE(selectedCurrent(), userId);
        QTRY_COMPARE(pane().userId(), userId);
        QVERIFY2(pane().headerText().startsWith(username + u" <"_s),
                 qPrintable(pane().headerText()));
        QTRY_COMPARE(m_window->timelineModel()->userId(), userId);
        QVERIFY(m_window->timelineModel()->rowCount() > 0);
        // and it stays so once every load has come back
        QTest::qWait(200);
        QCOMPARE(pane().userId(), userId);
        QVERIFY2(pane().headerText().startsWith(username + u" <"_s),
                 qPrintable(pane().headerText()));
        QCOMPARE(m_window->timelineModel()->userId(), userId);
    }

private slots:
    void init() { QVERIFY(m_console.openSignupsWindow(300ms)); }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    void approveShowsTheNextSelectedSignup()
    {
        const QStringList ids = threePending();
        QTRY_VERIFY(viewIndex(ids.at(2)).isValid());
        clickRow(ids.at(1));
        expectShown(ids.at(1), u"bob"_s);

        m_window->approveSelected();
        QTRY_COMPARE(m_console.statusOf(ids.at(1)), u"active"_s);
        QTRY_VERIFY(!viewIndex(ids.at(1)).isValid()); // left "All pending"
        expectShown(ids.at(0), u"ann"_s);
    }

    void rejectShowsTheNextSelectedSignup()
    {
        const QStringList ids = threePending();
        QTRY_VERIFY(viewIndex(ids.at(2)).isValid());
        clickRow(ids.at(0));
        expectShown(ids.at(0), u"ann"_s);

        m_window->rejectSelected();
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Looks like a bot."_s);
        dialog->accept();
        QTRY_COMPARE(m_console.statusOf(ids.at(0)), u"gone"_s); // after the undo window
        QTRY_VERIFY(!viewIndex(ids.at(0)).isValid());
        expectShown(ids.at(1), u"bob"_s); // no row above: the one below
    }

    void liveRemovalShowsTheNextSelectedSignup()
    {
        const QStringList ids = threePending();
        QTRY_VERIFY(viewIndex(ids.at(2)).isValid());
        clickRow(ids.at(2));
        expectShown(ids.at(2), u"cid"_s);

        // Another admin (the command line here) rejects the selected signup.
        QVERIFY(m_console.worker.call([&] {
            return m_console.core()
                .approval()
                .reject(ids.at(2), u"Duplicate account."_s, sd::core::Actor{u"cli"_s})
                .has_value();
        }));
        QTRY_VERIFY(!viewIndex(ids.at(2)).isValid());
        expectShown(ids.at(1), u"bob"_s);
    }

    void anotherProcessChangeShowsWithinASecond()
    {
        const QString ann = m_console.signUp(u"ann"_s);
        m_window->statusFilter()->setCurrentIndex(5); // All: the row stays once approved
        QTRY_VERIFY(viewIndex(ann).isValid());
        clickRow(ann);
        expectShown(ann, u"ann"_s);
        const auto status = [&] {
            return m_console.signupIndex(ann, SignupTableModel::Status).data().toString();
        };
        QCOMPARE(status(), u"Pending approval"_s);

        // Another process: a connection and a core of its own on the same SQLite file, so no
        // event of this process' core tells the console.
        QElapsedTimer sinceChange;
        const bool approved = m_console.worker.call([&] {
            sd::store::Database other(m_console.app().database().url());
            auto core = sd::core::CoreServices::create(m_console.app().config(), other,
                                                       m_console.server->clock());
            if (!core)
                return false;
            const bool ok = (*core)->approval().approve(ann, sd::core::Actor{u"cli"_s}).has_value();
            sinceChange.start();
            return ok;
        });
        QVERIFY(approved);
        QTRY_COMPARE_WITH_TIMEOUT(status(), u"Active"_s, 1500);
        qInfo("the row showed the change %lld ms after it was committed", sinceChange.elapsed());
        QTRY_VERIFY(pane().headerText().contains(u"Active"_s));
        QTRY_VERIFY(m_window->timelineModel()->rowCount() > 0);
        QCOMPARE(m_window->timelineModel()->userId(), ann);
    }

    void nothingSelectedShowsNothing()
    {
        const QStringList ids = threePending();
        QTRY_VERIFY(viewIndex(ids.at(2)).isValid());
        clickRow(ids.at(1));
        expectShown(ids.at(1), u"bob"_s);
        clickRow(ids.at(1), Qt::ControlModifier); // deselects; the row stays current
        QCOMPARE(m_window->signupView()->selectionModel()->selectedRows().size(), 0);
        QTRY_VERIFY(pane().userId().isEmpty());
        QCOMPARE(m_window->timelineModel()->rowCount(), 0);
        QVERIFY(!pane().headerText().contains(u"bob"_s));

        // The last selected row leaving clears the pane too.
        m_window->statusFilter()->setCurrentIndex(1); // pending approval
        QTRY_VERIFY(viewIndex(ids.at(0)).isValid());  // the filter is a query: its rows come
        clickRow(ids.at(0));
        expectShown(ids.at(0), u"ann"_s);
        m_window->signupView()->selectionModel()->clearSelection();
        QTRY_VERIFY(pane().userId().isEmpty());
        QCOMPARE(m_window->timelineModel()->rowCount(), 0);
    }
};

QTEST_MAIN(TestConsoleDetail)
#include "tst_consoledetail.moc"
