// The console's Invitations tab, offscreen over an in-process SignupDesk (SQLite file, fake
// clock): the Invite dialog makes an invitation through core off the GUI thread (audited as
// the console's person, the email queued in the chosen language), shows validation errors in
// place and stays open; Revoke asks first, naming the addresses; the list shows every status
// (pending, accepted, revoked, expired) and follows what happens elsewhere (an acceptance)
// without a manual reload.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "mailtext.h"
#include "outbox.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "invitationspage.h"
#include "mainwindow.h"
#include "rowfilterproxy.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using sd::ui::InvitationsPage;
using sd::ui::InvitationTableModel;
using sd::ui::InviteDialog;

class TestConsoleInvitations : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    InvitationsPage *page() { return m_console.window->invitationsPage(); }
    InvitationTableModel *model() { return page()->model(); }

    // The invitation's row text in `column`, or empty while it is not listed.
    QString cell(const QString &id, int column)
    {
        const int row = model()->rowOf(id);
        return row < 0 ? QString() : model()->index(row, column).data().toString();
    }
    QString idOf(const QString &email)
    {
        for (const auto &r : model()->rows())
            if (r.email == email)
                return r.id;
        return {};
    }
    // On the worker: an invitation made through core by the CLI's actor; its id.
    QString invite(const QString &email)
    {
        return m_console.worker.call([&] {
            sd::core::InvitationInput input;
            input.email = email;
            auto r = m_console.core().invitations().invite(input, {u"cli:test"_s});
            if (!r)
                qWarning("invite: %s", qPrintable(r.error().detail));
            return r ? r->id : QString();
        });
    }
    // The mails queued for `to` (kind, subject), on the worker.
    QList<std::pair<QString, QString>> mailsTo(const QString &to)
    {
        return m_console.worker.call([&] {
            QList<std::pair<QString, QString>> out;
            if (auto all = sd::mail::Outbox::list(m_console.app().database()))
                for (const auto &e : *all)
                    if (e.message.to == to)
                        out.append(std::pair<QString, QString>(e.kind, e.message.subject));
            return out;
        });
    }
    int invitationCount()
    {
        return m_console.worker.call([&] {
            auto all = m_console.core().invitations().list();
            return all ? int(all->size()) : -1;
        });
    }
    // Selects the invitation's row (a click) in the list.
    bool select(const QString &id)
    {
        QTableView *view = page()->view();
        const int row = model()->rowOf(id);
        if (row < 0)
            return false;
        const QModelIndex index =
            page()->proxy()->mapFromSource(model()->index(row, InvitationTableModel::Email));
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        return view->selectionModel()->isRowSelected(index.row(), {});
    }
    InviteDialog *openDialog()
    {
        // Offscreen has no window manager to hand activation back after a dialog.
        m_console.window->activateWindow();
        if (!QTest::qWaitForWindowActive(m_console.window.get()))
            qWarning("the window did not become active");
        page()->view()->setFocus();
        QTest::keyClick(page()->view(), Qt::Key_I);
        InviteDialog *dialog = nullptr;
        if (!QTest::qWaitFor([&] { return (dialog = page()->inviteDialog()) != nullptr; }))
            qWarning("no Invite dialog");
        return dialog;
    }

