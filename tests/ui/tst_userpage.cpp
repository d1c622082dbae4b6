// The page per user (issue 17; issue 13 item 4), offscreen over an in-process SignupDesk (SQLite
// file, fake clock): reached from the Signups and Users tabs by Enter and by a double-click;
// details with an editable display name, sessions (end one, end all), credentials, the
// account's own events in words; the actions in one place (reset link, disable/enable, delete
// with a reason and the undo window), each asked first by name and audited as the console's.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "outbox.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "mainwindow.h"
#include "pagedfilterproxy.h"
#include "pendingdecisions.h"
#include "reasondialog.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"
#include "userpage.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::KeyRole;
using sd::ui::UserPage;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

} // namespace

class TestUserPage : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

    sd::core::CoreServices &core() { return m_console.core(); }

    // On the worker: a signup, verified and approved, logged in `sessions` times (the user
    // agents "Browser 1", "Browser 2", …), in `groups`.
    QString activeUser(const QString &name, int sessions, const QStringList &groups = {})
    {
        return m_worker.call([&] {
            sd::core::SignupInput input;
            input.username = name;
            input.password = kPassword;
            input.email = name + u"@example.com"_s;
            auto r = core().signup().signUp(input, {u"198.51.100.4"_s});
            if (!r || !core().verification().confirm(r->confirmToken) ||
                !core().approval().approve(r->userId, sd::core::Actor{u"cli"_s}))
                return QString();
            if (!groups.isEmpty()) {
                auto db = m_console.app().database().connection();
                if (!db || !sd::core::accountstore::setGroups(*db, r->userId, groups))
                    return QString();
            }
            for (int i = 0; i < sessions; ++i, m_console.server->clock().advanceSeconds(1))
                if (auto l = core().sessions().login(
                        name, kPassword, {u"198.51.100.4"_s, u"Browser %1"_s.arg(i + 1)});
                    !l)
                    qWarning("login: %s", qPrintable(l.error().detail));
            return r->userId;
        });
    }

    QStringList consoleActions(const QString &subject)
    {
        return m_console.auditActions(subject, m_console.consoleActor());
    }

    QStringList mailKinds(const QString &id)
    {
        return m_worker.call([&] {
            QStringList kinds;
            if (auto all = sd::mail::Outbox::list(m_console.app().database(), id))
                for (const auto &e : *all)
                    kinds << e.kind;
            return kinds;
        });
    }

    int liveSessions(const QString &id)
    {
        return m_worker.call([&] {
            auto d = core().userAdmin().details(id);
            return d ? int(d->sessions.size()) : -1;
        });
    }

    // Opens the page the way the admin does: the row in the Users tab, then Enter.
    UserPage *openFromUsersTab(const QString &userId)
    {
        sd::ui::UsersPage *users = m_window->usersPage();
        m_window->tabs()->setCurrentWidget(users);
        if (!QTest::qWaitFor([&] { return users->isLoaded() && users->model()->find(userId); }))
            return nullptr;
        QTableView *view = users->view();
        const QAbstractItemModel *m = view->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, 0).data(KeyRole).toString() != userId)
                continue;
            view->setFocus();
            view->selectionModel()->setCurrentIndex(
                m->index(r, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            QTest::keyClick(view, Qt::Key_Return);
            UserPage *page = m_window->userPage(userId);
            if (page && QTest::qWaitFor([page] { return page->isLoaded(); }))
                return page;
            return nullptr;
        }
        return nullptr;
    }

    QPushButton *button(UserPage *page, const QString &name)
    {
        auto *b = page->findChild<QPushButton *>(name);
        if (!b)
            qWarning("no button %s", qPrintable(name));
        return b;
    }

