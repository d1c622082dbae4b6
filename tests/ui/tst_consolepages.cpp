// The Users, Outbox and Audit log tabs, offscreen, over an in-process SignupDesk (SQLite, fake
// clock): disable ends the sessions and is audited, enable and revoke; Hold keeps an email
// from the sender and Retry sends it; a dead email retried; the audit log filtered and
// exported. Every database call of the test runs on a worker thread.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "flows/oauth/oauthstore.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "mainwindow.h"
#include "rowfilterproxy.h"
#include "signuptablemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::KeyRole;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

} // namespace

class TestConsolePages : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    QTemporaryDir &m_dir = m_console.dir;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

    sd::core::CoreServices &core() { return m_server->app().core(); }

    // On the worker: a signup, verified and approved, logged in `sessions` times.
    QString activeUser(const QString &name, int sessions)
    {
        return m_worker.call([&] {
            sd::core::SignupInput input;
            input.username = name;
            input.password = kPassword;
            input.email = name + u"@example.com"_s;
            auto r = core().signup().signUp(input, {u"198.51.100.4"_s});
            if (!r)
                return QString();
            if (!core().verification().confirm(r->confirmToken))
                return QString();
            if (!core().approval().approve(r->userId, sd::core::Actor{u"cli"_s}))
                return QString();
            for (int i = 0; i < sessions; ++i)
                if (auto l = core().sessions().login(name, kPassword, {u"198.51.100.4"_s}); !l)
                    qWarning("login: %s", qPrintable(l.error().detail));
            return r->userId;
        });
    }

    QString statusOf(const QString &id)
    {
        return m_worker.call([&] {
            auto db = m_server->app().database().connection();
            auto a = sd::core::accountstore::findById(*db, id);
            return a && *a ? sd::core::toString((*a)->status) : u"gone"_s;
        });
    }

    QStringList consoleActions(const QString &subject)
    {
        return m_worker.call([&] {
            QStringList out;
            auto db = m_server->app().database().connection();
            if (auto all = sd::core::auditlog::list(*db, subject))
                for (const auto &e : *all)
                    if (e.actor == m_console.consoleActor())
                        out << e.action;
            return out;
        });
    }

    QString mailStatus(const QString &outboxId)
    {
        return m_worker.call([&] {
            auto db = m_server->app().database().connection();
            auto s = sd::mail::Outbox::statusOf(*db, outboxId);
            return s ? *s : u"error"_s;
        });
    }

    // On the worker: an email waiting out a retry backoff (due in an hour), as after a 421.
    QString queuedInBackoff(const QString &to)
    {
        return m_worker.call([&] {
            auto tx = sd::store::Transaction::begin(m_server->app().database());
            if (!tx)
                return QString();
            sd::mail::Message m;
            m.messageId = to + u"@signupdesk.test"_s;
            m.from = u"desk@example.com"_s;
            m.to = to;
            m.subject = u"Welcome aboard"_s;
            m.textBody = u"https://desk.example/login?token=SECRET"_s;
            m.htmlBody = m.textBody;
            const qint64 now = m_server->clock().nowMs();
            auto id = sd::mail::Outbox::enqueue(tx->db(), u"welcome"_s, {}, m, now);
            if (!id)
                return QString();
            auto later =
                sd::store::runQuery(tx->db(),
                                    u"UPDATE outbox SET attempts = 1, last_error = '421 try later',"
                                    " next_attempt_at = ? WHERE id = ?"_s,
                                    {now + 3'600'000, *id});
            if (!later || !tx->commit())
                return QString();
            return *id;
        });
    }

    int flushMail()
    {
        return m_worker.call([&] { return m_server->flushMail(); });
    }

    QString cell(const QAbstractItemModel *m, const QString &key, int column)
    {
        return keyedCell(m, key, column);
    }

