// The console's rule for actions that change accounts (docs/CONSOLE.md), offscreen over an
// in-process SignupDesk (SQLite file, fake clock): approve waits out the undo window like
// reject, and the banner names who is being approved or rejected; revoke token and resend ask
// first, naming the accounts (the Users tab's disable, enable, end sessions and unlink are in
// tst_consolepages).

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "outbox.h"

#include "mainwindow.h"
#include "pendingdecisions.h"
#include "reasondialog.h"
#include "signuptablemodel.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::SignupTableModel;

class TestConsoleActions : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    QString cell(const QString &userId, int column)
    {
        return m_console.signupIndex(userId, column).data().toString();
    }

    QString banner()
    {
        auto *label = m_window->findChild<QLabel *>(u"undoLabel"_s);
        return label && label->isVisible() ? label->text() : QString();
    }

    QStringList mailKinds(const QString &id)
    {
        return m_console.worker.call([&] {
            QStringList kinds;
            if (auto all = sd::mail::Outbox::list(m_console.app().database(), id))
                for (const auto &e : *all)
                    kinds << e.kind;
            return kinds;
        });
    }

    // Selects these signups (by clicking, Ctrl for all but the first).
    void select(const QStringList &ids)
    {
        for (qsizetype i = 0; i < ids.size(); ++i) {
            QTRY_VERIFY(m_console.signupIndex(ids.at(i)).isValid());
            QVERIFY(
                m_console.clickSignup(ids.at(i), i == 0 ? Qt::NoModifier : Qt::ControlModifier));
        }
    }

private slots:
    void init() { QVERIFY(m_console.openSignupsWindow(400ms)); }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    void approveWaitsOutTheUndoWindow()
    {
        const QString bob = m_console.signUp(u"bob"_s);
        select({bob});
        QSignalSpy due(m_window->pendingDecisions(), &sd::ui::PendingDecisions::due);

        QTest::keyClick(m_window->signupView(), Qt::Key_Return, Qt::ControlModifier);
        QVERIFY(m_window->pendingDecisions()->contains(bob));
        QVERIFY(cell(bob, SignupTableModel::Status).startsWith(u"Approving in"_s));
        QVERIFY2(banner().startsWith(u"Approving bob in"_s), qPrintable(banner()));
        auto *undo = m_window->findChild<QPushButton *>(u"undoButton"_s);
        QVERIFY(undo && undo->isVisible());
        QTest::mouseClick(undo, Qt::LeftButton);
        QVERIFY(!due.wait(1200)); // three windows go by: nothing falls due
        QCOMPARE(m_console.statusOf(bob), u"pending_approval"_s);
        QVERIFY(!mailKinds(bob).contains(u"welcome"_s)); // no welcome email went out
        QCOMPARE(cell(bob, SignupTableModel::Status), u"Pending approval"_s);

        // Let it run out: approved, the welcome email queued, audited as the console's.
        QTest::keyClick(m_window->signupView(), Qt::Key_A);
        QCOMPARE(m_console.statusOf(bob), u"pending_approval"_s); // not yet
        QTRY_COMPARE(m_console.statusOf(bob), u"active"_s);
        QVERIFY(mailKinds(bob).contains(u"welcome"_s));
        QCOMPARE(m_console.auditActions(bob, m_console.consoleActor()),
                 QStringList{u"signup.approved"_s});
        QVERIFY(m_window->errorText().isEmpty());
    }

    void bannerNamesApprovedAndRejected()
    {
        const QString ann = m_console.signUp(u"ann"_s);
        const QString bob = m_console.signUp(u"bob"_s);
        const QString cid = m_console.signUp(u"cid"_s);
        select({ann, bob});
        m_window->rejectSelected();
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = m_window->findChild<sd::ui::ReasonDialog *>()));
        QVERIFY2(dialog->windowTitle().contains(u"ann and bob"_s),
                 qPrintable(dialog->windowTitle()));
        dialog->setReason(u"Looks like a bot."_s);
        dialog->accept();
        QVERIFY2(banner().startsWith(u"Rejecting ann and bob in"_s), qPrintable(banner()));
        select({cid});
        m_window->approveSelected();
        QVERIFY2(banner().startsWith(u"Approving cid; Rejecting ann and bob in"_s),
                 qPrintable(banner()));
        QTRY_COMPARE(m_console.statusOf(cid), u"active"_s);
        QTRY_COMPARE(m_console.statusOf(ann), u"gone"_s);
        QTRY_COMPARE(m_console.statusOf(bob), u"gone"_s);
        QTRY_VERIFY(banner().isEmpty());
    }

    void revokeAndResendAskFirstByName()
    {
        const QString dan = m_console.signUp(u"dan"_s, /*confirm=*/false);
        const QString eve = m_console.signUp(u"eve"_s, /*confirm=*/false);
        select({dan, eve});

        QTest::keyClick(m_window->signupView(), Qt::Key_T);
        const QString question = m_console.answerConfirmation(false);
        QVERIFY2(question.startsWith(u"Revoke the verification link of dan and eve?"_s),
                 qPrintable(question));
        QVERIFY(!QTest::qWaitFor(
            [&] {
                return !m_console.auditActions(dan, m_console.consoleActor()).isEmpty() ||
                       !m_console.auditActions(eve, m_console.consoleActor()).isEmpty();
            },
            500));

        QTest::keyClick(m_window->signupView(), Qt::Key_T);
        QVERIFY(!m_console.answerConfirmation(true).isEmpty());
        QTRY_COMPARE(m_console.auditActions(dan, m_console.consoleActor()),
                     QStringList{u"verification.revoked"_s});
        QTRY_COMPARE(m_console.auditActions(eve, m_console.consoleActor()),
                     QStringList{u"verification.revoked"_s});
        QTRY_COMPARE(cell(dan, SignupTableModel::Verification), u"revoked"_s);

        select({dan});
        QTest::keyClick(m_window->signupView(), Qt::Key_S);
        QVERIFY(
            m_console.answerConfirmation(true).startsWith(u"Send dan a new verification email?"_s));
        // One fake-clock instant: the log's order between them is the ids'.
        const auto sorted = [](QStringList l) {
            l.sort();
            return l;
        };
        QTRY_COMPARE(sorted(m_console.auditActions(dan, m_console.consoleActor())),
                     (QStringList{u"verification.resent"_s, u"verification.revoked"_s}));
    }
};

QTEST_MAIN(TestConsoleActions)
#include "tst_consoleactions.moc"
