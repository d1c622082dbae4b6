// API.md "Second factor (TOTP, RFC 6238, and recovery codes)" over real HTTP on loopback
// against an in-process server with the injectable fake clock: enrolment, the login's
// mfa_required answer and POST /api/v1/login/mfa (replay refused, one step of drift accepted,
// two refused), the burned mfa_token, wrong codes toward the login limits, recovery codes once
// only under 20 parallel uses, renewal, disabling and the admin's reset. Built twice: on
// SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "testbackend.h"
#include "testserver.h"

#include "flows/mfa/totp.h"
#include "outbox.h"

#include <QJsonArray>
#include <QTest>

#include <latch>
#include <thread>

using namespace Qt::StringLiterals;
using testflows::kPassword;
namespace totp = sd::core::totp;

class TestMfa : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.adminApiEnabled = true;
            c.approvalRequired = false;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }
    sd::core::CoreServices &core() { return m_server->app().core(); }
    qint64 step() { return totp::stepAt(m_server->clock().nowMs()); }
    static QString codeAt(const QString &secret, qint64 step)
    {
        return totp::code(*totp::fromBase32(secret), step);
    }
    HttpResult passwordLogin(const QString &name)
    {
        return postJson(port(), "/api/v1/login",
                        {{u"username"_s, name}, {u"password"_s, kPassword}});
    }
    HttpResult loginMfa(const QString &token, const QString &field, const QString &code)
    {
        return postJson(port(), "/api/v1/login/mfa", {{u"mfa_token"_s, token}, {field, code}});
    }
    QString mfaToken(const QString &name)
    {
        return passwordLogin(name).json().value(u"mfa_token"_s).toString();
    }
    // Signs `name` up, logs in and turns the factor on; the session, secret and codes.
    struct Enrolled
    {
        QString userId, ust, secret;
        QStringList recoveryCodes;
    };
    Enrolled enrol(const QString &name)
    {
        Enrolled e;
        e.userId = testflows::confirmedUser(port(), name);
        e.ust = testflows::loginToken(port(), name);
        const HttpResult started =
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}, e.ust);
        e.secret = started.json().value(u"secret"_s).toString();
        const HttpResult confirmed = postJson(port(), "/api/v1/user/mfa/totp/confirm",
                                              {{u"code"_s, codeAt(e.secret, step())}}, e.ust);
        for (const QJsonValue v : confirmed.json().value(u"recovery_codes"_s).toArray())
            e.recoveryCodes << v.toString();
        if (e.recoveryCodes.size() != 10)
            qWarning("enrol %s: %s / %s", qPrintable(name), started.raw.constData(),
                     confirmed.raw.constData());
        return e;
    }
    int mails(const QString &kind, const QString &userId)
    {
        core().waitForAfterAnswer();
        auto all = sd::mail::Outbox::list(m_server->app().database(), userId);
        int n = 0;
        if (all)
            for (const auto &m : *all)
                n += m.kind == kind;
        return n;
    }