private slots:
    void init()
    {
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
        QVERIFY(m_console.openWindow(m_console.options(), {}, [this](sd::ui::MainWindow &window) {
            for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *>{
                     window.usersPage()->model(), window.usersPage()->proxy(),
                     window.usersPage()->identityModel(), window.outboxPage()->model(),
                     window.outboxPage()->proxy(), window.auditPage()->model(),
                     window.auditPage()->proxy()})
                m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
                    m, QAbstractItemModelTester::FailureReportingMode::QtTest));
        }));
    }

    void cleanup()
    {
        m_testers.clear();
        m_console.stop();
    }

    void disableEndsSessionsEnableAndRevoke()
    {
        const QString ann = activeUser(u"ann"_s, 2);
        const QString ben = activeUser(u"ben"_s, 1);
        QVERIFY(!ann.isEmpty() && !ben.isEmpty());
        sd::ui::UsersPage *page = m_window->usersPage();
        QVERIFY(!page->isLoaded()); // hidden tabs do not load
        // The Signups tab shows every status, so ann's row stays in it when disabled.
        m_window->statusFilter()->setCurrentIndex(m_window->statusFilter()->count() - 1); // All
        QTRY_VERIFY(m_window->signupModel()->signup(ann));
        m_window->tabs()->setCurrentWidget(page);
        QTRY_VERIFY(page->isLoaded());
        auto *model = page->model();
        QTRY_COMPARE(cell(model, ann, sd::ui::UserTableModel::Sessions), u"2"_s);
        QCOMPARE(cell(model, ann, sd::ui::UserTableModel::Status), u"Active"_s);

        selectKey(page->view(), ann);
        auto *disable = page->findChild<QAction *>(u"disableUserAction"_s);
        QVERIFY(disable && disable->isEnabled());
        // Asked first, by name: Cancel leaves the account alone.
        QTest::keyClick(page->view(), Qt::Key_D);
        QVERIFY(m_console.answerConfirmation(false).contains(u"ann"_s));
        QCOMPARE(statusOf(ann), u"active"_s);
        QTest::keyClick(page->view(), Qt::Key_D);
        QVERIFY(m_console.answerConfirmation(true).startsWith(u"Disable ann?"_s));
        QTRY_COMPARE(statusOf(ann), u"disabled"_s);
        QTRY_COMPARE(cell(model, ann, sd::ui::UserTableModel::Status), u"Disabled"_s);
        QCOMPARE(cell(model, ann, sd::ui::UserTableModel::Sessions), u"0"_s);
        QCOMPARE(consoleActions(ann), QStringList{u"user.disabled"_s});
        // A disabled account cannot log in.
        const auto login = m_worker.call([&] {
            return core().sessions().login(u"ann"_s, kPassword, {u"198.51.100.4"_s}).has_value();
        });
        QVERIFY(!login);
        // The Signups tab's row follows (without a core event).
        const auto signupStatus = [&] {
            const auto *r = m_window->signupModel()->signup(ann);
            return r ? sd::core::toString(r->account.status) : u"none"_s;
        };
        QTRY_COMPARE(signupStatus(), u"disabled"_s);

        auto *enable = page->findChild<QAction *>(u"enableUserAction"_s);
        QTRY_VERIFY(enable->isEnabled());
        QVERIFY(!disable->isEnabled());
        QTest::keyClick(page->view(), Qt::Key_E);
        QVERIFY(m_console.answerConfirmation(true).startsWith(u"Enable ann?"_s));
        QTRY_COMPARE(statusOf(ann), u"active"_s);
        QTRY_COMPARE(cell(model, ann, sd::ui::UserTableModel::Status), u"Active"_s);
        QStringList actions = consoleActions(ann);
        actions.sort(); // one fake-clock instant: the log's order between them is the ids'
        QCOMPARE(actions, (QStringList{u"user.disabled"_s, u"user.enabled"_s}));

        selectKey(page->view(), ben);
        QTest::keyClick(page->view(), Qt::Key_K);
        QVERIFY(m_console.answerConfirmation(true).contains(u"ben"_s));
        QTRY_COMPARE(cell(model, ben, sd::ui::UserTableModel::Sessions), u"0"_s);
        QCOMPARE(statusOf(ben), u"active"_s);
        QCOMPARE(consoleActions(ben), QStringList{u"sessions.revoked"_s});

        // Enable on an active account is refused by core, not only by the greyed action.
        const auto again = m_worker.call([&] {
            auto r = core().userAdmin().enable(ben, sd::core::Actor{u"console"_s});
            return r ? sd::core::ErrorCode::Internal : r.error().code;
        });
        QCOMPARE(again, sd::core::ErrorCode::Conflict);
        QVERIFY(m_window->errorText().isEmpty());

        // Live: a new login shows up in the session count.
        m_worker.call(
            [&] { (void)core().sessions().login(u"ben"_s, kPassword, {u"198.51.100.4"_s}); });
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, ben, sd::ui::UserTableModel::Sessions), u"1"_s, 2000);
    }

    void linkedIdentitiesAndUnlink()
    {
        const QString gus = activeUser(u"gus"_s, 0);
        const QString hal = activeUser(u"hal"_s, 0);
        QVERIFY(!gus.isEmpty() && !hal.isEmpty());
        const qint64 now = m_server->clock().nowMs();
        const bool inserted = m_worker.call([&] {
            auto db = m_server->app().database().connection();
            bool ok = true;
            for (const sd::core::OAuthIdentityRow &row :
                 {sd::core::OAuthIdentityRow{u"oid_gh"_s, gus, u"github"_s, u"4242"_s,
                                             u"gus@users.noreply.example"_s, now},
                  sd::core::OAuthIdentityRow{u"oid_go"_s, gus, u"google"_s, u"g-77"_s,
                                             u"gus@example.com"_s, now + 1000},
                  sd::core::OAuthIdentityRow{u"oid_hal"_s, hal, u"github"_s, u"99"_s,
                                             u"hal@example.com"_s, now}})
                ok &= sd::core::oauthstore::insertIdentity(*db, row).has_value();
            return ok;
        });
        QVERIFY(inserted);

        sd::ui::UsersPage *page = m_window->usersPage();
        m_window->tabs()->setCurrentWidget(page);
        QTRY_VERIFY(page->model()->rowOf(gus) >= 0);
        QSignalSpy loaded(page, &sd::ui::UsersPage::identitiesLoaded);
        selectKey(page->view(), gus);
        QTRY_COMPARE(page->identitiesUserId(), gus);
        auto *identities = page->identityModel();
        QCOMPARE(identities->rowCount(), 2);
        QCOMPARE(cell(identities, u"oid_gh"_s, sd::ui::IdentityTableModel::Provider), u"GitHub"_s);
        QCOMPARE(cell(identities, u"oid_go"_s, sd::ui::IdentityTableModel::Email),
                 u"gus@example.com"_s);
        QVERIFY(!cell(identities, u"oid_gh"_s, sd::ui::IdentityTableModel::LinkedSince).isEmpty());

        auto *unlink = page->findChild<QAction *>(u"unlinkIdentityAction"_s);
        QVERIFY(unlink && !unlink->isEnabled()); // nothing selected in the pane yet
        selectKey(page->identityView(), u"oid_gh"_s);
        QVERIFY(unlink->isEnabled());
        QTest::keyClick(page->identityView(), Qt::Key_Delete);
        QVERIFY(m_console.answerConfirmation(true).startsWith(
            u"Unlink GitHub (gus@users.noreply.example) from gus?"_s));
        QTRY_COMPARE(identities->rowCount(), 1);
        QCOMPARE(identities->rows().constFirst().id, u"oid_go"_s);
        QCOMPARE(consoleActions(gus), QStringList{u"oauth.unlinked"_s});
        QVERIFY(m_window->errorText().isEmpty());

        // Core refuses an identity of another account, and one already unlinked.
        const auto refused = m_worker.call([&] {
            sd::core::UserAdminService users = core().userAdmin();
            const sd::core::Actor console{u"console"_s};
            auto other = users.unlinkIdentity(gus, u"oid_hal"_s, console);
            auto again = users.unlinkIdentity(gus, u"oid_gh"_s, console);
            return QList<sd::core::ErrorCode>{
                other ? sd::core::ErrorCode::Internal : other.error().code,
                again ? sd::core::ErrorCode::Internal : again.error().code};
        });
        QCOMPARE(refused, (QList<sd::core::ErrorCode>{sd::core::ErrorCode::NotFound,
                                                      sd::core::ErrorCode::NotFound}));
        QCOMPARE(consoleActions(gus), QStringList{u"oauth.unlinked"_s}); // nothing else recorded
        const int halIdentities = m_worker.call([&] {
            auto db = m_server->app().database().connection();
            return int(sd::core::oauthstore::identitiesOf(*db, hal)->size());
        });
        QCOMPARE(halIdentities, 1);

        // Another account: the pane follows the current row.
        selectKey(page->view(), hal);
        QTRY_COMPARE(page->identitiesUserId(), hal);
        QCOMPARE(identities->rowCount(), 1);
        QVERIFY(loaded.size() >= 2);
    }

    void holdKeepsMailBackAndRetrySendsIt()
    {
        const QString welcome = queuedInBackoff(u"cid@example.com"_s);
        QVERIFY(!welcome.isEmpty());
        sd::ui::OutboxPage *page = m_window->outboxPage();
        m_window->tabs()->setCurrentWidget(page);
        QTRY_COMPARE(page->model()->rowOf(welcome) >= 0, true);
        QVERIFY(cell(page->model(), welcome, sd::ui::OutboxTableModel::Status)
                    .startsWith(u"Queued, retry in"_s));

        selectKey(page->view(), welcome);
        QVERIFY(page->previewText().contains(u"To: cid@example.com"_s));
        QVERIFY(page->previewText().contains(u"421 try later"_s));
        QVERIFY(!page->previewText().contains(u"SECRET"_s));
        QTest::keyClick(page->view(), Qt::Key_H);
        QTRY_COMPARE(mailStatus(welcome), u"held"_s);
        QTRY_COMPARE(cell(page->model(), welcome, sd::ui::OutboxTableModel::Status), u"Held"_s);
        QCOMPARE(consoleActions(welcome), QStringList{u"mail.held"_s});

        // The sender skips a held email even once it is due.
        m_worker.call([&] { m_server->clock().advanceSeconds(2 * 3600); });
        QCOMPARE(flushMail(), 0);
        QCOMPARE(mailStatus(welcome), u"held"_s);

        // Retry: due now, and sent.
        QTest::keyClick(page->view(), Qt::Key_R);
        QTRY_VERIFY(mailStatus(welcome) != u"held"_s);
        flushMail();
        QTRY_COMPARE(mailStatus(welcome), u"sent"_s);
        QTRY_VERIFY(
            cell(page->model(), welcome, sd::ui::OutboxTableModel::Status).startsWith(u"Sent"_s));
        QTRY_VERIFY(page->previewText().contains(u"redacted after sending"_s));
        QCOMPARE(consoleActions(welcome), (QStringList{u"mail.held"_s, u"mail.retried"_s}));
        QVERIFY(m_window->errorText().isEmpty());
    }

    void outboxPreviewHidesOnlySecrets()
    {
        struct Sent
        {
            QString verification, welcome, rejection, token;
        };
        const Sent sent = m_worker.call([&] {
            Sent out;
            const auto signUp = [&](const QString &name) {
                sd::core::SignupInput input;
                input.username = name;
                input.password = kPassword;
                input.email = name + u"@example.com"_s;
                return core().signup().signUp(input, {u"198.51.100.4"_s});
            };
            const sd::core::Actor cli{u"cli"_s};
            auto vera = signUp(u"vera"_s);
            auto walt = signUp(u"walt"_s);
            auto xena = signUp(u"xena"_s);
            if (!vera || !walt || !xena || !core().verification().confirm(walt->confirmToken) ||
                !core().verification().confirm(xena->confirmToken) ||
                !core().approval().approve(walt->userId, cli) ||
                !core().approval().reject(xena->userId, u"Looks like a bot."_s, cli))
                return out;
            out.token = vera->confirmToken;
            if (auto all = sd::mail::Outbox::list(m_server->app().database()))
                for (const auto &e : *all) {
                    if (e.kind == u"verification"_s && e.userId == vera->userId)
                        out.verification = e.id;
                    else if (e.kind == u"welcome"_s)
                        out.welcome = e.id;
                    else if (e.kind == u"rejection"_s)
                        out.rejection = e.id;
                }
            return out;
        });
        QVERIFY(!sent.verification.isEmpty() && !sent.welcome.isEmpty() &&
                !sent.rejection.isEmpty() && !sent.token.isEmpty());
        flushMail(); // sent: the bodies are redacted, the previews stay
        QTRY_COMPARE(mailStatus(sent.rejection), u"sent"_s);

        sd::ui::OutboxPage *page = m_window->outboxPage();
        m_window->tabs()->setCurrentWidget(page);
        QTRY_VERIFY(page->model()->rowOf(sent.rejection) >= 0);
        QTRY_VERIFY(cell(page->model(), sent.rejection, sd::ui::OutboxTableModel::Status)
                        .startsWith(u"Sent"_s));

        selectKey(page->view(), sent.rejection);
        QTRY_VERIFY2(page->previewText().contains(u"Looks like a bot."_s),
                     qPrintable(page->previewText()));
        selectKey(page->view(), sent.welcome);
        QTRY_VERIFY2(page->previewText().contains(u"your account walt is active"_s),
                     qPrintable(page->previewText()));
        selectKey(page->view(), sent.verification);
        QTRY_VERIFY2(page->previewText().contains(u"please confirm your email address"_s),
                     qPrintable(page->previewText()));
        const QString verification = page->previewText();
        QVERIFY(verification.contains(u"[link with a token: hidden]"_s));
        QVERIFY(verification.contains(u"[code: hidden]"_s));
        QVERIFY(!verification.contains(sent.token));
        QVERIFY(!verification.contains(u"token="_s));
        QVERIFY(!verification.contains(u"http"_s));
    }

    void deadMailRetriedIsDueNow()
    {
        const QString id = activeUser(u"dee"_s, 0);
        const QString verification = m_worker.call([&] {
            auto all = sd::mail::Outbox::list(m_server->app().database(), id);
            QString out;
            for (const auto &e : *all)
                if (e.kind.startsWith(u"verification"_s))
                    out = e.id;
            return out;
        });
        // The sender thread may hold this email right now: let it finish first, or its
        // "sent" lands after (and over) the "dead" below, and the filter never shows the row.
        flushMail();
        QTRY_COMPARE(mailStatus(verification), u"sent"_s);
        m_worker.call([&] {
            // As the sender leaves a message after its last failure.
            auto db = m_server->app().database().connection();
            (void)sd::store::runQuery(
                *db,
                u"UPDATE outbox SET status = 'dead', attempts = 8,"
                " last_error = '550 no such user', next_attempt_at = ? WHERE id = ?"_s,
                {m_server->clock().nowMs() + 3'600'000, verification});
        });
        sd::ui::OutboxPage *page = m_window->outboxPage();
        m_window->tabs()->setCurrentWidget(page);
        page->filter()->setCurrentIndex(2); // failed for good
        QTRY_COMPARE(page->proxy()->rowCount(), 1);
        QCOMPARE(cell(page->proxy(), verification, sd::ui::OutboxTableModel::LastError),
                 u"550 no such user"_s);
        selectKey(page->view(), verification);
        auto *hold = page->findChild<QAction *>(u"holdMailAction"_s);
        QVERIFY(!hold->isEnabled()); // only a queued email can be held
        QTest::keyClick(page->view(), Qt::Key_R);
        QTRY_COMPARE(page->proxy()->rowCount(), 0); // left the "failed" filter
        QTRY_COMPARE(
            mailStatus(verification) == u"queued"_s || mailStatus(verification) == u"sent"_s, true);
        flushMail(); // due now, not in an hour
        QTRY_COMPARE(mailStatus(verification), u"sent"_s);
    }

    void auditFilterAndCsvExport()
    {
        const QString eve = activeUser(u"eve"_s, 0);
        sd::ui::AuditPage *page = m_window->auditPage();
        m_window->tabs()->setCurrentWidget(page);
        QTRY_VERIFY(page->model()->rowCount() >= 3); // created, verified, approved
        // The filter offers readable labels, the code in their tooltips.
        const int approved = page->filter()->findData(QStringList{u"signup.approved"_s});
        QVERIFY(approved > 0);
        QCOMPARE(page->filter()->itemText(approved), u"Approved"_s);
        page->filter()->setCurrentIndex(approved);
        QCOMPARE(page->proxy()->rowCount(), 1);
        QCOMPARE(page->proxy()->index(0, sd::ui::AuditTableModel::Actor).data().toString(),
                 u"command line"_s); // the test's own Actor{"cli"}: no person
        QCOMPARE(page->proxy()->index(0, sd::ui::AuditTableModel::Action).data().toString(),
                 u"Approved"_s);
        QCOMPARE(page->proxy()->index(0, sd::ui::AuditTableModel::Action).data(Qt::ToolTipRole),
                 QVariant(u"signup.approved"_s));
        page->filter()->setCurrentIndex(0);
        page->searchField()->setText(eve);
        QVERIFY(page->proxy()->rowCount() >= 3);

        const QString path = m_dir.filePath(u"audit.csv"_s);
        QSignalSpy exported(page, &sd::ui::AuditPage::exported);
        page->exportCsv(path);
        QTRY_COMPARE(exported.size(), 1);
        QCOMPARE(exported.at(0).at(0).toBool(), true);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString csv = QString::fromUtf8(file.readAll());
        QVERIFY(csv.startsWith(u"time_utc,actor,action,subject,detail,id\r\n"_s));
        QCOMPARE(csv.count(u"\r\n"_s), page->proxy()->rowCount() + 1);
        QVERIFY(csv.contains(u",signup.approved,"_s + eve));
        QVERIFY(!csv.contains(kPassword));

        // Live: a new entry arrives while the tab is shown.
        const int before = page->model()->rowCount();
        activeUser(u"fay"_s, 0);
        QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() > before, 2000);
    }
};

QTEST_MAIN(TestConsolePages)
#include "tst_consolepages.moc"
