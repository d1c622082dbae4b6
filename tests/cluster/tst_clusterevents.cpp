// Two SignupDesk instances in one process on one (real) PostgreSQL database, each with its
// own Database, core and Events, as two processes would have: a signup posted over HTTP to
// instance A shows up in instance B's console (offscreen) without a refresh; an approval in
// B's console reaches A; every event is delivered once per instance (no echo); a rejection by
// the admin command (another process) reaches both; and B's listener comes back after
// PostgreSQL ends its connection. Every database call of the test itself runs on a worker
// thread.

#include "consoletest.h"
#include "httpclient.h"
#include "mailtext.h"
#include "testenv.h"
#include "testserver.h"
#include "testworker.h"

#include "sqlquery.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "invitationspage.h"
#include "mainwindow.h"
#include "signuptablemodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::SignupTableModel;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

// Every event one instance's Events object emitted, as "kind:userId", in the test's thread.
class Recorder : public QObject
{
public:
    explicit Recorder(sd::core::Events &events)
    {
        using sd::core::Events;
        const auto record = [&](auto signal, const QString &kind) {
            connect(
                &events, signal, this,
                [this, kind](const QString &id) { seen << kind + u':' + id; },
                Qt::QueuedConnection);
        };
        record(&Events::signupCreated, u"signupCreated"_s);
        record(&Events::emailVerified, u"emailVerified"_s);
        record(&Events::signupApproved, u"signupApproved"_s);
        record(&Events::signupRejected, u"signupRejected"_s);
        record(&Events::userLoggedIn, u"userLoggedIn"_s);
        record(&Events::passwordChanged, u"passwordChanged"_s);
        record(&Events::emailChanged, u"emailChanged"_s);
        record(&Events::sessionsEnded, u"sessionsEnded"_s);
        record(&Events::accountDeleted, u"accountDeleted"_s);
        record(&Events::invitationAccepted, u"invitationAccepted"_s);
        record(&Events::invitationChanged, u"invitationChanged"_s);
        connect(
            &events, &Events::remoteEventsMissed, this, [this] { ++missed; }, Qt::QueuedConnection);
    }
    int count(const QString &kind, const QString &id) const
    {
        return int(seen.count(kind + u':' + id));
    }

    QStringList seen;
    int missed = 0;
};

} // namespace

class TestClusterEvents : public QObject
{
    Q_OBJECT

private:
    Worker m_worker;
    QTemporaryDir m_dirB;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<TestServer> m_a;
    std::shared_ptr<sd::core::FakeClock> m_clockB = std::make_shared<sd::core::FakeClock>();
    std::unique_ptr<sd::app::Application> m_b;
    std::unique_ptr<Recorder> m_seenA, m_seenB;
    std::unique_ptr<sd::ui::MainWindow> m_consoleB;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    QString m_alice; // signed up at A, approved at B
    QString m_bob;   // signed up at B, rejected by the admin command

    SignupTableModel &modelB() { return *m_consoleB->signupModel(); }
    QString statusInB(const QString &id)
    {
        const int row = modelB().rowOf(id);
        return row < 0 ? QString()
                       : modelB().index(row, SignupTableModel::Status).data().toString();
    }

    // Signs up at the instance on `port` over HTTP; returns {user id, confirm token}.
    static std::pair<QString, QString> signUpOverHttp(quint16 port, const QString &name)
    {
        const HttpResult r = postJson(port, "/api/v1/signup",
                                      {{u"username"_s, name},
                                       {u"password"_s, kPassword},
                                       {u"email"_s, QString(name + u"@example.com"_s)}});
        if (r.status != 201)
            qWarning("signup answered %d: %s", r.status, r.body.constData());
        return {r.json().value(u"user_id"_s).toString(),
                r.json().value(u"confirm_token"_s).toString()};
    }

