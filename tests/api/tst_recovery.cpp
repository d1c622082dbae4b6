// API.md "Account recovery and self-service" (forgot, reset, the signed-in user's password
// and email, the email-change confirmation) and the administrators' password reset, over real
// HTTP on loopback against an in-process server with a fake clock. Built twice: on SQLite and
// (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testserver.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "outbox.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <latch>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
const QString kNew = u"a brand new passphrase 42"_s;

QString capture(const QString &text, const QString &pattern)
{
    return QRegularExpression(pattern, QRegularExpression::MultilineOption).match(text).captured(1);
}
// From a mail as sent (decoded): the outbox keeps no secrets once a mail is sent.
QString tokenIn(const QString &mail)
{
    return QUrl::fromPercentEncoding(capture(mail, u"[?&]token=([A-Za-z0-9_%\\-]+)"_s).toLatin1());
}
QString codeIn(const QString &mail)
{
    return capture(mail, u"code: (\\d{6})"_s);
}

} // namespace

class TestRecovery : public QObject
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

    // An active account (signed up and confirmed; approval is off), its id.
    QString activeAccount(const QString &name) { return testflows::confirmedUser(port(), name); }
    QString login(const QString &name, const QString &password = kPassword)
    {
        return testflows::loginToken(port(), name, password);
    }
    QList<sd::mail::OutboxEntry> outbox(const QString &kind, const QString &to = {})
    {
        core().waitForAfterAnswer(); // forgot and email change queue after answering
        QList<sd::mail::OutboxEntry> out;
        auto all = sd::mail::Outbox::list(m_server->app().database());
        if (!all)
            return out;
        for (const auto &e : *all)
            if (e.kind == kind && (to.isEmpty() || e.message.to == to))
                out.append(e);
        return out;
    }
    // The newest mail sent to `address` (through the file transport), decoded.
    QString mailTo(const QString &address)
    {
        core().waitForAfterAnswer();
        m_server->flushMail();
        return decodeMail(m_server->lastMailTo(address));
    }
    HttpResult forgot(const QString &email)
    {
        return postJson(port(), "/api/v1/password/forgot", {{u"email"_s, email}});
    }
    HttpResult reset(const QJsonObject &body)
    {
        return postJson(port(), "/api/v1/password/reset", body);
    }
    QString resetTokenFor(const QString &name) { return tokenIn(mailTo(name + u"@example.com"_s)); }
    std::optional<sd::core::Account> account(const QString &id)
    {
        auto db = m_server->app().database().connection();
        return *sd::core::accountstore::findById(*db, id);
    }

