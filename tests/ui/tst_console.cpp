// The console, offscreen, over an in-process SignupDesk (SQLite, fake clock): approve by a
// click, reject through the undo window, bulk approve with progress and Cancel, a signup
// posted over HTTP showing up live. Every database call of the test itself runs on a worker
// thread, so the test can prove the GUI thread never opened a database connection.

#include "consoletest.h"
#include "httpclient.h"
#include "testserver.h"
#include "testworker.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "outbox.h"

#include "mainwindow.h"
#include "pagedfilterproxy.h"
#include "pendingdecisions.h"
#include "reasondialog.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::core::AccountStatus;
using sd::ui::SignupTableModel;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

} // namespace

class TestConsole : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    sd::core::CoreServices &core() { return m_server->app().core(); }
    SignupTableModel &model() { return *m_window->signupModel(); }

    QString pendingApproval(const QString &name, bool confirm = true)
    {
        return m_console.signUp(name, confirm);
    }
    std::optional<sd::core::Account> account(const QString &id) { return m_console.account(id); }
    QString statusOf(const QString &id) { return m_console.statusOf(id); }
    QStringList auditActions(const QString &id, const QString &actor)
    {
        return m_console.auditActions(id, actor);
    }

    QStringList mailKinds(const QString &id)
    {
        return m_worker.call([&] {
            QStringList kinds;
            if (auto all = sd::mail::Outbox::list(m_server->app().database(), id))
                for (const auto &e : *all)
                    kinds << e.kind;
            return kinds;
        });
    }

    QModelIndex viewIndex(const QString &userId, int column = 0)
    {
        const int row = model().rowOf(userId);
        if (row < 0)
            return {};
        return m_window->signupProxy()->mapFromSource(model().index(row, column));
    }

    void clickRow(const QString &userId)
    {
        QTableView *view = m_window->signupView();
        const QModelIndex index = viewIndex(userId, SignupTableModel::Username);
        QVERIFY(index.isValid());
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        QVERIFY(view->selectionModel()->isRowSelected(index.row(), {}));
    }

    QWidget *toolButton(const char *actionName)
    {
        auto *action = m_window->findChild<QAction *>(QString::fromLatin1(actionName));
        auto *bar = m_window->findChild<QToolBar *>(u"actionsToolBar"_s);
        return action && bar ? bar->widgetForAction(action) : nullptr;
    }