private slots:
    void init()
    {
        QVERIFY(m_console.startServer());
        QVERIFY(m_console.openWindow());
        QTabWidget *tabs = m_console.window->tabs();
        QVERIFY(tabs->indexOf(page()) >= 0);
        QCOMPARE(tabs->tabText(tabs->indexOf(page())), u"&Invitations"_s);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_console.window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_console.window.get()));
        tabs->setCurrentWidget(page());
        QTRY_VERIFY(page()->isLoaded());
    }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_tester.reset();
        m_console.stop();
    }

    void inviteFromTheDialog()
    {
        InviteDialog *dialog = openDialog();
        QVERIFY(dialog);
        auto *send = dialog->findChild<QPushButton *>(u"inviteSendButton"_s);
        QVERIFY(send && !send->isEnabled()); // no address yet
        QCOMPARE(dialog->appsList()->count(), 1);
        QCOMPARE(dialog->appsList()->item(0)->text(), u"default"_s);
        QTest::keyClicks(dialog->emailField(), u"carol@example.com"_s);
        QTest::keyClicks(dialog->nameField(), u"Carol Example"_s);
        dialog->appsList()->item(0)->setCheckState(Qt::Checked);
        QTest::keyClicks(dialog->groupsField(), u"staff, beta"_s);
        dialog->languageBox()->setCurrentIndex(dialog->languageBox()->findData(u"fr"_s));
        QVERIFY(send->isEnabled());
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_VERIFY(page()->inviteDialog() == nullptr); // closed once core said yes

        QTRY_VERIFY(!idOf(u"carol@example.com"_s).isEmpty());
        const QString id = idOf(u"carol@example.com"_s);
        QVERIFY(id.startsWith(u"inv_"_s));
        QCOMPARE(cell(id, InvitationTableModel::Status), u"Pending"_s);
        QCOMPARE(cell(id, InvitationTableModel::DisplayName), u"Carol Example"_s);
        QCOMPARE(cell(id, InvitationTableModel::Apps), u"default"_s);
        QCOMPARE(cell(id, InvitationTableModel::Groups), u"staff, beta"_s);
        QCOMPARE(cell(id, InvitationTableModel::InvitedBy), m_console.consoleActor());
        QCOMPARE(m_console.auditActions(id, m_console.consoleActor()),
                 QStringList{u"invitation.created"_s});
        const auto mails = mailsTo(u"carol@example.com"_s);
        QCOMPARE(mails.size(), 1);
        QCOMPARE(mails.at(0).first, u"invitation"_s);
        // In the chosen language: the French subject differs from the English one.
        InviteDialog *second = openDialog();
        QVERIFY(second);
        QTest::keyClicks(second->emailField(), u"dave@example.com"_s);
        QTest::mouseClick(second->findChild<QPushButton *>(u"inviteSendButton"_s), Qt::LeftButton);
        QTRY_VERIFY(page()->inviteDialog() == nullptr);
        QTRY_COMPARE(mailsTo(u"dave@example.com"_s).size(), 1);
        QVERIFY2(mailsTo(u"dave@example.com"_s).at(0).second != mails.at(0).second,
                 qPrintable(mails.at(0).second));
        QVERIFY(m_console.window->errorText().isEmpty());
    }

    // The Outbox tab names the new kinds of mail (not their internal names).
    void outboxNamesTheInvitation()
    {
        invite(u"kim@example.com"_s);
        sd::ui::OutboxPage *outbox = m_console.window->outboxPage();
        m_console.window->tabs()->setCurrentWidget(outbox);
        const auto kindOfKim = [&] {
            const auto *m = outbox->model();
            for (int row = 0; row < m->rowCount(); ++row)
                if (m->index(row, sd::ui::OutboxTableModel::Recipient).data().toString() ==
                    u"kim@example.com"_s)
                    return m->index(row, sd::ui::OutboxTableModel::Kind).data().toString();
            return QString();
        };
        QTRY_COMPARE(kindOfKim(), u"Invitation"_s);
        for (const auto &[kind, text] : QList<std::pair<QString, QString>>{
                 {u"password_reset"_s, u"Password reset"_s},
                 {u"password_changed"_s, u"Password changed"_s},
                 {u"email_change"_s, u"Email change"_s},
                 {u"email_change_notice"_s, u"Email change notice"_s},
                 {u"goodbye"_s, u"Goodbye"_s}})
            QCOMPARE(sd::ui::OutboxTableModel::kindText(kind), text);
    }

    void dialogShowsErrorsAndStaysOpen()
    {
        const QString taken = m_console.signUp(u"erin"_s);
        QVERIFY(!taken.isEmpty());
        InviteDialog *dialog = openDialog();
        QVERIFY(dialog);
        auto *send = dialog->findChild<QPushButton *>(u"inviteSendButton"_s);
        QTest::keyClicks(dialog->emailField(), u"not an address"_s);
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_VERIFY(!dialog->errorText().isEmpty());
        QCOMPARE(dialog->errorText(), u"This is not a valid email address."_s);
        QVERIFY(dialog->isVisible());

        dialog->emailField()->setText(u"erin@example.com"_s);
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_COMPARE(dialog->errorText(),
                     u"An account or a pending invitation already has this address."_s);
        dialog->emailField()->setText(u"frank@example.com"_s);
        dialog->nameField()->setText(u"bad\u0007name"_s);
        QTest::mouseClick(send, Qt::LeftButton);
        QTRY_VERIFY(dialog->errorText().startsWith(u"This display name"_s));
        QCOMPARE(invitationCount(), 0); // nothing was made
        dialog->reject();
        QTRY_VERIFY(page()->inviteDialog() == nullptr);
        QCOMPARE(invitationCount(), 0);
    }

    void revokeAsksFirstByAddress()
    {
        const QString gina = invite(u"gina@example.com"_s);
        const QString hank = invite(u"hank@example.com"_s);
        QTRY_VERIFY(model()->rowOf(gina) >= 0 && model()->rowOf(hank) >= 0); // live
        auto *revoke = page()->findChild<QAction *>(u"revokeInvitationAction"_s);
        QVERIFY(revoke && !revoke->isEnabled());
        QVERIFY(select(gina));
        QVERIFY(revoke->isEnabled());

        QTest::keyClick(page()->view(), Qt::Key_R);
        QCOMPARE(m_console.answerConfirmation(false),
                 u"Revoke the invitation of gina@example.com? Its link stops working at once."_s);
        QVERIFY(!QTest::qWaitFor(
            [&] { return cell(gina, InvitationTableModel::Status) != u"Pending"_s; }, 300));
        QTest::keyClick(page()->view(), Qt::Key_R);
        QVERIFY(!m_console.answerConfirmation(true).isEmpty());
        QTRY_COMPARE(cell(gina, InvitationTableModel::Status), u"Revoked"_s);
        QCOMPARE(cell(hank, InvitationTableModel::Status), u"Pending"_s);
        QCOMPARE(m_console.auditActions(gina, m_console.consoleActor()),
                 QStringList{u"invitation.revoked"_s});
        QTRY_VERIFY(!revoke->isEnabled()); // a revoked one cannot be revoked again
        QVERIFY(m_console.window->errorText().isEmpty());
    }

    void statusesFollowWhatHappensElsewhere()
    {
        const QString ivy = invite(u"ivy@example.com"_s);
        const QString jack = invite(u"jack@example.com"_s);
        QTRY_COMPARE(cell(ivy, InvitationTableModel::Status), u"Pending"_s);
        // Ivy accepts through the link of her email (core, as the page does).
        const QString token = m_console.worker.call([&] {
            m_console.server->flushMail();
            const QString mail = decodeMail(m_console.server->lastMailTo(u"ivy@example.com"_s));
            return QRegularExpression(u"/accept-invite\\?token=([A-Za-z0-9_\\-]+)"_s)
                .match(mail)
                .captured(1);
        });
        QVERIFY(!token.isEmpty());
        const bool accepted = m_console.worker.call([&] {
            sd::core::SignupInput input;
            input.username = u"ivy"_s;
            input.password = u"correct battery staple horse"_s;
            auto r = m_console.core().invitations().accept(token, input, {}, {u"127.0.0.1"_s});
            if (!r)
                qWarning("accept: %s", qPrintable(r.error().detail));
            return bool(r);
        });
        QVERIFY(accepted);
        QTRY_COMPARE(cell(ivy, InvitationTableModel::Status), u"Accepted"_s); // no reload asked
        // A week and a second later Jack's has expired (shown on the next load).
        m_console.server->clock().advanceSeconds(m_console.server->config().inviteTtlSeconds + 1);
        page()->reload();
        QTRY_COMPARE(cell(jack, InvitationTableModel::Status), u"Expired"_s);
        // The filter shows one status at a time.
        page()->filter()->setCurrentIndex(page()->filter()->findText(u"Expired"_s));
        QCOMPARE(page()->proxy()->rowCount(), 1);
        page()->filter()->setCurrentIndex(page()->filter()->findText(u"Accepted"_s));
        QCOMPARE(page()->proxy()->rowCount(), 1);
        page()->filter()->setCurrentIndex(0);
        QCOMPARE(page()->proxy()->rowCount(), 2);
    }
};

QTEST_MAIN(TestConsoleInvitations)
#include "tst_consoleinvitations.moc"
