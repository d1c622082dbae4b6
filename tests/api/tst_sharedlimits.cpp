// Issue 16 item 1: two instances on one PostgreSQL database (a TestServer and a second
// Application on the same database and the same fake clock) enforce one set of rate limits and
// lockouts, over real HTTP: wrong passwords alternated over both hit one limit (10, not 20), a
// lockout started on A holds on B, the per-address signup limit holds across both; expired
// rows are purged; GET /api/v1/user/me counts nothing.

#include "context.h"
#include "httpclient.h"
#include "testenv.h"
#include "testserver.h"

#include "apiflows.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
using testflows::kPassword;
using testflows::signupBody;
const QString kWrong = u"wrong password, clearly"_s;
} // namespace

class TestSharedLimits : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_a;
    QTemporaryDir m_dirB;
    std::unique_ptr<sd::app::Application> m_b;

    // A and B on the PostgreSQL test database, every limit on, `configure` applied to both.
    void startBoth(const std::function<void(sd::core::Config &)> &configure)
    {
        QVERIFY2(!testenv::postgresUrl().isEmpty(),
                 "SIGNUPDESK_TEST_PG_URL is not set (run under CTest)");
        m_a = std::make_unique<TestServer>(TestServer::Backend::Postgres, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.rateLimitEnabled = true;
            configure(c);
        });
        QString error;
        QVERIFY2(m_a->start(&error), qPrintable(error)); // resets the database first
        sd::core::Config configB = m_a->config();
        configB.mailFolder = m_dirB.filePath(u"mail"_s);
        m_b = std::make_unique<sd::app::Application>(configB, m_a->sharedClock());
        const auto started = m_b->start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().detail));
        QVERIFY(m_a->app().core().context().limiter.isShared());
        QVERIFY(m_b->core().context().limiter.isShared());
    }
    quint16 portA() const { return m_a->port(); }
    quint16 portB() const { return m_b->port(); }
    quint16 portOf(int i) const { return i % 2 == 0 ? portA() : portB(); }
    sd::core::FakeClock &clock() { return m_a->clock(); }

    HttpResult login(quint16 port, const QString &username, const QString &password)
    {
        return postJson(port, "/api/v1/login",
                        {{u"username"_s, username}, {u"password"_s, password}});
    }
    int count(const QString &sql)
    {
        auto db = m_a->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

private slots:
    void cleanup()
    {
        if (m_b)
            m_b->stop();
        m_b.reset();
        m_a.reset();
    }

    // The measurement: 20 wrong passwords alternated over two instances got 20
    // attempts through. Now the tenth is the last one checked, whichever instance answers.
    void wrongPasswordsOverBothInstancesHitOneLimit()
    {
        startBoth([](sd::core::Config &c) {
            c.lockoutEnabled = false; // the window alone
            c.loginFailuresPerWindow = 10;
            c.requestsPerAddressPerMinute = 1'000'000;
        });
        testflows::confirmedUser(portA(), u"amy"_s);
        const quint64 hashesBefore =
            m_a->app().core().hasher().hashCount() + m_b->core().hasher().hashCount();
        QList<int> statuses;
        for (int i = 0; i < 20; ++i)
            statuses << login(portOf(i), u"amy"_s, kWrong).status;
        QCOMPARE(statuses.count(401), 10);
        QCOMPARE(statuses.count(429), 10);
        QCOMPARE(statuses.mid(0, 10), QList<int>(10, 401));
        const quint64 hashes = m_a->app().core().hasher().hashCount() +
                               m_b->core().hasher().hashCount() - hashesBefore;
        QCOMPARE(hashes, quint64(10)); // a refused attempt hashes nothing
        // Even the right password waits on either instance, until the window ends.
        QCOMPARE(login(portA(), u"amy"_s, kPassword).status, 429);
        QCOMPARE(login(portB(), u"amy"_s, kPassword).status, 429);
        clock().advanceSeconds(m_a->config().loginFailureWindowSeconds);
        QCOMPARE(login(portB(), u"amy"_s, kPassword).status, 200);
        // The success on B forgot the window for A too.
        QCOMPARE(count(u"SELECT count(*) FROM rate_windows WHERE key = 'login:amy'"_s), 0);
    }

    // The measurement: two quick failures on A locked A while the right password
    // logged in on B.
    void lockoutOnAHoldsOnB()
    {
        startBoth([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1'000'000; });
        testflows::confirmedUser(portA(), u"ben"_s);
        QCOMPARE(login(portA(), u"ben"_s, kWrong).status, 401);
        clock().advanceMs(500);
        QCOMPARE(login(portA(), u"ben"_s, kWrong).status, 401); // quick: locked for 60 s
        QCOMPARE(m_b->core().context().limiter.lockedFor(u"login:ben"_s),
                 m_a->config().quickLoginMinWaitSeconds);
        QCOMPARE(m_b->core().context().limiter.failureCount(u"login:ben"_s), 2);
        const HttpResult onB = login(portB(), u"ben"_s, kPassword);
        QCOMPARE(onB.status, 401);
        QCOMPARE(onB.errorCode(), u"invalid_credentials"_s);
        clock().advanceSeconds(59);
        QCOMPARE(login(portB(), u"ben"_s, kPassword).status, 401);
        clock().advanceSeconds(1);
        QCOMPARE(login(portB(), u"ben"_s, kPassword).status, 200);
        // A success on B forgets the failures on A as well: one more failure is no lock.
        clock().advanceSeconds(2);
        QCOMPARE(login(portA(), u"ben"_s, kWrong).status, 401);
        QCOMPARE(m_a->app().core().context().limiter.lockedFor(u"login:ben"_s), 0);
        QCOMPARE(m_a->app().core().context().limiter.failureCount(u"login:ben"_s), 1);
    }

    // The measurement: the per-address limit let ~120 signups a minute through
    // instead of 60 over two instances.
    void perAddressSignupLimitHoldsAcrossBoth()
    {
        startBoth([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 6; });
        QList<int> statuses;
        for (int i = 0; i < 12; ++i)
            statuses << postJson(portOf(i), "/api/v1/signup",
                                 signupBody(u"sig%1"_s.arg(i), u"sig%1@example.com"_s.arg(i)))
                            .status;
        QCOMPARE(statuses.mid(0, 6), QList<int>(6, 201));
        QCOMPARE(statuses.mid(6), QList<int>(6, 429));
        QCOMPARE(count(u"SELECT count(*) FROM users"_s), 6);
        clock().advanceSeconds(60);
        QCOMPARE(postJson(portB(), "/api/v1/signup", signupBody(u"late"_s, u"late@example.com"_s))
                     .status,
                 201);
    }

    // The mail budget (all or nothing over two buckets) is shared as well: a resend on B
    // right after one on A waits out the cooldown, and a refused one spends nothing.
    void mailBudgetSharedAllOrNothing()
    {
        startBoth([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1'000'000; });
        const auto resend = [](quint16 port) {
            return postJson(port, "/api/v1/verify-email/resend",
                            {{u"email"_s, u"nobody@example.com"_s}});
        };
        QCOMPARE(resend(portA()).status, 202);
        clock().advanceSeconds(30);
        const HttpResult refused = resend(portB());
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.headers.value("retry-after"), QByteArray("30"));
        // The hour's budget counts the one mail, not the refused request.
        QCOMPARE(count(u"SELECT count FROM rate_windows WHERE key LIKE 'mail-to:hour:%'"_s), 1);
        clock().advanceSeconds(30);
        QCOMPARE(resend(portB()).status, 202);
        QCOMPARE(count(u"SELECT count FROM rate_windows WHERE key LIKE 'mail-to:hour:%'"_s), 2);
    }

    // Rows whose window and lock are over are deleted (once a minute, by any instance), so the
    // tables do not grow with every address ever seen.
    void expiredRowsArePurged()
    {
        startBoth([](sd::core::Config &c) {
            c.requestsPerAddressPerMinute = 1'000'000;
            c.lockoutResetSeconds = 600;
        });
        for (int i = 0; i < 5; ++i) {
            clock().advanceSeconds(2);
            QCOMPARE(login(portOf(i), u"ghost%1"_s.arg(i), kWrong).status, 401);
        }
        QCOMPARE(count(u"SELECT count(*) FROM login_failures"_s), 5);
        QVERIFY(count(u"SELECT count(*) FROM rate_windows WHERE key LIKE 'login:ghost%'"_s) == 5);
        clock().advanceSeconds(901); // past the reset time (600 s) and every window (900 s)
        QCOMPARE(login(portB(), u"someone-else"_s, kWrong).status, 401);
        QCOMPARE(count(u"SELECT count(*) FROM login_failures WHERE key LIKE 'login:ghost%'"_s), 0);
        QCOMPARE(count(u"SELECT count(*) FROM rate_windows WHERE key LIKE 'login:ghost%'"_s), 0);
        QCOMPARE(count(u"SELECT count(*) FROM login_failures"_s), 1); // the new one stays
    }

    // Only limited routes pay: GET /api/v1/user/me checks a session and counts nothing.
    void meCountsNothing()
    {
        startBoth([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1'000'000; });
        testflows::confirmedUser(portA(), u"cat"_s);
        const QString ust = testflows::loginToken(portB(), u"cat"_s);
        QVERIFY(!ust.isEmpty());
        const int windows = count(u"SELECT count(*) FROM rate_windows"_s);
        const int counted = count(u"SELECT coalesce(sum(count), 0) FROM rate_windows"_s);
        const int failures = count(u"SELECT count(*) FROM login_failures"_s);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(httpRequest(portOf(i), "GET", "/api/v1/user/me", {},
                                 {{"Authorization", "Bearer " + ust.toLatin1()}})
                         .status,
                     200);
        QCOMPARE(count(u"SELECT count(*) FROM rate_windows"_s), windows);
        QCOMPARE(count(u"SELECT count(*) FROM login_failures"_s), failures);
        QCOMPARE(count(u"SELECT coalesce(sum(count), 0) FROM rate_windows"_s), counted);
    }
};

QTEST_GUILESS_MAIN(TestSharedLimits)
#include "tst_sharedlimits.moc"
