// Live settings over real HTTP: a change (the console's panic switch goes through the same
// SettingsService) holds at once on the instance that made it, and reaches a second instance
// on the same database within its refresh time; it survives a restart; it is audited.
// Built twice: on SQLite (two instances on one file) and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "httpclient.h"
#include "testbackend.h"
#include "testserver.h"

#include "audit/auditlog.h"
#include "sqlquery.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

#include "apiflows.h"

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
const sd::core::Actor kConsole{u"console"_s};

} // namespace

class TestLiveSettings : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;          // instance A
    std::unique_ptr<sd::app::Application> m_other; // instance B, on A's database
    int m_counter = 0;

    sd::core::CoreServices &core() { return m_server->app().core(); }

    // A second instance on the same database, its own port and mail folder.
    std::unique_ptr<sd::app::Application> startInstance()
    {
        sd::core::Config config = m_server->config();
        config.mailFolder = m_server->dataDir() + u"/mail-"_s + QString::number(++m_counter);
        auto app =
            std::make_unique<sd::app::Application>(config, std::make_shared<sd::core::FakeClock>());
        auto url = app->start();
        if (!url) {
            qWarning("second instance: %s", qPrintable(url.error().detail));
            return {};
        }
        return app;
    }

    // A fresh signup on `port`: its status code (201, or 403 when closed).
    HttpResult signUp(quint16 port)
    {
        const QString name = u"user%1"_s.arg(++m_counter);
        return postJson(port, "/api/v1/signup",
                        testflows::signupBody(name, name + u"@example.com"_s));
    }

    // Signs up and confirms on `port`: the confirm answer's "approval".
    QString approvalAfterConfirm(quint16 port)
    {
        const HttpResult r = signUp(port);
        if (r.status != 201)
            return u"signup answered %1"_s.arg(r.status);
        const HttpResult c = postJson(port, "/api/v1/signup/confirm",
                                      {{u"confirm_token"_s, r.json().value(u"confirm_token"_s)}});
        return c.json().value(u"approval"_s).toString();
    }

    QStringList auditActions(const QString &actor)
    {
        QStringList actions;
        auto db = m_server->app().database().connection();
        if (auto all = sd::core::auditlog::list(*db))
            for (const auto &e : *all)
                if (e.actor == actor)
                    actions << e.action;
        return actions;
    }

private slots:
    void init()
    {
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            // PostgreSQL instances hear of a change over NOTIFY: no poll may hide a lost one.
            c.settingsPollMsPostgres = 600'000;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        m_other = startInstance();
        QVERIFY(m_other);
    }

    void cleanup()
    {
        if (m_other)
            m_other->stop();
        m_other.reset();
        m_server.reset();
    }

    void closingSignupHoldsAtOnceAndReachesEveryInstance()
    {
        QCOMPARE(signUp(m_server->port()).status, 201);
        QCOMPARE(signUp(m_other->port()).status, 201);

        auto closed = core().settings().setSignupOpen(false, kConsole);
        QVERIFY2(closed, qPrintable(closed ? QString() : closed.error().detail));
        QCOMPARE(closed->signupEnabled, false);
        // This instance: the very next signup.
        const HttpResult refused = signUp(m_server->port());
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.errorCode(), u"signup_disabled"_s);
        // The other one: at its next refresh (every second).
        QTRY_COMPARE_WITH_TIMEOUT(signUp(m_other->port()).status, 403, 10000);
        QCOMPARE(signUp(m_other->port()).errorCode(), u"signup_disabled"_s);
        QCOMPARE(auditActions(u"console"_s), QStringList{u"signup.closed"_s});

        // Persisted: an instance started afterwards, from a config that says enabled, is closed.
        QVERIFY(m_server->config().signupEnabled);
        auto third = startInstance();
        QVERIFY(third);
        QCOMPARE(third->core().settings().current()->signupEnabled, false);
        QCOMPARE(signUp(third->port()).status, 403);
        third->stop();

        m_server->clock().advanceSeconds(1); // audit entries list in time order
        QVERIFY(core().settings().setSignupOpen(true, kConsole));
        QCOMPARE(signUp(m_server->port()).status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(signUp(m_other->port()).status, 201, 10000);
        QCOMPARE(auditActions(u"console"_s),
                 (QStringList{u"signup.closed"_s, u"signup.reopened"_s}));
    }

