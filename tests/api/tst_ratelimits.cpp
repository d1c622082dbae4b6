// Rate limits and the brute-force lockout (issue #6 item 2; SEC-10, SEC-15, SEC-16, SEC-17)
// over real HTTP on loopback, against an in-process server with a fake clock: per-address
// buckets (login included), the resend and email-link cooldown and hourly cap for known and
// unknown addresses alike, failed verification submissions per email and per address,
// X-Forwarded-For only from trusted proxies, and the Keycloak-like progressive lockout.
// Built twice: tst_ratelimits on SQLite (counters in memory) and tst_ratelimits_pg on
// PostgreSQL (counters in the database, shared by every instance: issue 16).

#include "context.h"
#include "httpclient.h"
#include "testbackend.h"
#include "testenv.h"

#include "accounts/accountstore.h"
#include "outbox.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

#include "apiflows.h"

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
using testflows::signupBody;
const QString kWrong = u"wrong password, clearly"_s;

// Every header but Date, for byte-by-byte comparisons of two answers.
QHash<QByteArray, QByteArray> headersWithoutDate(const HttpResult &r)
{
    QHash<QByteArray, QByteArray> h = r.headers;
    h.remove("date");
    h.remove("x-request-id"); // new for every request, whoever asks
    return h;
}

QByteArray randomIPv4()
{
    auto *rng = QRandomGenerator::global();
    return QByteArray::number(rng->bounded(1, 224)) + '.' + QByteArray::number(rng->bounded(256)) +
           '.' + QByteArray::number(rng->bounded(256)) + '.' +
           QByteArray::number(rng->bounded(1, 255));
}

} // namespace

class TestRateLimits : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    // A fresh server with every limit on (TestServer turns them off by default).
    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.rateLimitEnabled = true;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }
    sd::core::FakeClock &clock() { return m_server->clock(); }
    sd::core::RateLimiter &limiter() { return m_server->app().core().context().limiter; }
    quint64 hashes() { return m_server->app().core().hasher().hashCount(); }

    // Signs up and returns {user_id, confirm_token}.
    std::pair<QString, QString> signUp(const QString &username, const QString &email)
    {
        const auto s = testflows::signUp(port(), username, email);
        return {s.userId, s.confirmToken};
    }
    // An active account (the server must run with approvalRequired = false).
    QString activeUser(const QString &username)
    {
        return testflows::confirmedUser(port(), username);
    }
    HttpResult login(const QString &username, const QString &password)
    {
        return postJson(port(), "/api/v1/login",
                        {{u"username"_s, username}, {u"password"_s, password}});
    }
    HttpResult resend(const QString &email)
    {
        return postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, email}});
    }
    HttpResult verifyToken(const QString &email, const QString &token)
    {
        return postJson(port(), "/api/v1/user/verify-email/",
                        {{u"email"_s, email}, {u"token"_s, token}});
    }
    int count(const QString &sql)
    {
        m_server->app().core().waitForAfterAnswer(); // resend and email-link queue after answering
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }
    int outboxCount(const QString &kind)
    {
        return count(u"SELECT count(*) FROM outbox WHERE kind = '%1'"_s.arg(kind));
    }
    QString newestTokenMailedTo(const QString &address)
    {
        m_server->flushMail();
        QByteArray raw = m_server->lastMailTo(address);
        raw.replace("=\r\n", "");
        return QRegularExpression(u"token=3D([A-Za-z0-9_-]{43})|token=([A-Za-z0-9_-]{43})"_s)
            .match(QString::fromLatin1(raw))
            .capturedTexts()
            .mid(1)
            .join(QString());
    }
    static sd::core::RateLimiter::LockoutPolicy policyOf(const sd::core::Config &c)
    {
        return {c.lockoutFailures,     c.lockoutWaitIncrementSeconds, c.lockoutMaxWaitSeconds,
                c.lockoutResetSeconds, c.quickLoginCheckMs,           c.quickLoginMinWaitSeconds};
    }