private slots:
    void cleanup() { m_server.reset(); }

    void enrolOverHttp()
    {
        startServer();
        testflows::confirmedUser(port(), u"anna"_s);
        const QString ust = testflows::loginToken(port(), u"anna"_s);
        QCOMPARE(
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}).status,
            401); // no session
        const HttpResult wrong =
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, u"nope"_s}}, ust);
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), u"invalid_credentials"_s);
        const HttpResult started =
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}, ust);
        QCOMPARE(started.status, 200);
        const QString secret = started.json().value(u"secret"_s).toString();
        QCOMPARE(secret.size(), 32);
        QCOMPARE(started.json().value(u"otpauth_uri"_s).toString(),
                 u"otpauth://totp/SignupDesk:anna?secret="_s + secret + u"&issuer=SignupDesk"_s);
        const HttpResult bad =
            postJson(port(), "/api/v1/user/mfa/totp/confirm", {{u"code"_s, u"12345"_s}}, ust);
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.errorCode(), u"invalid_code"_s);
        QCOMPARE(postJson(port(), "/api/v1/user/mfa/totp/confirm", {{u"code"_s, 123456}}, ust)
                     .errorCode(),
                 u"invalid_body"_s);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"mfa"_s), QJsonValue(false));
        const HttpResult confirmed = postJson(port(), "/api/v1/user/mfa/totp/confirm",
                                              {{u"code"_s, codeAt(secret, step())}}, ust);
        QCOMPARE(confirmed.status, 200);
        QCOMPARE(confirmed.json().value(u"recovery_codes"_s).toArray().size(), 10);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"mfa"_s), QJsonValue(true));
        const HttpResult again =
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}, ust);
        QCOMPARE(again.status, 409);
        QCOMPARE(again.errorCode(), u"mfa_enabled"_s);
    }

    void loginAsksForTheCode()
    {
        startServer();
        const Enrolled e = enrol(u"anna"_s);
        QCOMPARE(e.recoveryCodes.size(), 10);
        const HttpResult first = passwordLogin(u"anna"_s);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value(u"mfa_required"_s), QJsonValue(true));
        QVERIFY(!first.json().contains(u"ust"_s));
        QVERIFY(!first.json().contains(u"user"_s));
        QVERIFY(first.json().value(u"expires_at"_s).toString().endsWith(u'Z'));
        const QString token = first.json().value(u"mfa_token"_s).toString();
        QCOMPARE(token.size(), 43);
        // The mfa_token grants nothing by itself (SEC-47).
        QCOMPARE(getJson(port(), "/api/v1/user/me", token).status, 401);

        // Replay: the enrolment's code, same step.
        const HttpResult replay = loginMfa(token, u"code"_s, codeAt(e.secret, step()));
        QCOMPARE(replay.status, 401);
        QCOMPARE(replay.errorCode(), u"invalid_code"_s);
        // Two steps off: refused.
        QCOMPARE(loginMfa(token, u"code"_s, codeAt(e.secret, step() + 2)).status, 401);
        QCOMPARE(loginMfa(token, u"code"_s, codeAt(e.secret, step() - 2)).status, 401);
        // One step of drift: accepted.
        const HttpResult ok = loginMfa(token, u"code"_s, codeAt(e.secret, step() + 1));
        QCOMPARE(ok.status, 200);
        const QString ust = ok.json().value(u"ust"_s).toString();
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 200);
        QCOMPARE(ok.json().value(u"user"_s).toObject().value(u"mfa"_s), QJsonValue(true));
        // Spent.
        const HttpResult spent = loginMfa(token, u"code"_s, codeAt(e.secret, step() + 1));
        QCOMPARE(spent.status, 400);
        QCOMPARE(spent.errorCode(), u"invalid_token"_s);
        // The same code on a new token: that step was used.
        QCOMPARE(loginMfa(mfaToken(u"anna"_s), u"code"_s, codeAt(e.secret, step() + 1)).status,
                 401);
        // Three steps later, one step behind (a slow phone): accepted.
        m_server->clock().advanceSeconds(90);
        QCOMPARE(loginMfa(mfaToken(u"anna"_s), u"code"_s, codeAt(e.secret, step() - 1)).status,
                 200);
        // Expired after 5 minutes.
        const QString old = mfaToken(u"anna"_s);
        m_server->clock().advanceSeconds(301);
        QCOMPARE(loginMfa(old, u"code"_s, codeAt(e.secret, step())).errorCode(),
                 u"invalid_token"_s);
    }

    void burnedTokenAndBadBodies()
    {
        startServer();
        const Enrolled e = enrol(u"anna"_s);
        m_server->clock().advanceSeconds(30);
        const QString token = mfaToken(u"anna"_s);
        const QString right = codeAt(e.secret, step());
        const QString wrong = right == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < 5; ++i)
            QCOMPARE(loginMfa(token, u"code"_s, wrong).errorCode(), u"invalid_code"_s);
        const HttpResult burned = loginMfa(token, u"code"_s, right);
        QCOMPARE(burned.status, 400);
        QCOMPARE(burned.errorCode(), u"invalid_token"_s);
        QCOMPARE(loginMfa(u"not-a-token"_s, u"code"_s, right).errorCode(), u"invalid_token"_s);
        QCOMPARE(
            postJson(port(), "/api/v1/login/mfa",
                     {{u"mfa_token"_s, token}, {u"code"_s, right}, {u"recovery_code"_s, right}})
                .errorCode(),
            u"invalid_body"_s);
        QCOMPARE(postJson(port(), "/api/v1/login/mfa", {{u"mfa_token"_s, token}}).errorCode(),
                 u"invalid_body"_s);
        QCOMPARE(loginMfa(token, u"code"_s, QString()).errorCode(), u"validation"_s);
        // A fresh token still works with the right code.
        QCOMPARE(loginMfa(mfaToken(u"anna"_s), u"code"_s, right).status, 200);
    }

    // SEC-45: failed codes count toward the login limits of the account.
    void wrongCodesCountTowardTheLoginLimit()
    {
        startServer([](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.loginFailuresPerWindow = 3;
            c.lockoutEnabled = false;
        });
        const Enrolled e = enrol(u"anna"_s);
        m_server->clock().advanceSeconds(30);
        const QString right = codeAt(e.secret, step());
        const QString wrong = right == u"000000"_s ? u"111111"_s : u"000000"_s;
        const QString token = mfaToken(u"anna"_s);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(loginMfa(token, u"code"_s, wrong).status, 401);
        const HttpResult limited = loginMfa(token, u"code"_s, right);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), u"rate_limited"_s);
        // The password step is limited too, for the same account.
        QCOMPARE(passwordLogin(u"anna"_s).status, 429);
    }

    void recoveryCodeOnceUnderTwentyParallelUses()
    {
        startServer([](sd::core::Config &c) { c.workers = 8; });
        const Enrolled e = enrol(u"anna"_s);
        constexpr int kClients = 20;
        QStringList tokens;
        for (int i = 0; i < kClients; ++i)
            tokens << mfaToken(u"anna"_s);
        QCOMPARE(QSet<QString>(tokens.begin(), tokens.end()).size(), kClients);
        std::latch start(kClients);
        std::vector<HttpResult> results(kClients);
        std::vector<std::thread> threads;
        for (int i = 0; i < kClients; ++i)
            threads.emplace_back([&, i] {
                start.arrive_and_wait();
                results[size_t(i)] =
                    loginMfa(tokens[i], u"recovery_code"_s, e.recoveryCodes.first());
            });
        for (auto &t : threads)
            t.join();
        int successes = 0;
        for (const HttpResult &r : results) {
            if (r.status == 200) {
                ++successes;
                continue;
            }
            QVERIFY2(r.status == 401 || r.status == 429, r.raw.constData());
        }
        QCOMPARE(successes, 1);
        QCOMPARE(mails(u"mfa_recovery_code_used"_s, e.userId), 1);
        // Another code still works.
        QCOMPARE(loginMfa(mfaToken(u"anna"_s), u"recovery_code"_s, e.recoveryCodes.last()).status,
                 200);
    }

    void renewAndDisable()
    {
        startServer();
        const Enrolled e = enrol(u"anna"_s);
        m_server->clock().advanceSeconds(30);
        const HttpResult bad = postJson(port(), "/api/v1/user/mfa/recovery-codes",
                                        {{u"code"_s, e.recoveryCodes.first()}}, e.ust);
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.errorCode(), u"invalid_code"_s);
        const HttpResult renewed = postJson(port(), "/api/v1/user/mfa/recovery-codes",
                                            {{u"code"_s, codeAt(e.secret, step())}}, e.ust);
        QCOMPARE(renewed.status, 200);
        const QJsonArray fresh = renewed.json().value(u"recovery_codes"_s).toArray();
        QCOMPARE(fresh.size(), 10);
        QCOMPARE(loginMfa(mfaToken(u"anna"_s), u"recovery_code"_s, e.recoveryCodes.first()).status,
                 401);

        const HttpResult wrongPassword =
            postJson(port(), "/api/v1/user/mfa/disable",
                     {{u"current_password"_s, u"nope"_s}, {u"code"_s, fresh[0].toString()}}, e.ust);
        QCOMPARE(wrongPassword.status, 401);
        QCOMPARE(wrongPassword.errorCode(), u"invalid_credentials"_s);
        const HttpResult wrongCode =
            postJson(port(), "/api/v1/user/mfa/disable",
                     {{u"current_password"_s, kPassword}, {u"code"_s, u"000000"_s}}, e.ust);
        QCOMPARE(wrongCode.status, 400);
        QCOMPARE(wrongCode.errorCode(), u"invalid_code"_s);
        QCOMPARE(postJson(port(), "/api/v1/user/mfa/disable",
                          {{u"current_password"_s, kPassword}, {u"code"_s, fresh[0].toString()}},
                          e.ust)
                     .status,
                 204);
        QCOMPARE(mails(u"mfa_disabled"_s, e.userId), 1);
        const HttpResult plain = passwordLogin(u"anna"_s);
        QCOMPARE(plain.status, 200);
        QVERIFY(plain.json().contains(u"ust"_s));
        QCOMPARE(plain.json().value(u"user"_s).toObject().value(u"mfa"_s), QJsonValue(false));
    }

    void adminResetRoute()
    {
        startServer();
        const Enrolled e = enrol(u"anna"_s);
        auto boss = core().signup().createSuperuser(u"boss"_s, u"boss@example.com"_s, kPassword,
                                                    {u"test"_s});
        QVERIFY(boss);
        const QString admin = testflows::loginToken(port(), u"boss"_s);
        QVERIFY(!admin.isEmpty());
        QCOMPARE(postJson(port(), "/api/v1/admin/users/usr_nobody/mfa/reset", {}, admin).status,
                 404);
        QCOMPARE(
            postJson(port(), "/api/v1/admin/users/" + e.userId.toUtf8() + "/mfa/reset", {}, e.ust)
                .status,
            403);
        QCOMPARE(
            postJson(port(), "/api/v1/admin/users/" + e.userId.toUtf8() + "/mfa/reset", {}, admin)
                .status,
            204);
        QCOMPARE(mails(u"mfa_reset"_s, e.userId), 1);
        QCOMPARE(getJson(port(), "/api/v1/user/me", e.ust).json().value(u"mfa"_s),
                 QJsonValue(false));
        QVERIFY(passwordLogin(u"anna"_s).json().contains(u"ust"_s));
    }

    void adminResetHiddenWithoutAdminApi()
    {
        startServer([](sd::core::Config &c) { c.adminApiEnabled = false; });
        QCOMPARE(postJson(port(), "/api/v1/admin/users/usr_x/mfa/reset", {}).status, 404);
    }
};

QTEST_GUILESS_MAIN(TestMfa)
#include "tst_mfa.moc"