private slots:
    void init() { QVERIFY(m_console.openSignupsWindow(300ms)); }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    void clickApproveActivatesAndQueuesWelcome()
    {
        const QString id = pendingApproval(u"alice"_s);
        QTRY_VERIFY(viewIndex(id).isValid()); // live, from the signup and confirm events
        QTRY_COMPARE(viewIndex(id, SignupTableModel::Status).data().toString(),
                     u"Pending approval"_s);
        clickRow(id);
        // The detail pane shows the timeline: signed up, email queued, verified.
        QTRY_COMPARE(m_window->timelineModel()->userId(), id);
        QTRY_VERIFY(m_window->timelineModel()->rowCount() >= 3);

        QWidget *approve = toolButton("approveAction");
        QVERIFY(approve);
        QTRY_VERIFY(approve->isEnabled());
        QTest::mouseClick(approve, Qt::LeftButton);

        QTRY_COMPARE(statusOf(id), u"active"_s);
        QVERIFY(mailKinds(id).contains(u"welcome"_s));
        QCOMPARE(auditActions(id, m_console.consoleActor()), QStringList{u"signup.approved"_s});
        // The row follows; with the default filter (pending) it leaves the list (the paged
        // model holds only the rows its query selects).
        QTRY_VERIFY(!viewIndex(id).isValid());
        QVERIFY(!model().signup(id));
        QVERIFY(m_window->errorText().isEmpty());
        QVERIFY(m_window->signupView()->hasFocus());
    }

    void rejectWaitsOutTheUndoWindow()
    {
        const QString id = pendingApproval(u"mallory"_s);
        QTRY_VERIFY(viewIndex(id).isValid());
        clickRow(id);

        // Undo restores: nothing reaches core.
        QTest::keyClick(m_window->signupView(), Qt::Key_R);
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Looks like a bot."_s);
        dialog->accept();
        QVERIFY(m_window->pendingDecisions()->contains(id));
        QVERIFY(viewIndex(id, SignupTableModel::Status)
                    .data()
                    .toString()
                    .startsWith(u"Rejecting in"_s));
        QSignalSpy due(m_window->pendingDecisions(), &sd::ui::PendingDecisions::due);
        auto *undo = m_window->findChild<QPushButton *>(u"undoButton"_s);
        QVERIFY(undo && undo->isVisible());
        QTest::mouseClick(undo, Qt::LeftButton);
        QVERIFY(!m_window->pendingDecisions()->contains(id));
        QVERIFY(!due.wait(900)); // three windows go by: nothing falls due
        QCOMPARE(statusOf(id), u"pending_approval"_s);
        QCOMPARE(viewIndex(id, SignupTableModel::Status).data().toString(), u"Pending approval"_s);

        // Expiry deletes: the account, with the reason mailed and audited as the console's.
        QTRY_VERIFY(!m_window->findChild<sd::ui::ReasonDialog *>()); // the first one closed
        // Offscreen has no window manager to hand activation back after a dialog.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTRY_COMPARE(QApplication::focusWidget(),
                     m_window->signupView()); // focus stays in the list
        QTest::keyClick(m_window->signupView(), Qt::Key_R);
        QTRY_VERIFY((dialog = m_window->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Looks like a bot."_s);
        dialog->accept();
        QVERIFY(m_window->pendingDecisions()->contains(id));
        QVERIFY(account(id).has_value()); // not yet
        QTRY_VERIFY(!account(id).has_value());
        QTRY_VERIFY(!viewIndex(id).isValid());
        QTRY_COMPARE(model().rowOf(id), -1);
        QCOMPARE(auditActions(id, m_console.consoleActor()), QStringList{u"signup.rejected"_s});
        QVERIFY(m_window->errorText().isEmpty());
    }

    void bulkApproveHundredWithProgress()
    {
        QStringList ids;
        for (int i = 0; i < 100; ++i)
            ids << pendingApproval(u"user%1"_s.arg(i, 3, 10, QChar(u'0')));
        QTRY_COMPARE(model().countWithStatus(AccountStatus::PendingApproval), 100);
        m_window->statusFilter()->setCurrentIndex(1);           // pending approval
        QTRY_COMPARE(m_window->signupProxy()->rowCount(), 100); // the filter is a query
        QTRY_VERIFY(model().signup(ids.constLast()));
        m_window->signupView()->selectAll();
        QCOMPARE(m_window->signupView()->selectionModel()->selectedRows().size(), 100);

        QSignalSpy finished(m_window.get(), &sd::ui::MainWindow::operationFinished);
        QTest::keyClick(m_window->signupView(), Qt::Key_Return, Qt::ControlModifier);
        QProgressBar *bar = m_window->progressBar();
        QTRY_VERIFY(bar->isVisible()); // once the undo window is over
        QCOMPARE(bar->maximum(), 100);
        QTRY_COMPARE_WITH_TIMEOUT(bar->value(), 100, 30000);
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.at(0), (QVariantList{100, 0, 0}));
        for (const QString &id : std::as_const(ids))
            QCOMPARE(statusOf(id), u"active"_s);
        QTRY_COMPARE(model().countWithStatus(AccountStatus::Active), 100);
        QCOMPARE(m_window->signupProxy()->rowCount(), 0);
    }

    void bulkCancelStopsTheRest()
    {
        QStringList ids;
        for (int i = 0; i < 60; ++i)
            ids << pendingApproval(u"cancel%1"_s.arg(i, 2, 10, QChar(u'0')));
        QTRY_COMPARE(model().countWithStatus(AccountStatus::PendingApproval), 60);
        m_window->signupView()->selectAll();
        QSignalSpy finished(m_window.get(), &sd::ui::MainWindow::operationFinished);
        QTest::keyClick(m_window->signupView(), Qt::Key_A);
        auto *cancel = m_window->findChild<QPushButton *>(u"cancelButton"_s);
        QVERIFY(cancel);
        QTRY_VERIFY(cancel->isVisible()); // once the undo window is over
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        const int succeeded = finished.at(0).at(0).toInt();
        const int cancelled = finished.at(0).at(2).toInt();
        QCOMPARE(succeeded + cancelled, 60);
        QVERIFY2(cancelled > 0, "Cancel came after every approval had run");
        int active = 0;
        for (const QString &id : std::as_const(ids))
            active += statusOf(id) == u"active"_s;
        QCOMPARE(active, succeeded);
    }

    void markVerifiedWithReason()
    {
        const QString id = pendingApproval(u"carol"_s, /*confirm=*/false);
        QTRY_VERIFY(viewIndex(id).isValid());
        clickRow(id);
        QTest::keyClick(m_window->signupView(), Qt::Key_V);
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Confirmed by phone."_s);
        dialog->accept();
        QTRY_COMPARE(statusOf(id), u"pending_approval"_s);
        QCOMPARE(auditActions(id, m_console.consoleActor()),
                 QStringList{u"email.verified_by_admin"_s});
        QTRY_COMPARE(viewIndex(id, SignupTableModel::Verification).data().toString(), u"revoked"_s);
    }

    void httpSignupAppearsLive()
    {
        QSignalSpy reset(m_window->signupModel(), &QAbstractItemModel::modelReset);
        QSignalSpy inserted(m_window->signupModel(), &QAbstractItemModel::rowsInserted);
        const HttpResult r = postJson(m_server->port(), "/api/v1/signup",
                                      {{u"username"_s, u"dave"_s},
                                       {u"password"_s, kPassword},
                                       {u"email"_s, u"dave@example.com"_s}});
        QCOMPARE(r.status, 201);
        const QString id = r.json().value(u"user_id"_s).toString();
        QTRY_VERIFY_WITH_TIMEOUT(viewIndex(id).isValid(), 1000);
        QCOMPARE(viewIndex(id, SignupTableModel::Email).data().toString(), u"dave@example.com"_s);
        QCOMPARE(viewIndex(id, SignupTableModel::Status).data().toString(),
                 u"Pending verification"_s);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0);
        // The verification email's state follows the outbox, live too.
        m_server->flushMail();
        QTRY_COMPARE(viewIndex(id, SignupTableModel::EmailState).data().toString(), u"sent"_s);
    }
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