#ifdef SD_TEST_BACKEND_PG
    // Issue 16: with polling, another instance took signups for up to a second after a close.
    // Over NOTIFY it re-reads at once (the poll is ten minutes here).
    void closingReachesAnotherInstanceAtOnce()
    {
        QVERIFY(m_other->core().settings().current()->signupEnabled);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(core().settings().setSignupOpen(false, kConsole));
        QTRY_VERIFY_WITH_TIMEOUT(!m_other->core().settings().current()->signupEnabled, 5000);
        qInfo("the other instance closed after %lld ms", timer.elapsed());
        QCOMPARE(signUp(m_other->port()).status, 403);
        QVERIFY(core().settings().setSignupOpen(true, kConsole));
        QTRY_VERIFY_WITH_TIMEOUT(m_other->core().settings().current()->signupEnabled, 5000);
    }
#endif

    void approvalRequiredChangesTheNextSignup()
    {
        QCOMPARE(approvalAfterConfirm(m_server->port()), u"pending"_s);
        QVERIFY(core().settings().setApprovalRequired(false, kConsole));
        QCOMPARE(approvalAfterConfirm(m_server->port()), u"not_required"_s);
        QTRY_COMPARE_WITH_TIMEOUT(approvalAfterConfirm(m_other->port()), u"not_required"_s, 10000);
        m_server->clock().advanceSeconds(1);
        QVERIFY(core().settings().setApprovalRequired(true, kConsole));
        QCOMPARE(approvalAfterConfirm(m_server->port()), u"pending"_s);
        QCOMPARE(auditActions(u"console"_s),
                 (QStringList{u"approval.relaxed"_s, u"approval.forced"_s}));
    }

    void appsAndLifetimesApplyLive()
    {
        auto changed = core().settings().change(
            {{u"signup/apps"_s, u"shop,forum"_s}, {u"verification/ttl_seconds"_s, u"600"_s}},
            kConsole);
        QVERIFY2(changed, qPrintable(changed ? QString() : changed.error().detail));
        const QString name = u"appuser"_s;
        HttpResult r = postJson(m_server->port(), "/api/v1/signup",
                                {{u"username"_s, name},
                                 {u"password"_s, kPassword},
                                 {u"email"_s, QString(name + u"@example.com"_s)},
                                 {u"current_app"_s, u"default"_s}});
        QCOMPARE(r.status, 400); // "default" is no longer an app
        r = postJson(m_server->port(), "/api/v1/signup",
                     {{u"username"_s, name},
                      {u"password"_s, kPassword},
                      {u"email"_s, QString(name + u"@example.com"_s)},
                      {u"current_app"_s, u"forum"_s}});
        QCOMPARE(r.status, 201);
        // The token expires 600 s after it was issued, as the live setting says.
        auto db = m_server->app().database().connection();
        auto q = sd::store::runQuery(
            *db, u"SELECT expires_at - created_at FROM tokens WHERE user_id = ?"_s,
            {r.json().value(u"user_id"_s).toString()});
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toLongLong(), 600'000);
        QCOMPARE(auditActions(u"console"_s), QStringList{u"settings.changed"_s});
    }

    void invalidChangesAreRefused_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("no app") << u"signup/apps"_s << QString();
        QTest::newRow("not a flag") << u"signup/enabled"_s << u"maybe"_s;
        QTest::newRow("ttl zero") << u"session/ttl_seconds"_s << u"0"_s;
        QTest::newRow("not live") << u"server/port"_s << u"1234"_s;
    }

    void invalidChangesAreRefused()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        auto r = core().settings().change({{key, value}}, kConsole);
        QVERIFY(!r);
        QCOMPARE(r.error().code, sd::core::ErrorCode::Validation);
        QVERIFY2(r.error().detail.contains(key), qPrintable(r.error().detail));
        QVERIFY(auditActions(u"console"_s).isEmpty());
        QCOMPARE(signUp(m_server->port()).status, 201);
    }

    void unreadableStoredValueIsIgnored()
    {
        // A row this build cannot read (a newer version's, say) leaves the others in force.
        // The instance's own refresher may read the rows first: either one warns.
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"ignoring the stored session/ttl_seconds"_s));
        {
            auto db = m_server->app().database().connection();
            QVERIFY(sd::store::runQuery(
                *db, u"INSERT INTO settings (key, value, updated_at, updated_by)"
                     " VALUES ('session/ttl_seconds', 'forever', 0, 'x'),"
                     " ('signup/enabled', 'false', 0, 'x'), ('future/key', 'y', 0, 'x')"_s));
        }
        QVERIFY(core().settings().refresh());
        QTRY_COMPARE(core().settings().current()->signupEnabled, false);
        QCOMPARE(core().settings().current()->sessionTtlSeconds,
                 m_server->config().sessionTtlSeconds);
        QCOMPARE(signUp(m_server->port()).status, 403);
        // Read again, nothing changed: no second warning, no change reported.
        auto again = core().settings().refresh();
        QVERIFY(again && !*again);
    }
};

QTEST_GUILESS_MAIN(TestLiveSettings)
#include "tst_livesettings.moc"