private slots:
    void cleanup() { m_server.reset(); }

    // --- 1a: POST /api/v1/login per address, in its own bucket ----------------------------

    void loginLimitedPerAddress()
    {
        startServer([](sd::core::Config &c) {
            c.requestsPerAddressPerMinute = 3;
            c.lockoutEnabled = false;
        });
        for (int i = 0; i < 3; ++i) // three identifiers: the per-identifier limit stays out of it
            QCOMPARE(login(u"someone%1"_s.arg(i), kWrong).status, 401);
        const quint64 before = hashes();
        const HttpResult limited = login(u"someone9"_s, kWrong);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), u"rate_limited"_s);
        QVERIFY(limited.headers.value("retry-after").toInt() >= 1);
        QCOMPARE(hashes(), before); // refused before any hashing
        // Its own bucket: signing up from the same address still works.
        QCOMPARE(
            postJson(port(), "/api/v1/signup", signupBody(u"ann"_s, u"ann@example.com"_s)).status,
            201);
        clock().advanceSeconds(60);
        QCOMPARE(login(u"someone9"_s, kWrong).status, 401);
    }

    // --- 1b: resend cooldown + hourly cap, known and unknown alike (SEC-10) ----------------

    void resendCooldownIsIdenticalForKnownAndUnknown()
    {
        startServer([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1000; });
        QCOMPARE(m_server->config().resendCooldownSeconds, 60);
        auto [id, signupToken] = signUp(u"bea"_s, u"bea@example.com"_s);
        QCOMPARE(outboxCount(u"verification"_s), 1);
        // The signup's mail has a cooldown of its own: a resend right after it works (and
        // replaces the token); only the hourly cap is shared (issue 18 item 4).
        QCOMPARE(resend(u"bea@example.com"_s).status, 202);
        QCOMPARE(resend(u"ghost@example.com"_s).status, 202);
        QCOMPARE(outboxCount(u"verification"_s), 2);
        const QString firstResendToken = newestTokenMailedTo(u"bea@example.com"_s);
        QCOMPARE(firstResendToken.size(), 43);

        clock().advanceSeconds(30);
        const HttpResult known = resend(u"BEA@example.com "_s); // normalized: the same address
        const HttpResult unknown = resend(u"ghost@example.com"_s);
        QCOMPARE(known.status, 429);
        QCOMPARE(unknown.status, 429);
        QCOMPARE(known.errorCode(), u"rate_limited"_s);
        QCOMPARE(known.headers.value("retry-after"), QByteArray("30"));
        QCOMPARE(known.body, unknown.body);
        QCOMPARE(headersWithoutDate(known), headersWithoutDate(unknown));
        QCOMPARE(outboxCount(u"verification"_s), 2); // nothing more was sent

        clock().advanceSeconds(30);
        QCOMPARE(resend(u"bea@example.com"_s).status, 202);
        QCOMPARE(resend(u"ghost@example.com"_s).status, 202);
        QCOMPARE(outboxCount(u"verification"_s), 3);
        QCOMPARE(verifyToken(u"bea@example.com"_s, firstResendToken).status, 400); // revoked
        const QString newest = newestTokenMailedTo(u"bea@example.com"_s);
        QVERIFY(newest != firstResendToken);
        QCOMPARE(verifyToken(u"bea@example.com"_s, newest).status, 200);
    }

    void resendHourlyCap()
    {
        startServer([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1000; });
        QCOMPARE(m_server->config().resendPerHour, 5);
        signUp(u"cid"_s, u"cid@example.com"_s);
        clock().advanceSeconds(3600); // past the hour the signup's mail counted in
        for (const QString &email : {u"cid@example.com"_s, u"nobody@example.com"_s}) {
            for (int i = 0; i < 5; ++i) {
                QCOMPARE(resend(email).status, 202);
                clock().advanceSeconds(61);
            }
            const HttpResult capped = resend(email);
            QCOMPARE(capped.status, 429);
            QCOMPARE(capped.headers.value("retry-after").toInt(), 3600 - 5 * 61);
            clock().advanceSeconds(3600 - 5 * 61);
            QCOMPARE(resend(email).status, 202);
        }
        QCOMPARE(outboxCount(u"verification"_s), 1 + 6); // the signup's, then 6 resends to cid
    }

    void emailLinkFollowsTheSameRules()
    {
        startServer([](sd::core::Config &c) {
            c.requestsPerAddressPerMinute = 1000;
            c.approvalRequired = false;
        });
        activeUser(u"dora"_s);
        clock().advanceSeconds(3600); // past the hour the signup's mail counted in
        QList<HttpResult> second;
        for (const QString &email : {u"dora@example.com"_s, u"nobody@example.com"_s}) {
            QCOMPARE(postJson(port(), "/api/v1/login/email-link", {{u"email"_s, email}}).status,
                     202);
            second << postJson(port(), "/api/v1/login/email-link", {{u"email"_s, email}});
        }
        QCOMPARE(second[0].status, 429);
        QCOMPARE(second[0].body, second[1].body);
        QCOMPARE(headersWithoutDate(second[0]), headersWithoutDate(second[1]));
        QCOMPARE(outboxCount(u"login_link"_s), 1);
        // A resend to the same address has a cooldown of its own (the hourly cap is shared).
        QCOMPARE(resend(u"dora@example.com"_s).status, 202);
        clock().advanceSeconds(60);
        QCOMPARE(postJson(port(), "/api/v1/login/email-link", {{u"email"_s, u"dora@example.com"_s}})
                     .status,
                 202);
        QCOMPARE(outboxCount(u"login_link"_s), 2);
    }

    // --- 1c: failed verification submissions (SEC-17) --------------------------------------

    void wrongTokensThrottledWithoutBurningTheRealOne()
    {
        startServer([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1000; });
        QCOMPARE(m_server->config().verifyFailuresPerWindow, 10);
        auto [id, token] = signUp(u"eve"_s, u"eve@example.com"_s);
        for (int i = 1; i <= 20; ++i) {
            const HttpResult r =
                verifyToken(u"eve@example.com"_s, u"A"_s.repeated(42) + QString::number(i % 10));
            QCOMPARE(r.status, i <= 10 ? 400 : 429);
            if (i > 10) {
                QCOMPARE(r.errorCode(), u"rate_limited"_s);
                QVERIFY(r.headers.value("retry-after").toInt() > 0);
            }
        }
        // Even the right token waits: it is not consumed meanwhile.
        QCOMPARE(verifyToken(u"eve@example.com"_s, token).status, 429);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE verified_email = 1"_s), 0);
        clock().advanceSeconds(m_server->config().verifyFailureWindowSeconds);
        const HttpResult ok = verifyToken(u"eve@example.com"_s, token);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json().value(u"verified_email"_s).toBool(), true);
    }

    void wrongCodesThrottledPerEmailAndPerAddress()
    {
        startServer([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 1000; });
        auto code = [&](const QString &email) {
            return postJson(port(), "/api/v1/user/verify-email/",
                            {{u"email"_s, email}, {u"code"_s, u"123456"_s}});
        };
        // Ten unknown addresses from one client: the eleventh address is refused too.
        for (int i = 0; i < 10; ++i)
            QCOMPARE(code(u"guess%1@example.com"_s.arg(i)).status, 400);
        const HttpResult perAddress = code(u"fresh@example.com"_s);
        QCOMPARE(perAddress.status, 429);
        QCOMPARE(perAddress.errorCode(), u"rate_limited"_s);
        // Signed links and confirm tokens share the per-address count.
        QCOMPARE(
            postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, u"nope"_s}}).status,
            429);
        clock().advanceSeconds(m_server->config().verifyFailureWindowSeconds);
        QCOMPARE(code(u"fresh@example.com"_s).status, 400);
    }

    void verifyFailureLimitsAreConfigurable()
    {
        startServer([](sd::core::Config &c) {
            c.requestsPerAddressPerMinute = 1000;
            c.verifyFailuresPerWindow = 2;
            c.verifyFailureWindowSeconds = 30;
        });
        QCOMPARE(verifyToken(u"x@example.com"_s, u"bad"_s).status, 400);
        QCOMPARE(verifyToken(u"x@example.com"_s, u"bad"_s).status, 400);
        const HttpResult r = verifyToken(u"x@example.com"_s, u"bad"_s);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.headers.value("retry-after"), QByteArray("30"));
        clock().advanceSeconds(30);
        QCOMPARE(verifyToken(u"x@example.com"_s, u"bad"_s).status, 400);
    }

    // --- 1d: X-Forwarded-For (SEC-16) ------------------------------------------------------

    void randomForwardedForDoesNotEscapeThePerAddressLimit()
    {
        startServer([](sd::core::Config &c) { c.requestsPerAddressPerMinute = 5; });
        QVERIFY(m_server->config().trustedProxies.isEmpty());
        auto signupFrom = [&](int i, const QByteArray &xff) {
            return httpRequest(
                port(), "POST", "/api/v1/signup",
                QJsonDocument(signupBody(u"fwd%1"_s.arg(i), u"fwd%1@example.com"_s.arg(i)))
                    .toJson(),
                {{"Content-Type", "application/json"},
                 {"X-Forwarded-For", xff},
                 {"X-Real-IP", xff},
                 {"Forwarded", "for=" + xff}});
        };
        QString firstId;
        for (int i = 0; i < 5; ++i) {
            const HttpResult r = signupFrom(i, randomIPv4());
            QCOMPARE(r.status, 201);
            if (i == 0)
                firstId = r.json().value(u"user_id"_s).toString();
        }
        for (int i = 5; i < 10; ++i)
            QCOMPARE(signupFrom(i, randomIPv4()).status, 429);
        auto db = m_server->app().database().connection();
        QCOMPARE((*sd::core::accountstore::findById(*db, firstId))->remoteIp, u"127.0.0.1"_s);
    }

    void forwardedForHonouredOnlyFromTrustedProxies()
    {
        startServer([](sd::core::Config &c) {
            c.requestsPerAddressPerMinute = 2;
            c.trustedProxies = {u"127.0.0.0/8"_s};
        });
        int n = 0;
        auto signupFrom = [&](const QByteArray &xff) {
            ++n;
            return httpRequest(
                port(), "POST", "/api/v1/signup",
                QJsonDocument(signupBody(u"prx%1"_s.arg(n), u"prx%1@example.com"_s.arg(n)))
                    .toJson(),
                {{"Content-Type", "application/json"}, {"X-Forwarded-For", xff}});
        };
        const HttpResult first = signupFrom("203.0.113.7");
        QCOMPARE(first.status, 201);
        QCOMPARE(signupFrom("203.0.113.7").status, 201);
        QCOMPARE(signupFrom("203.0.113.7").status, 429);
        // What a client puts in front of the proxy's entry does not count: rightmost untrusted.
        QCOMPARE(signupFrom("198.51.100.1, 203.0.113.7").status, 429);
        // A trusted hop on the right is skipped.
        QCOMPARE(signupFrom("203.0.113.7, 127.0.0.5").status, 429);
        QCOMPARE(signupFrom("203.0.113.8").status, 201);
        auto db = m_server->app().database().connection();
        QCOMPARE(
            (*sd::core::accountstore::findById(*db, first.json().value(u"user_id"_s).toString()))
                ->remoteIp,
            u"203.0.113.7"_s);
    }

    void trustedProxiesAreCheckedAtLoad()
    {
        sd::core::ConfigSources sources;
        sources.defaultDataDir = QDir::tempPath();
        sources.overrides.insert(u"server/trusted_proxies"_s,
                                 u"10.0.0.1, 192.168.0.0/16, fd00::/8"_s);
        const auto good = sd::core::loadConfig(sources);
        QVERIFY(good);
        QCOMPARE(good->trustedProxies,
                 (QStringList{u"10.0.0.1"_s, u"192.168.0.0/16"_s, u"fd00::/8"_s}));
        sources.overrides.insert(u"server/trusted_proxies"_s, u"10.0.0.1, proxy.example"_s);
        const auto bad = sd::core::loadConfig(sources);
        QVERIFY(!bad);
        QVERIFY2(bad.error().detail.contains(u"server/trusted_proxies"_s),
                 qPrintable(bad.error().detail));
    }

    // --- every limit off with ratelimit/enabled=false ---------------------------------------

    void everyLimitOffWhenDisabled()
    {
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.rateLimitEnabled = false;
            c.requestsPerAddressPerMinute = 1;
            c.resendPerHour = 1;
            c.verifyFailuresPerWindow = 1;
            c.loginFailuresPerWindow = 1;
            c.lockoutFailures = 1;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        activeUser(u"fay"_s);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(resend(u"fay@example.com"_s).status, 202);
            QCOMPARE(
                postJson(port(), "/api/v1/login/email-link", {{u"email"_s, u"fay@example.com"_s}})
                    .status,
                202);
            QCOMPARE(verifyToken(u"fay@example.com"_s, u"bad"_s).status, 400);
            QCOMPARE(login(u"fay"_s, kWrong).status, 401);
        }
        QCOMPARE(login(u"fay"_s, kPassword).status, 200);
    }

    // --- 2: progressive lockout (SEC-15) ----------------------------------------------------

    void lockoutDefaultsAreKeycloaks()
    {
        const sd::core::Config c;
        QCOMPARE(c.lockoutEnabled, true);
        QCOMPARE(c.lockoutFailures, 30);
        QCOMPARE(c.lockoutWaitIncrementSeconds, 60);
        QCOMPARE(c.lockoutMaxWaitSeconds, 900);
        QCOMPARE(c.lockoutResetSeconds, qint64(43200));
        QCOMPARE(c.quickLoginCheckMs, 1000);
        QCOMPARE(c.quickLoginMinWaitSeconds, 60);
    }

    // 30 wrong passwords, then the right one: the same 401. 60 s later: 200. Every locked
    // attempt still costs one hash.
    void thirtyFailuresLockForAMinute()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.requestsPerAddressPerMinute = 1'000'000;
            c.loginFailuresPerWindow = 1'000'000; // the lockout alone
        });
        activeUser(u"gus"_s);
        QByteArray wrongBody;
        for (int i = 0; i < 30; ++i) {
            clock().advanceSeconds(2); // slower than the quick-login check
            const HttpResult r = login(u"gus"_s, kWrong);
            QCOMPARE(r.status, 401);
            wrongBody = r.body;
        }
        quint64 mark = hashes();
        const HttpResult locked = login(u"gus"_s, kPassword);
        QCOMPARE(locked.status, 401);
        QCOMPARE(locked.body, wrongBody);
        QCOMPARE(headersWithoutDate(locked), headersWithoutDate(login(u"gus"_s, kWrong)));
        QCOMPARE(hashes() - mark, 2u);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'login.lockout'"_s), 1);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'login.locked_out'"_s), 2);
        clock().advanceSeconds(59);
        QCOMPARE(login(u"gus"_s, kPassword).status, 401);
        clock().advanceSeconds(1);
        QCOMPARE(login(u"gus"_s, kPassword).status, 200);
        // A success forgets the failures: one more is no lock.
        clock().advanceSeconds(2);
        QCOMPARE(login(u"gus"_s, kWrong).status, 401);
        QCOMPARE(limiter().lockedFor(u"login:gus"_s), 0);
    }

    void twoQuickFailuresLockForTheMinimumWait()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.requestsPerAddressPerMinute = 1'000'000;
        });
        activeUser(u"hal"_s);
        QCOMPARE(login(u"hal"_s, kWrong).status, 401);
        clock().advanceMs(999);
        QCOMPARE(login(u"hal"_s, kWrong).status, 401);
        QCOMPARE(login(u"hal"_s, kPassword).status, 401);
        clock().advanceSeconds(59);
        QCOMPARE(login(u"hal"_s, kPassword).status, 401);
        clock().advanceSeconds(1);
        QCOMPARE(login(u"hal"_s, kPassword).status, 200);
        // 1000 ms apart is not quick.
        QCOMPARE(login(u"hal"_s, kWrong).status, 401);
        clock().advanceMs(1000);
        QCOMPARE(login(u"hal"_s, kWrong).status, 401);
        QCOMPARE(login(u"hal"_s, kPassword).status, 200);
    }

    // The lock after each failure, as observed, is the configured schedule: wait(n) =
    // min(max, increment * floor(n / failures)), at least the quick minimum for two failures
    // closer than the quick check, reset after `reset` seconds without failures. Known and
    // unknown identifiers alike.
    void observedScheduleEqualsConfigured_data()
    {
        QTest::addColumn<QString>("identifier");
        QTest::newRow("known") << u"ida"_s;
        QTest::newRow("unknown") << u"nobody-at-all"_s;
    }
    void observedScheduleEqualsConfigured()
    {
        QFETCH(QString, identifier);
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.requestsPerAddressPerMinute = 1'000'000;
            c.loginFailuresPerWindow = 1'000'000;
            c.lockoutFailures = 3;
            c.lockoutWaitIncrementSeconds = 40;
            c.lockoutMaxWaitSeconds = 100;
            c.lockoutResetSeconds = 3600;
            c.quickLoginCheckMs = 500;
            c.quickLoginMinWaitSeconds = 7;
        });
        activeUser(u"ida"_s);
        const sd::core::Config &cfg = m_server->config();
        const QString key = u"login:"_s + identifier;
        auto expected = [&](int n) {
            return qMin<qint64>(cfg.lockoutMaxWaitSeconds,
                                cfg.lockoutWaitIncrementSeconds * (n / cfg.lockoutFailures));
        };
        QList<int> observed, configured;
        for (int n = 1; n <= 12; ++n) {
            clock().advanceSeconds(1);
            QCOMPARE(login(identifier, kWrong).status, 401);
            const int lock = limiter().lockedFor(key);
            observed << lock;
            configured << int(expected(n));
            if (lock > 0) {
                // Attempts during the lock change nothing, not even with the right password.
                QCOMPARE(login(identifier, kPassword).status, 401);
                QCOMPARE(limiter().lockedFor(key), lock);
                clock().advanceSeconds(lock);
                QCOMPARE(limiter().lockedFor(key), 0);
            }
        }
        QCOMPARE(observed, configured);
        QCOMPARE(observed, (QList<int>{0, 0, 40, 40, 40, 80, 80, 80, 100, 100, 100, 100}));

        // Two failures closer than the quick check: at least the quick minimum.
        clock().advanceSeconds(cfg.lockoutResetSeconds + 1); // and the count starts over
        QCOMPARE(login(identifier, kWrong).status, 401);
        QCOMPARE(limiter().lockedFor(key), 0);
        QCOMPARE(limiter().failureCount(key), 1);
        clock().advanceMs(cfg.quickLoginCheckMs - 1);
        QCOMPARE(login(identifier, kWrong).status, 401);
        QCOMPARE(limiter().lockedFor(key), cfg.quickLoginMinWaitSeconds);
        QCOMPARE(limiter().failureCount(key), 2);
    }

    void scheduleIsTheLimitersOwn()
    {
        // The same schedule without HTTP, so a broken route cannot hide a broken limiter.
        sd::core::FakeClock fake(1'000'000);
        sd::core::RateLimiter limiter(fake);
        sd::core::Config c; // the defaults
        const auto policy = policyOf(c);
        for (int n = 1; n <= 29; ++n) {
            fake.advanceSeconds(2);
            QCOMPARE(limiter.recordFailure(u"k"_s, policy), 0);
        }
        fake.advanceSeconds(2);
        QCOMPARE(limiter.recordFailure(u"k"_s, policy), 60);
        QCOMPARE(limiter.lockedFor(u"k"_s), 60);
        for (int n = 31; n <= 450; ++n) {
            fake.advanceSeconds(limiter.lockedFor(u"k"_s) + 2);
            const int wait = limiter.recordFailure(u"k"_s, policy);
            QCOMPARE(wait, qMin(900, 60 * (n / 30)));
        }
        fake.advanceSeconds(900 + 43200 + 1);
        QCOMPARE(limiter.lockedFor(u"k"_s), 0);
        QCOMPARE(limiter.recordFailure(u"k"_s, policy), 0); // 12 h without failures: over
        QCOMPARE(limiter.failureCount(u"k"_s), 1);
    }

    // 150 attempts in one simulated hour under the defaults: at most 100 hashes per
    // identifier, and a known and an unknown identifier see the same statuses.
    void hourOfAttemptsKnownAndUnknownAlike()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.requestsPerAddressPerMinute = 1'000'000;
        });
        activeUser(u"jan"_s);
        auto run = [&](const QString &identifier, quint64 *hashCount) {
            QList<int> statuses;
            const quint64 before = hashes();
            for (int i = 0; i < 150; ++i) {
                // Bursts and pauses: 0.5 s, then 47.5 s; 150 attempts in exactly one hour.
                clock().advanceMs(i % 2 == 0 ? 500 : 47'500);
                statuses << login(identifier, kWrong).status;
            }
            *hashCount = hashes() - before;
            clock().advanceSeconds(13 * 3600); // both limits forget
            return statuses;
        };
        quint64 knownHashes = 0, unknownHashes = 0;
        const QList<int> known = run(u"jan"_s, &knownHashes);
        const QList<int> unknown = run(u"not-a-user"_s, &unknownHashes);
        QCOMPARE(known, unknown);
        QCOMPARE(knownHashes, unknownHashes);
        QVERIFY2(knownHashes <= 100, qPrintable(QString::number(knownHashes)));
        QVERIFY(known.contains(401));
        QVERIFY(known.contains(429));
        QCOMPARE(known.count(401) + known.count(429), 150);
        QCOMPARE(knownHashes, quint64(known.count(401))); // one hash per 401, none per 429
    }

    void lockoutNeverBlocksEmailLinkOrVerification()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.requestsPerAddressPerMinute = 1'000'000;
        });
        activeUser(u"kim"_s);
        auto [pendingId, token] = signUp(u"lou"_s, u"lou@example.com"_s);
        clock().advanceSeconds(m_server->config().resendCooldownSeconds); // past kim's signup mail
        for (const QString &who :
             {u"kim"_s, u"kim@example.com"_s, u"lou"_s, u"lou@example.com"_s}) {
            QCOMPARE(login(who, kWrong).status, 401);
            QCOMPARE(login(who, kWrong).status, 401); // quick: locked
            QVERIFY(limiter().lockedFor(u"login:"_s + who) > 0);
        }
        QCOMPARE(postJson(port(), "/api/v1/login/email-link", {{u"email"_s, u"kim@example.com"_s}})
                     .status,
                 202);
        QCOMPARE(outboxCount(u"login_link"_s), 1);
        QCOMPARE(verifyToken(u"lou@example.com"_s, token).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestRateLimits)
#include "tst_ratelimits.moc"