private slots:
    void cleanup() { m_server.reset(); }

    void forgotAnswersAlikeAndMailsOnlyWhoMayReset()
    {
        startServer();
        activeAccount(u"anna"_s);
        const QString disabled = activeAccount(u"dora"_s);
        QVERIFY(core().userAdmin().disable(disabled, {u"test"_s}));
        testflows::signUp(port(), u"ben"_s, u"ben@example.com"_s); // pending verification
        QByteArray first;
        for (const QString &email : {u"anna@example.com"_s, u"nobody@example.com"_s,
                                     u"ben@example.com"_s, u"dora@example.com"_s}) {
            const HttpResult r = forgot(email);
            QCOMPARE(r.status, 202);
            QCOMPARE(r.json(), QJsonObject({{u"status"_s, u"ok"_s}}));
            if (first.isEmpty())
                first = r.raw.mid(r.raw.indexOf("\r\n\r\n"));
            QCOMPARE(r.raw.mid(r.raw.indexOf("\r\n\r\n")), first);
        }
        const auto mails = outbox(u"password_reset"_s);
        QCOMPARE(mails.size(), 1);
        QCOMPARE(mails.first().message.to, u"anna@example.com"_s);
        const QString link = mailTo(u"anna@example.com"_s);
        QVERIFY(link.contains(u"http://127.0.0.1:%1/reset-password?token="_s.arg(port())));
    }

    void forgotSharesTheResendBudget()
    {
        startServer([](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.resendPerHour = 3;
            c.resendCooldownSeconds = 0;
        });
        activeAccount(u"anna"_s); // the signup's verification mail is the first of the hour
        QCOMPARE(
            postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, u"anna@example.com"_s}})
                .status,
            202);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const HttpResult limited = forgot(u"anna@example.com"_s);
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), u"rate_limited"_s);
        QVERIFY(limited.headers.contains("retry-after"));
        QCOMPARE(forgot(u"nobody@example.com"_s).status, 202); // another address's own budget
    }

    void forgotBadBodies()
    {
        startServer();
        QCOMPARE(postJson(port(), "/api/v1/password/forgot", {}).errorCode(), u"invalid_body"_s);
        const HttpResult empty = forgot(QString());
        QCOMPARE(empty.status, 400);
        QCOMPARE(empty.errorCode(), u"validation"_s);
    }

    void resetByTokenChangesPasswordEndsSessionsAndNotifies()
    {
        startServer();
        const QString id = activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 200);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const QString token = resetTokenFor(u"anna"_s);
        QCOMPARE(token.size(), 43);
        const HttpResult r = reset({{u"token"_s, token}, {u"new_password"_s, kNew}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(), QJsonObject({{u"status"_s, u"ok"_s}}));
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 401);
        QVERIFY(login(u"anna"_s).isEmpty());
        QVERIFY(!login(u"anna"_s, kNew).isEmpty());
        QCOMPARE(outbox(u"password_changed"_s, u"anna@example.com"_s).size(), 1);
        QVERIFY(account(id)->passwordHash.startsWith(u"$argon2id$"_s));
    }

    void resetByEmailAndCode()
    {
        startServer();
        activeAccount(u"anna"_s);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const QString code = codeIn(mailTo(u"anna@example.com"_s));
        QCOMPARE(code.size(), 6);
        const HttpResult r = reset(
            {{u"email"_s, u"anna@example.com"_s}, {u"code"_s, code}, {u"new_password"_s, kNew}});
        QCOMPARE(r.status, 200);
        QVERIFY(!login(u"anna"_s, kNew).isEmpty());
    }

    void resetFailuresAreByteIdentical()
    {
        startServer();
        activeAccount(u"anna"_s);
        activeAccount(u"ben"_s);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        QCOMPARE(forgot(u"ben@example.com"_s).status, 202);
        const QString used = resetTokenFor(u"anna"_s);
        const HttpResult usedOnce = reset({{u"token"_s, used}, {u"new_password"_s, kNew}});
        QVERIFY2(usedOnce.status == 200, usedOnce.body.constData());
        const QString benCode = codeIn(mailTo(u"ben@example.com"_s));
        const QString wrong = benCode == u"000000"_s ? u"111111"_s : u"000000"_s;
        QList<QJsonObject> bodies = {
            {{u"token"_s, u"x"_s.repeated(43)}, {u"new_password"_s, kNew}},
            {{u"token"_s, used}, {u"new_password"_s, kNew}},
            {{u"email"_s, u"nobody@example.com"_s},
             {u"code"_s, u"123456"_s},
             {u"new_password"_s, kNew}},
            {{u"email"_s, u"ben@example.com"_s}, {u"code"_s, wrong}, {u"new_password"_s, kNew}},
            {{u"email"_s, u"anna@example.com"_s},
             {u"code"_s, u"123456"_s},
             {u"new_password"_s, kNew}},
        };
        QByteArray first;
        for (const QJsonObject &body : bodies) {
            const HttpResult r = reset(body);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.errorCode(), u"invalid_token"_s);
            if (first.isEmpty())
                first = r.body;
            QCOMPARE(r.body, first);
        }
        // Expired: the same bytes.
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const QString fresh = resetTokenFor(u"anna"_s);
        m_server->clock().advanceSeconds(3600);
        const HttpResult expired = reset({{u"token"_s, fresh}, {u"new_password"_s, kPassword}});
        QCOMPARE(expired.status, 400);
        QCOMPARE(expired.body, first);
    }

    void refusedPasswordKeepsTheToken()
    {
        startServer();
        activeAccount(u"anna"_s);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const QString token = resetTokenFor(u"anna"_s);
        const HttpResult weak = reset({{u"token"_s, token}, {u"new_password"_s, u"short"_s}});
        QCOMPARE(weak.status, 400);
        QCOMPARE(weak.errorCode(), u"validation"_s);
        QVERIFY(weak.json()
                    .value(u"error"_s)
                    .toObject()
                    .value(u"fields"_s)
                    .toObject()
                    .contains(u"new_password"_s));
        QCOMPARE(reset({{u"token"_s, token}, {u"new_password"_s, kNew}}).status, 200);
    }

    void fiveWrongCodesBurnTheToken()
    {
        startServer();
        activeAccount(u"anna"_s);
        QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
        const QString code = codeIn(mailTo(u"anna@example.com"_s));
        const QString wrong = code == u"000000"_s ? u"111111"_s : u"000000"_s;
        const QJsonObject base{{u"email"_s, u"anna@example.com"_s}, {u"new_password"_s, kNew}};
        for (int i = 0; i < 5; ++i) {
            QJsonObject body = base;
            body.insert(u"code"_s, wrong);
            QCOMPARE(reset(body).status, 400);
        }
        QJsonObject right = base;
        right.insert(u"code"_s, code);
        QCOMPARE(reset(right).errorCode(), u"invalid_token"_s);
        QCOMPARE(reset({{u"token"_s, resetTokenFor(u"anna"_s)}, {u"new_password"_s, kNew}}).status,
                 400);
    }

    void resetBadBodies()
    {
        startServer();
        QCOMPARE(reset({{u"new_password"_s, kNew}}).errorCode(), u"invalid_body"_s);
        QCOMPARE(reset({{u"token"_s, u"t"_s},
                        {u"email"_s, u"a@example.com"_s},
                        {u"code"_s, u"123456"_s},
                        {u"new_password"_s, kNew}})
                     .errorCode(),
                 u"invalid_body"_s);
        QCOMPARE(reset({{u"token"_s, u"t"_s}}).errorCode(), u"invalid_body"_s);
        QCOMPARE(reset({{u"token"_s, 5}, {u"new_password"_s, kNew}}).errorCode(),
                 u"invalid_body"_s);
    }

    void parallelResetsWithOneToken()
    {
        startServer([](sd::core::Config &c) { c.workers = 8; });
        activeAccount(u"anna"_s);
        constexpr int kClients = 50;
        for (int round = 0; round < 2; ++round) {
            QCOMPARE(forgot(u"anna@example.com"_s).status, 202);
            const QString token = resetTokenFor(u"anna"_s);
            std::latch start(kClients);
            std::vector<HttpResult> results(kClients);
            std::vector<std::thread> threads;
            for (int i = 0; i < kClients; ++i)
                threads.emplace_back([&, i] {
                    start.arrive_and_wait();
                    const QString password = kNew + QString::number(i);
                    results[size_t(i)] =
                        reset({{u"token"_s, token}, {u"new_password"_s, password}});
                });
            for (auto &t : threads)
                t.join();
            int successes = 0, winner = -1;
            for (int i = 0; i < kClients; ++i) {
                const HttpResult &r = results[size_t(i)];
                if (r.status == 200) {
                    ++successes;
                    winner = i;
                    continue;
                }
                QCOMPARE(r.status, 400);
                QCOMPARE(r.errorCode(), u"invalid_token"_s);
            }
            QCOMPARE(successes, 1);
            QVERIFY(!login(u"anna"_s, kNew + QString::number(winner)).isEmpty());
            QCOMPARE(outbox(u"password_changed"_s).size(), round + 1);
        }
    }

    void changePassword()
    {
        startServer();
        activeAccount(u"anna"_s);
        const QString mine = login(u"anna"_s);
        const QString other = login(u"anna"_s);
        const QJsonObject body{{u"current_password"_s, kPassword}, {u"new_password"_s, kNew}};
        QCOMPARE(postJson(port(), "/api/v1/user/password", body).status, 401);
        const HttpResult wrong = postJson(
            port(), "/api/v1/user/password",
            {{u"current_password"_s, u"not it at all"_s}, {u"new_password"_s, kNew}}, mine);
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), u"invalid_credentials"_s);
        const HttpResult weak =
            postJson(port(), "/api/v1/user/password",
                     {{u"current_password"_s, kPassword}, {u"new_password"_s, u"short"_s}}, mine);
        QCOMPARE(weak.status, 400);
        QCOMPARE(weak.errorCode(), u"validation"_s);
        const HttpResult r = postJson(port(), "/api/v1/user/password", body, mine);
        QCOMPARE(r.status, 204);
        QCOMPARE(getJson(port(), "/api/v1/user/me", mine).status, 200);
        QCOMPARE(getJson(port(), "/api/v1/user/me", other).status, 401);
        QVERIFY(!login(u"anna"_s, kNew).isEmpty());
        QCOMPARE(outbox(u"password_changed"_s).size(), 1);
    }

    void wrongCurrentPasswordCountsAsFailedLogin()
    {
        startServer([](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.lockoutEnabled = false;
            c.loginFailuresPerWindow = 3;
        });
        activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(
                postJson(port(), "/api/v1/user/password",
                         {{u"current_password"_s, u"guess %1"_s.arg(i)}, {u"new_password"_s, kNew}},
                         ust)
                    .status,
                401);
        const HttpResult login = postJson(port(), "/api/v1/login",
                                          {{u"username"_s, u"anna"_s}, {u"password"_s, kPassword}});
        QCOMPARE(login.status, 429);
    }

    // A username locked by failed logins is locked for every re-authentication too, the right
    // password included: a guesser who holds a session gets no tries the login refuses. Each
    // refusal is audited as login.locked_out and changes nothing; after the wait, all work.
    void aLockedUsernameIsLockedForEveryReauthentication()
    {
        startServer([](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.lockoutEnabled = true;
            c.loginFailuresPerWindow = 1'000'000;
            c.requestsPerAddressPerMinute = 1'000'000;
            c.lockoutFailures = 2;
            c.lockoutWaitIncrementSeconds = 60;
        });
        const QString id = activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        for (int i = 0; i < 2; ++i)
            QCOMPARE(postJson(port(), "/api/v1/login",
                              {{u"username"_s, u"anna"_s}, {u"password"_s, u"wrong %1"_s.arg(i)}})
                         .status,
                     401);
        const QJsonObject password{{u"current_password"_s, kPassword}, {u"new_password"_s, kNew}};
        const QJsonObject email{{u"current_password"_s, kPassword},
                                {u"new_email"_s, u"anna@new.example"_s}};
        const QJsonObject current{{u"current_password"_s, kPassword}};
        const QList<std::pair<QByteArray, QJsonObject>> calls = {
            {"/api/v1/user/password", password},
            {"/api/v1/user/email", email},
            {"/api/v1/user/mfa/totp", current},
            {"/api/v1/user/delete", current},
        };
        for (const auto &[path, body] : calls) {
            const HttpResult r = postJson(port(), path, body, ust);
            QVERIFY2(r.status == 401, path.constData());
            QCOMPARE(r.errorCode(), u"invalid_credentials"_s);
        }
        auto db = m_server->app().database().connection();
        QVERIFY(db);
        auto entries = sd::core::auditlog::list(*db, id);
        QVERIFY(entries);
        int lockedOut = 0;
        for (const auto &e : *entries)
            lockedOut += e.action == u"login.locked_out"_s ? 1 : 0;
        QCOMPARE(lockedOut, int(calls.size()));
        QVERIFY(account(id).has_value()); // not deleted
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"email"_s).toString(),
                 u"anna@example.com"_s);

        m_server->clock().advanceSeconds(61);
        QCOMPARE(postJson(port(), "/api/v1/user/password", password, ust).status, 204);
    }

    void changeEmail()
    {
        startServer();
        const QString id = activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        const QJsonObject body{{u"new_email"_s, u"anna@new.example"_s},
                               {u"current_password"_s, kPassword}};
        QCOMPARE(postJson(port(), "/api/v1/user/email", body).status, 401);
        const HttpResult wrong = postJson(
            port(), "/api/v1/user/email",
            {{u"new_email"_s, u"anna@new.example"_s}, {u"current_password"_s, u"no"_s}}, ust);
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), u"invalid_credentials"_s);
        const HttpResult invalid =
            postJson(port(), "/api/v1/user/email",
                     {{u"new_email"_s, u"nope"_s}, {u"current_password"_s, kPassword}}, ust);
        QCOMPARE(invalid.status, 400);
        QCOMPARE(invalid.errorCode(), u"validation"_s);

        const HttpResult r = postJson(port(), "/api/v1/user/email", body, ust);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json(), QJsonObject({{u"status"_s, u"ok"_s}}));
        const QString link = mailTo(u"anna@new.example"_s);
        QVERIFY(link.contains(u"http://127.0.0.1:%1/confirm-email-change?token="_s.arg(port())));
        QCOMPARE(outbox(u"email_change_notice"_s, u"anna@example.com"_s).size(), 1);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"email"_s).toString(),
                 u"anna@example.com"_s);

        const HttpResult confirmed =
            postJson(port(), "/api/v1/email-change/confirm", {{u"token"_s, tokenIn(link)}});
        QCOMPARE(confirmed.status, 200);
        QCOMPARE(confirmed.json().value(u"user_id"_s).toString(), id);
        QCOMPARE(confirmed.json().value(u"email"_s).toString(), u"anna@new.example"_s);
        QCOMPARE(confirmed.json().value(u"verified_email"_s).toBool(), true);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"email"_s).toString(),
                 u"anna@new.example"_s);
        const HttpResult again =
            postJson(port(), "/api/v1/email-change/confirm", {{u"token"_s, tokenIn(link)}});
        QCOMPARE(again.status, 400);
        QCOMPARE(again.errorCode(), u"invalid_token"_s);
        QCOMPARE(postJson(port(), "/api/v1/email-change/confirm", {{u"token"_s, u"bogus"_s}}).body,
                 again.body);
    }

    void changeEmailByCode()
    {
        startServer();
        activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        QCOMPARE(
            postJson(port(), "/api/v1/user/email",
                     {{u"new_email"_s, u"anna@new.example"_s}, {u"current_password"_s, kPassword}},
                     ust)
                .status,
            202);
        const QString code = codeIn(mailTo(u"anna@new.example"_s));
        QCOMPARE(postJson(port(), "/api/v1/email-change/confirm", {{u"code"_s, code}}).status,
                 401); // a code needs the signed-in user
        const HttpResult r =
            postJson(port(), "/api/v1/email-change/confirm", {{u"code"_s, code}}, ust);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(u"email"_s).toString(), u"anna@new.example"_s);
    }

    void changeEmailToATakenAddressAnswersAlike()
    {
        startServer();
        activeAccount(u"anna"_s);
        activeAccount(u"ben"_s);
        const QString ust = login(u"anna"_s);
        const HttpResult free = postJson(
            port(), "/api/v1/user/email",
            {{u"new_email"_s, u"free@example.com"_s}, {u"current_password"_s, kPassword}}, ust);
        const HttpResult taken = postJson(
            port(), "/api/v1/user/email",
            {{u"new_email"_s, u"ben@example.com"_s}, {u"current_password"_s, kPassword}}, ust);
        QCOMPARE(taken.status, 202);
        QCOMPARE(taken.body, free.body);
        QCOMPARE(outbox(u"already_registered"_s, u"ben@example.com"_s).size(), 1);
        QVERIFY(outbox(u"email_change"_s, u"ben@example.com"_s).isEmpty());
        QCOMPARE(outbox(u"email_change_notice"_s, u"anna@example.com"_s).size(), 2);
    }

    void addressTakenMeanwhileIsInvalidToken()
    {
        startServer();
        activeAccount(u"anna"_s);
        const QString ust = login(u"anna"_s);
        QCOMPARE(
            postJson(port(), "/api/v1/user/email",
                     {{u"new_email"_s, u"carl@example.com"_s}, {u"current_password"_s, kPassword}},
                     ust)
                .status,
            202);
        const QString token = tokenIn(mailTo(u"carl@example.com"_s));
        activeAccount(u"carl"_s);
        const HttpResult r =
            postJson(port(), "/api/v1/email-change/confirm", {{u"token"_s, token}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), u"invalid_token"_s);
    }

    void adminPasswordReset()
    {
        startServer();
        const QString anna = activeAccount(u"anna"_s);
        const QString pending = testflows::signUp(port(), u"ben"_s, u"ben@example.com"_s).userId;
        auto admin = core().signup().createSuperuser(u"boss"_s, u"boss@example.com"_s, kPassword,
                                                     {u"test"_s});
        QVERIFY(admin);
        const QString boss = login(u"boss"_s);
        const QString user = login(u"anna"_s);
        const auto path = [](const QString &id) {
            return (u"/api/v1/admin/users/"_s + id + u"/password-reset"_s).toUtf8();
        };
        QCOMPARE(postJson(port(), path(anna), {}).status, 401);
        QCOMPARE(postJson(port(), path(anna), {}, user).status, 403);
        QCOMPARE(postJson(port(), path(u"usr_nobody"_s), {}, boss).status, 404);
        QCOMPARE(postJson(port(), path(pending), {}, boss).status, 409);
        const HttpResult r = postJson(port(), path(anna), {}, boss);
        QCOMPARE(r.status, 202);
        QCOMPARE(outbox(u"password_reset"_s, u"anna@example.com"_s).size(), 1);
        QCOMPARE(reset({{u"token"_s, resetTokenFor(u"anna"_s)}, {u"new_password"_s, kNew}}).status,
                 200);
        QCOMPARE(postJson(port(), "/api/v1/admin/users//password-reset", {}, boss).status, 404);
    }

    void adminPasswordResetHiddenWhenAdminApiOff()
    {
        startServer([](sd::core::Config &c) { c.adminApiEnabled = false; });
        const QString anna = activeAccount(u"anna"_s);
        const HttpResult r = postJson(
            port(), (u"/api/v1/admin/users/"_s + anna + u"/password-reset"_s).toUtf8(), {});
        QCOMPARE(r.status, 404);
    }
};

QTEST_GUILESS_MAIN(TestRecovery)
#include "tst_recovery.moc"