    // The token of a link to `page` in any mail as sent, by whichever instance's sender took it.
    QString mailedToken(const QString &page)
    {
        for (const QString &folder : {m_a->config().mailFolder, m_dirB.filePath(u"mail"_s)}) {
            const QDir dir(folder);
            for (const QString &file : dir.entryList({u"*.eml"_s}, QDir::Files)) {
                QFile f(dir.filePath(file));
                if (!f.open(QIODevice::ReadOnly))
                    continue;
                const QString mail = decodeMail(f.readAll());
                const auto m =
                    QRegularExpression(page + u"\\?token=([A-Za-z0-9_\\-]+)"_s).match(mail);
                if (m.hasMatch())
                    return m.captured(1);
            }
        }
        return QString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(!testenv::postgresUrl().isEmpty(),
                 "SIGNUPDESK_TEST_PG_URL is not set (run under CTest)");
        QVERIFY(m_dirB.isValid() && m_settingsDir.isValid());
        const auto configure = [](sd::core::Config &c) { c.returnConfirmToken = true; };
        QString error;
        m_a = m_worker.call([&] {
            auto a = std::make_unique<TestServer>(TestServer::Backend::Postgres, configure);
            if (!a->start(&error)) // resets the database first
                a.reset();
            return a;
        });
        QVERIFY2(m_a, qPrintable(error));
        // B: the same database, its own everything else.
        sd::core::Config configB = m_a->config();
        configB.mailFolder = m_dirB.filePath(u"mail"_s);
        m_b = std::make_unique<sd::app::Application>(configB, m_clockB);
        const auto started = m_worker.call([&] { return m_b->start(); });
        if (!started)
            QFAIL(qPrintable(started.error().detail));

        m_seenA = std::make_unique<Recorder>(m_a->app().core().events());
        m_seenB = std::make_unique<Recorder>(m_b->core().events());

        auto options = testConsoleOptions(*m_b, m_settingsDir.filePath(u"console.ini"_s));
        options.undoWindow = std::chrono::milliseconds(200); // approvals wait it out (CONSOLE.md)
        m_consoleB = std::make_unique<sd::ui::MainWindow>(m_b->core(), options);
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_consoleB->signupModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_consoleB->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_consoleB.get()));
        QTRY_VERIFY(m_consoleB->isLoaded());
    }

    void cleanupTestCase()
    {
        m_tester.reset();
        m_consoleB.reset();
        m_worker.call([this] {
            m_b.reset();
            m_a.reset();
        });
    }

    void bothInstancesListen()
    {
        sd::core::ClusterEvents *a = m_a->app().clusterEvents();
        sd::core::ClusterEvents *b = m_b->clusterEvents();
        QVERIFY(a && b);
        // start() waited for the LISTEN.
        QVERIFY(a->isListening());
        QVERIFY(b->isListening());
        QVERIFY(a->instanceId() != b->instanceId());
        QVERIFY(a->listenerBackendPid() != b->listenerBackendPid());
    }

    void signupAtAShowsInConsoleOfB()
    {
        QSignalSpy inserted(m_consoleB->signupModel(), &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(m_consoleB->signupModel(), &QAbstractItemModel::modelReset);
        const auto [id, token] = signUpOverHttp(m_a->port(), u"alice"_s);
        QVERIFY(!id.isEmpty());
        m_alice = id;
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"signupCreated"_s, id) == 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(statusInB(id), u"Pending verification"_s, 5000);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0); // one row, not a reload

        // The user confirms at A: B's row follows.
        const HttpResult c =
            postJson(m_a->port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        QCOMPARE(c.status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(statusInB(id), u"Pending approval"_s, 5000);
        QCOMPARE(m_seenB->count(u"emailVerified"_s, id), 1);
    }

    void approvalInConsoleOfBReachesA()
    {
        QVERIFY(!m_alice.isEmpty());
        m_consoleB->selectUsers({m_alice});
        m_consoleB->approveSelected();
        QTRY_VERIFY_WITH_TIMEOUT(m_seenA->count(u"signupApproved"_s, m_alice) == 1, 5000);
        QCOMPARE(m_seenB->count(u"signupApproved"_s, m_alice), 1);
        // Active: the row leaves B's list of pending signups (the paged model holds only the
        // rows its query selects).
        QTRY_VERIFY_WITH_TIMEOUT(statusInB(m_alice).isEmpty(), 5000);
    }

    void everyEventOncePerInstance()
    {
        // Markers both ways: PostgreSQL hands out notifications in commit order, so an echo of
        // the events above would arrive before these do.
        const QString fromB = signUpOverHttp(m_b->port(), u"bob"_s).first;
        m_bob = fromB;
        QTRY_VERIFY_WITH_TIMEOUT(m_seenA->count(u"signupCreated"_s, fromB) == 1, 5000);
        const QString fromA = signUpOverHttp(m_a->port(), u"carol"_s).first;
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"signupCreated"_s, fromA) == 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_seenA->count(u"signupCreated"_s, fromA) == 1, 5000);

        for (const Recorder *seen : {m_seenA.get(), m_seenB.get()}) {
            QCOMPARE(seen->count(u"signupCreated"_s, m_alice), 1);
            QCOMPARE(seen->count(u"emailVerified"_s, m_alice), 1);
            QCOMPARE(seen->count(u"signupApproved"_s, m_alice), 1);
            QCOMPARE(seen->count(u"signupCreated"_s, fromB), 1);
            QCOMPARE(seen->count(u"signupCreated"_s, fromA), 1);
            QCOMPARE(seen->missed, 0);
        }
    }

    void passwordAndEmailChangesReachOtherInstances()
    {
        QVERIFY(!m_alice.isEmpty()); // active since the approval at B
        const QString ust = postJson(m_a->port(), "/api/v1/login",
                                     {{u"username"_s, u"alice"_s}, {u"password"_s, kPassword}})
                                .json()
                                .value(u"ust"_s)
                                .toString();
        QVERIFY(!ust.isEmpty());
        const QString next = kPassword + u" again"_s;
        QCOMPARE(postJson(m_a->port(), "/api/v1/user/password",
                          {{u"current_password"_s, kPassword}, {u"new_password"_s, next}}, ust)
                     .status,
                 204);
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"passwordChanged"_s, m_alice) == 1, 5000);
        QCOMPARE(m_seenA->count(u"passwordChanged"_s, m_alice), 1);

        QCOMPARE(postJson(m_a->port(), "/api/v1/user/email",
                          {{u"new_email"_s, u"alice@new.example"_s}, {u"current_password"_s, next}},
                          ust)
                     .status,
                 202);
        const auto findToken = [&] { return mailedToken(u"confirm-email-change"_s); };
        QTRY_VERIFY_WITH_TIMEOUT(!findToken().isEmpty(), 5000);
        const QString token = findToken();
        // Confirmed at B: A hears of it.
        QCOMPARE(
            postJson(m_b->port(), "/api/v1/email-change/confirm", {{u"token"_s, token}}).status,
            200);
        QTRY_VERIFY_WITH_TIMEOUT(m_seenA->count(u"emailChanged"_s, m_alice) == 1, 5000);
        QCOMPARE(m_seenB->count(u"emailChanged"_s, m_alice), 1);
    }

    void adminCommandReachesRunningInstances()
    {
        QVERIFY(!m_bob.isEmpty());
        // B's own signup, in B's console.
        QTRY_COMPARE_WITH_TIMEOUT(statusInB(m_bob), u"Pending verification"_s, 5000);
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_DATA_HOME"_s, home.path());
        env.insert(u"SIGNUPDESK_DATABASE_URL"_s, testenv::postgresUrl());
        QProcess cli;
        cli.setProcessEnvironment(env);
        cli.start(testenv::signupdeskBinary(),
                  {u"admin"_s, u"signups"_s, u"reject"_s, m_bob, u"--reason"_s, u"spam"_s});
        QVERIFY(cli.waitForFinished(60'000));
        QCOMPARE(cli.exitCode(), 0);
        // The command has exited; its notification is in PostgreSQL's queue for both.
        QTRY_VERIFY_WITH_TIMEOUT(m_seenA->count(u"signupRejected"_s, m_bob) == 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"signupRejected"_s, m_bob) == 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(statusInB(m_bob).isEmpty(), 5000); // the row left B's console
    }

    void listenerComesBackAfterItsConnectionIsKilled()
    {
        sd::core::ClusterEvents *b = m_b->clusterEvents();
        const qint64 pid = b->listenerBackendPid();
        QVERIFY(pid != 0);
        QSignalSpy fetched(m_consoleB->signupModel(), &SignupTableModel::fetched);
        const bool terminated = m_worker.call([&] {
            auto db = m_a->app().database().connection();
            if (!db)
                return false;
            auto r = sd::store::runQuery(*db, u"SELECT pg_terminate_backend(?)"_s, {pid});
            return r && r->next() && r->value(0).toBool();
        });
        QVERIFY(terminated);
        QTRY_VERIFY_WITH_TIMEOUT(b->listenerBackendPid() != 0 && b->listenerBackendPid() != pid,
                                 5000);
        // Back: B reloads what it may have missed, and told A to do the same.
        QTRY_COMPARE_WITH_TIMEOUT(m_seenB->missed, 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_seenA->missed, 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(fetched.size() >= 1, 5000); // the console fetched its rows again

        // And it delivers again.
        const QString id = signUpOverHttp(m_a->port(), u"dave"_s).first;
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"signupCreated"_s, id) == 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(statusInB(id), u"Pending verification"_s, 5000);
    }

    // Issue 13: a session ended at A stops at B without waiting for B's session cache, and an
    // account deleted at A is announced at B.
    void sessionsEndedAtAStopAtB()
    {
        const QString id = m_worker.call([&] {
            auto r = m_a->app().core().signup().createSuperuser(u"erin"_s, u"erin@example.com"_s,
                                                                kPassword, {u"test"_s});
            return r ? r->id : QString();
        });
        QVERIFY(!id.isEmpty());
        const auto login = [&](quint16 port) {
            return postJson(port, "/api/v1/login",
                            {{u"username"_s, u"erin"_s}, {u"password"_s, kPassword}})
                .json()
                .value(u"ust"_s)
                .toString();
        };
        const QString atB = login(m_b->port());
        const QString atA = login(m_a->port());
        QCOMPARE(getJson(m_b->port(), "/api/v1/user/me", atB).status, 200); // cached at B
        QCOMPARE(postJson(m_a->port(), "/api/v1/user/sessions/revoke-others", {}, atA).status, 204);
        QTRY_COMPARE(m_seenB->count(u"sessionsEnded"_s, id), 1);
        QCOMPARE(getJson(m_b->port(), "/api/v1/user/me", atB).status, 401);
        QCOMPARE(getJson(m_a->port(), "/api/v1/user/me", atA).status, 200);
    }

    // Issue 13: an invitation made at A shows in B's console; its acceptance at A reaches B
    // (invitationAccepted, the row turns Accepted), and so does the account's deletion at A
    // (accountDeleted, the row leaves B's Users tab), all without a reload in B.
    void invitationAndDeletionReachOtherInstances()
    {
        sd::ui::InvitationsPage *invitationsB = m_consoleB->invitationsPage();
        m_consoleB->tabs()->setCurrentWidget(invitationsB);
        QTRY_VERIFY_WITH_TIMEOUT(invitationsB->isLoaded(), 5000);
        const QString invitation = m_worker.call([&] {
            sd::core::InvitationInput input;
            input.email = u"fay@example.com"_s;
            auto r = m_a->app().core().invitations().invite(input, {u"test"_s});
            return r ? r->id : QString();
        });
        QVERIFY(!invitation.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"invitationChanged"_s, invitation) == 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(invitationsB->model()->rowOf(invitation) >= 0, 5000);
        const auto statusInB = [&] {
            const int row = invitationsB->model()->rowOf(invitation);
            return row < 0 ? QString()
                           : invitationsB->model()
                                 ->index(row, sd::ui::InvitationTableModel::Status)
                                 .data()
                                 .toString();
        };
        QCOMPARE(statusInB(), u"Pending"_s);

        QTRY_VERIFY_WITH_TIMEOUT(!mailedToken(u"accept-invite"_s).isEmpty(), 5000);
        const HttpResult signup =
            postJson(m_a->port(), "/api/v1/signup",
                     {{u"invitation_token"_s, mailedToken(u"accept-invite"_s)},
                      {u"username"_s, u"fay"_s},
                      {u"password"_s, kPassword}});
        QCOMPARE(signup.status, 201);
        const QString fay = signup.json().value(u"user_id"_s).toString();
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"invitationAccepted"_s, fay) == 1, 5000);
        QCOMPARE(m_seenA->count(u"invitationAccepted"_s, fay), 1);
        QTRY_COMPARE_WITH_TIMEOUT(statusInB(), u"Accepted"_s, 5000);

        sd::ui::UsersPage *usersB = m_consoleB->usersPage();
        m_consoleB->tabs()->setCurrentWidget(usersB);
        QTRY_VERIFY_WITH_TIMEOUT(usersB->model()->rowOf(fay) >= 0, 5000);
        const QString ust = postJson(m_a->port(), "/api/v1/login",
                                     {{u"username"_s, u"fay"_s}, {u"password"_s, kPassword}})
                                .json()
                                .value(u"ust"_s)
                                .toString();
        QVERIFY(!ust.isEmpty());
        QCOMPARE(
            postJson(m_a->port(), "/api/v1/user/delete", {{u"current_password"_s, kPassword}}, ust)
                .status,
            204);
        QTRY_VERIFY_WITH_TIMEOUT(m_seenB->count(u"accountDeleted"_s, fay) == 1, 5000);
        QCOMPARE(m_seenA->count(u"accountDeleted"_s, fay), 1);
        QTRY_VERIFY_WITH_TIMEOUT(usersB->model()->rowOf(fay) < 0, 5000);
        m_consoleB->tabs()->setCurrentIndex(0);
    }

    void sqliteHasNoBridge()
    {
        const bool none = m_worker.call([] {
            TestServer server(TestServer::Backend::Sqlite);
            return server.start() && server.app().clusterEvents() == nullptr;
        });
        QVERIFY(none);
    }
};

QTEST_MAIN(TestClusterEvents)
#include "tst_clusterevents.moc"