private slots:
    void init()
    {
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
        QVERIFY(m_console.openWindow());
    }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_testers.clear();
        m_console.stop();
    }

    void opensFromBothTabsByEnterAndDoubleClick()
    {
        const QString pam = activeUser(u"pam"_s, 0);
        QVERIFY(!pam.isEmpty());
        // Signups tab (every status shown): a double-click on the row.
        m_window->statusFilter()->setCurrentIndex(m_window->statusFilter()->count() - 1);
        QTRY_VERIFY(m_console.signupIndex(pam).isValid());
        QTableView *signups = m_window->signupView();
        const QModelIndex index = m_console.signupIndex(pam, sd::ui::SignupTableModel::Username);
        signups->scrollTo(index);
        const QPoint at = signups->visualRect(index).center();
        QTest::mouseClick(signups->viewport(), Qt::LeftButton, {}, at);
        QVERIFY(!m_window->userPage(pam));
        QTest::mouseDClick(signups->viewport(), Qt::LeftButton, {}, at);
        UserPage *page = m_window->userPage(pam);
        QVERIFY(page);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(page->isVisible());
        QVERIFY2(page->headerText().startsWith(u"pam <pam@example.com>"_s),
                 qPrintable(page->headerText()));
        QCOMPARE(page->windowTitle(), u"Account pam"_s);
        page->close();
        QVERIFY(!page->isVisible());

        // Signups tab: Enter on the current row.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        signups->setFocus();
        QTest::keyClick(signups, Qt::Key_Return);
        QTRY_VERIFY(page->isVisible()); // the same page again, not a second one
        QCOMPARE(m_window->findChildren<UserPage *>().size(), 1);
        page->close();

        // Users tab: Enter.
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QCOMPARE(openFromUsersTab(pam), page);
        QVERIFY(page->isVisible());
        page->close();

        // Users tab: a double-click.
        QTableView *users = m_window->usersPage()->view();
        const QAbstractItemModel *m = users->model();
        QModelIndex row;
        for (int r = 0; r < m->rowCount() && !row.isValid(); ++r)
            if (m->index(r, 0).data(KeyRole).toString() == pam)
                row = m->index(r, 0);
        QVERIFY(row.isValid());
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QSignalSpy activated(users, &QAbstractItemView::activated);
        users->scrollTo(row);
        const QPoint onRow = users->visualRect(row).center();
        QTest::mouseClick(users->viewport(), Qt::LeftButton, {}, onRow);
        QTest::mouseDClick(users->viewport(), Qt::LeftButton, {}, onRow);
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.at(0).at(0).toModelIndex().data(KeyRole).toString(), pam);
        QTRY_VERIFY(page->isVisible());
    }

    void detailsCredentialsEventsAndDisplayName()
    {
        const QString ann = activeUser(u"ann"_s, 2, {u"staff"_s, u"beta"_s});
        QVERIFY(!ann.isEmpty());
        UserPage *page = openFromUsersTab(ann);
        QVERIFY(page);
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            page->sessionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest));
        QCOMPARE(page->field(u"username"_s), u"ann"_s);
        QCOMPARE(page->field(u"email"_s), u"ann@example.com"_s);
        QCOMPARE(page->field(u"emailVerified"_s), u"Yes"_s);
        QCOMPARE(page->field(u"status"_s), u"Active"_s);
        QCOMPARE(page->field(u"groups"_s), u"staff, beta"_s);
        QVERIFY2(page->field(u"lastLogin"_s) != u"never"_s,
                 qPrintable(page->field(u"lastLogin"_s)));
        QCOMPARE(page->field(u"password"_s), u"Set"_s);
        QCOMPARE(page->field(u"secondFactor"_s), u"Off"_s); // no second factor turned on
        QCOMPARE(page->sessionModel()->rowCount(), 2);
        QCOMPARE(page->sections()->tabText(1), u"Sessions (2)"_s);
        QStringList browsers;
        for (int r = 0; r < 2; ++r)
            browsers << page->sessionModel()
                            ->index(r, sd::ui::SessionTableModel::Browser)
                            .data()
                            .toString();
        QCOMPARE(browsers, (QStringList{u"Browser 2"_s, u"Browser 1"_s})); // newest first
        // The account's own events, in words (the code stays in the tooltip).
        QStringList events;
        for (int r = 0; r < page->eventModel()->rowCount(); ++r)
            events << page->eventModel()->index(r, sd::ui::TimelineModel::Event).data().toString();
        QVERIFY2(events.contains(u"Signed up"_s) && events.contains(u"Approved"_s) &&
                     events.contains(u"Logged in"_s),
                 qPrintable(events.join(u" | "_s)));
        QVERIFY(!events.contains(u"login.succeeded"_s));

        // The display name: asked first by name, then stored and audited as the console's.
        QLineEdit *name = page->displayNameField();
        auto *save = button(page, u"saveNameButton"_s);
        QVERIFY(save && !save->isEnabled());
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, u"Ann Example"_s);
        QVERIFY(save->isEnabled());
        QTest::mouseClick(save, Qt::LeftButton);
        QCOMPARE(m_console.answerConfirmation(false),
                 u"Set the display name of ann to “Ann Example”?"_s);
        QCOMPARE(m_console.account(ann)->displayName, QString()); // cancelled: nothing changed
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(!m_console.answerConfirmation(true).isEmpty());
        QTRY_COMPARE(m_console.account(ann)->displayName, u"Ann Example"_s);
        QTRY_VERIFY(page->headerText().startsWith(u"ann <ann@example.com> — Ann Example"_s));
        QCOMPARE(consoleActions(ann), QStringList{u"user.display_name_changed"_s});
        QTRY_VERIFY(!save->isEnabled());

        // A name the one rule refuses: a clear error, nothing changes.
        name->setText(u"Ann\u202Eelpmaxe"_s);
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(!m_console.answerConfirmation(true).isEmpty());
        QTRY_VERIFY2(page->errorText().contains(u"not allowed"_s), qPrintable(page->errorText()));
        QCOMPARE(m_console.account(ann)->displayName, u"Ann Example"_s);
        QCOMPARE(consoleActions(ann).size(), 1);
        QVERIFY(m_window->errorText().isEmpty());
    }

    void endOneSessionThenAll()
    {
        const QString ben = activeUser(u"ben"_s, 3);
        QVERIFY(!ben.isEmpty());
        UserPage *page = openFromUsersTab(ben);
        QVERIFY(page);
        page->sections()->setCurrentIndex(1);
        QTRY_COMPARE(page->sessionModel()->rowCount(), 3);
        auto *endOne = button(page, u"endSessionButton"_s);
        auto *endAll = button(page, u"endAllSessionsButton"_s);
        QVERIFY(endOne && endAll);
        QVERIFY(!endOne->isEnabled()); // nothing selected
        QTableView *view = page->sessionView();
        view->selectRow(0);
        QVERIFY(endOne->isEnabled());
        const QString ended = view->currentIndex().data(KeyRole).toString();
        QTest::mouseClick(endOne, Qt::LeftButton);
        const QString question = m_console.answerConfirmation(true);
        QVERIFY2(question.startsWith(u"End the session from 198.51.100.4 (Browser 3"_s) &&
                     question.contains(u" of ben?"_s),
                 qPrintable(question));
        QTRY_COMPARE(page->sessionModel()->rowCount(), 2);
        QVERIFY(!page->sessionModel()->find(ended));
        QCOMPARE(liveSessions(ben), 2);
        QCOMPARE(consoleActions(ben), QStringList{u"session.ended"_s});

        QTRY_VERIFY(endAll->isEnabled());
        QTest::mouseClick(endAll, Qt::LeftButton);
        QVERIFY(m_console.answerConfirmation(true).startsWith(u"End every session of ben?"_s));
        QTRY_COMPARE(page->sessionModel()->rowCount(), 0);
        QCOMPARE(liveSessions(ben), 0);
        QStringList actions = consoleActions(ben);
        actions.sort(); // one fake-clock instant: the log's order between them is the ids'
        QCOMPARE(actions, (QStringList{u"session.ended"_s, u"sessions.revoked"_s}));
        QTRY_VERIFY(!endAll->isEnabled());

        // Live: a login elsewhere shows on the open page.
        m_worker.call(
            [&] { (void)core().sessions().login(u"ben"_s, kPassword, {u"192.0.2.9"_s}); });
        QTRY_COMPARE_WITH_TIMEOUT(page->sessionModel()->rowCount(), 1, 3000);
    }

    void resetLinkDisableAndEnable()
    {
        const QString cid = activeUser(u"cid"_s, 1);
        QVERIFY(!cid.isEmpty());
        UserPage *page = openFromUsersTab(cid);
        QVERIFY(page);
        auto *reset = button(page, u"resetLinkButton"_s);
        auto *disable = button(page, u"disableButton"_s);
        QVERIFY(reset && disable && reset->isEnabled());
        QTest::mouseClick(reset, Qt::LeftButton);
        QVERIFY(m_console.answerConfirmation(true).startsWith(
            u"Send cid a password reset link and code at cid@example.com?"_s));
        QTRY_VERIFY(mailKinds(cid).contains(u"password_reset"_s));
        QCOMPARE(consoleActions(cid), QStringList{u"password_reset.requested"_s});

        QCOMPARE(disable->text(), u"&Disable"_s);
        QTRY_VERIFY(disable->isEnabled());
        QTest::mouseClick(disable, Qt::LeftButton);
        QVERIFY(m_console.answerConfirmation(true).startsWith(u"Disable cid?"_s));
        QTRY_COMPARE(m_console.statusOf(cid), u"disabled"_s);
        QTRY_COMPARE(disable->text(), u"&Enable"_s);
        QCOMPARE(page->field(u"status"_s), u"Disabled"_s);
        QCOMPARE(page->sessionModel()->rowCount(), 0); // disabling ended the session
        QVERIFY(!reset->isEnabled());                  // no reset link for a disabled account
        QTest::mouseClick(disable, Qt::LeftButton);
        QVERIFY(m_console.answerConfirmation(true).startsWith(u"Enable cid?"_s));
        QTRY_COMPARE(m_console.statusOf(cid), u"active"_s);
        QTRY_COMPARE(disable->text(), u"&Disable"_s);
        QStringList actions = consoleActions(cid);
        actions.sort(); // one fake-clock instant: the log's order between them is the ids'
        QCOMPARE(actions, (QStringList{u"password_reset.requested"_s, u"user.disabled"_s,
                                       u"user.enabled"_s}));
        // The Users tab follows without a reload by hand.
        QTRY_VERIFY(m_window->usersPage()->model()->find(cid)->status ==
                    sd::core::AccountStatus::Active);
    }

    void deleteWithReasonWaitsOutTheUndoWindow()
    {
        m_console.stop();
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
        auto opts = m_console.options();
        opts.undoWindow = 400ms;
        QVERIFY(m_console.openWindow(opts));
        const QString dot = activeUser(u"dot"_s, 1);
        QVERIFY(!dot.isEmpty());
        UserPage *page = openFromUsersTab(dot);
        QVERIFY(page);
        auto *remove = button(page, u"deleteButton"_s);
        QVERIFY(remove && remove->isEnabled());
        const auto banner = [page] {
            auto *label = page->findChild<QLabel *>(u"undoLabel"_s);
            return label && label->isVisible() ? label->text() : QString();
        };

        // Asked for a reason, naming the account; then the undo window, named in the banner.
        QTest::mouseClick(remove, Qt::LeftButton);
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = page->findChild<sd::ui::ReasonDialog *>()));
        QCOMPARE(dialog->windowTitle(), u"Delete dot"_s);
        dialog->setReason(u"Asked to leave by phone."_s);
        dialog->accept();
        QVERIFY2(banner().startsWith(u"Deleting dot in"_s), qPrintable(banner()));
        QVERIFY(!remove->isEnabled());
        auto *undo = page->findChild<QPushButton *>(u"undoButton"_s);
        QVERIFY(undo && undo->isVisible());
        QSignalSpy due(page->pendingDeletion(), &sd::ui::PendingDecisions::due);
        QTest::mouseClick(undo, Qt::LeftButton);
        QVERIFY(page->pendingDeletion()->isEmpty());
        QVERIFY(!due.wait(1200)); // three windows go by: nothing falls due
        QCOMPARE(m_console.statusOf(dot), u"active"_s);
        QVERIFY(consoleActions(dot).isEmpty());
        QVERIFY(remove->isEnabled());

        // Again, and let it run out: deleted, audited as the console's, the goodbye queued.
        QTest::mouseClick(remove, Qt::LeftButton);
        QTRY_VERIFY((dialog = page->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Asked to leave by phone."_s);
        dialog->accept();
        QCOMPARE(m_console.statusOf(dot), u"active"_s); // not yet
        QTRY_COMPARE(m_console.statusOf(dot), u"gone"_s);
        QTRY_VERIFY(page->isGone());
        QVERIFY2(page->headerText().contains(u"dot no longer exists"_s),
                 qPrintable(page->headerText()));
        QVERIFY(!remove->isEnabled());
        QVERIFY(!button(page, u"resetLinkButton"_s)->isEnabled());
        QCOMPARE(consoleActions(dot), QStringList{u"account.deleted"_s});
        QTRY_VERIFY(!m_window->usersPage()->model()->find(dot));
        QVERIFY(page->errorText().isEmpty());
    }

    void deletionStillWaitingGoesThroughOnClose()
    {
        const QString eve = activeUser(u"eve"_s, 0);
        QVERIFY(!eve.isEmpty());
        UserPage *page = openFromUsersTab(eve);
        QVERIFY(page);
        QTest::mouseClick(button(page, u"deleteButton"_s), Qt::LeftButton);
        sd::ui::ReasonDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = page->findChild<sd::ui::ReasonDialog *>()));
        dialog->setReason(u"Duplicate."_s);
        dialog->accept();
        QVERIFY(!page->pendingDeletion()->isEmpty()); // the 10 s default window
        m_console.window.reset(); // the console closes: the admin's decision goes through
        QCOMPARE(m_console.statusOf(eve), u"gone"_s);
    }
};

QTEST_MAIN(TestUserPage)
#include "tst_userpage.moc"
