// The HTTP contract of API.md ("Self-service signup", "Login and sessions",
// "Administration", /healthz) over real HTTP on loopback, against an in-process server with
// a fake clock. Built twice: on SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testenv.h"
#include "testserver.h"

#include "accounts/accountstore.h"
#include "outbox.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

#include <latch>
#include <thread>

#include "apiflows.h"

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
using testflows::signupBody;

// Quoted-printable soft breaks and escapes undone, enough to read links and codes.

QString capture(const QString &text, const QString &pattern)
{
    return QRegularExpression(pattern).match(text).captured(1);
}

// A JSON error body with its random parts masked, for byte-by-byte comparisons.
QByteArray maskIds(QByteArray body)
{
    static const QRegularExpression ids(u"(usr|cid)_[A-Za-z0-9_-]{22}"_s);
    return QString::fromUtf8(body).replace(ids, u"\\1_*"_s).toUtf8();
}

} // namespace

class TestApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    // Starts a fresh server; `configure` changes settings first.
    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.adminApiEnabled = true;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }

    // Signs up and returns {user_id, confirm_token}.
    std::pair<QString, QString> signUp(const QString &username, const QString &email)
    {
        const auto s = testflows::signUp(port(), username, email);
        return {s.userId, s.confirmToken};
    }

    // Signs up and confirms: pending_approval (approval required by default).
    QString pendingApproval(const QString &username)
    {
        return testflows::confirmedUser(port(), username);
    }

    QString loginToken(const QString &username, const QString &password = kPassword)
    {
        return testflows::loginToken(port(), username, password);
    }

    QString superuserToken()
    {
        auto admin = m_server->app().core().signup().createSuperuser(
            u"boss"_s, u"boss@example.com"_s, kPassword, {u"test"_s});
        if (!admin)
            qWarning("createSuperuser: %s", qPrintable(admin.error().detail));
        return loginToken(u"boss"_s);
    }

    QList<sd::mail::OutboxEntry> outbox(const QString &kind = {})
    {
        m_server->app().core().waitForAfterAnswer(); // resend and email-link queue after answering
        auto all = sd::mail::Outbox::list(m_server->app().database());
        QList<sd::mail::OutboxEntry> out;
        if (!all) {
            qWarning("outbox: %s", qPrintable(all.error().message));
            return out;
        }
        for (const auto &e : *all)
            if (kind.isEmpty() || e.kind == kind)
                out.append(e);
        return out;
    }

    // The newest email to `address`, sent through the file transport and decoded.
    QString mailTo(const QString &address)
    {
        m_server->flushMail();
        return decodeMail(m_server->lastMailTo(address));
    }

    int sessionsUsedAt(qint64 ms)
    {
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        q.prepare(u"SELECT count(*) FROM tokens WHERE kind = 'session' AND last_used_at = ?"_s);
        q.addBindValue(ms);
        if (!q.exec() || !q.next())
            return -1;
        return q.value(0).toInt();
    }

    QString statusOf(const QString &id)
    {
        const auto a = account(id);
        return a ? sd::core::toString(a->status) : u"(deleted)"_s;
    }

    std::optional<sd::core::Account> account(const QString &id)
    {
        auto db = m_server->app().database().connection();
        return *sd::core::accountstore::findById(*db, id);
    }

private slots:
    void cleanup() { m_server.reset(); }

    void healthz()
    {
        startServer();
        const HttpResult r = getJson(port(), "/healthz");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(), QJsonObject({{u"status"_s, u"ok"_s}}));
        QCOMPARE(r.headers.value("content-type"), "application/json; charset=utf-8");
        QCOMPARE(r.headers.value("x-content-type-options"), "nosniff");
    }

    void signupCreatesPendingAccountAndQueuesVerification()
    {
        startServer();
        const HttpResult r =
            postJson(port(), "/api/v1/signup", signupBody(u"alice"_s, u"Alice@Example.com"_s));
        QCOMPARE(r.status, 201);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(u"status"_s).toString(), u"ok"_s);
        QVERIFY(o.value(u"user_id"_s).toString().startsWith(u"usr_"_s));
        QVERIFY(o.value(u"cid"_s).toString().startsWith(u"cid_"_s));
        QCOMPARE(o.value(u"confirm_token"_s).toString().size(), 43);
        const auto a = account(o.value(u"user_id"_s).toString());
        QVERIFY(a);
        QCOMPARE(sd::core::toString(a->status), u"pending_verification"_s);
        QCOMPARE(a->remoteIp, u"127.0.0.1"_s);
        QCOMPARE(a->apps, QStringList{u"default"_s});
        QCOMPARE(outbox(u"verification"_s).size(), 1);
        // The password is stored only as an argon2id hash.
        QVERIFY(a->passwordHash.startsWith(u"$argon2id$"_s));
        QVERIFY(!a->passwordHash.contains(kPassword));
    }

    void signupWithoutConfirmTokenByDefault()
    {
        startServer([](sd::core::Config &c) { c.returnConfirmToken = false; });
        const HttpResult r =
            postJson(port(), "/api/v1/signup", signupBody(u"alice"_s, u"a@example.com"_s));
        QCOMPARE(r.status, 201);
        QVERIFY(!r.json().contains(u"confirm_token"_s));
    }

    void signupValidation_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("field");
        auto with = [](const QString &key, const QJsonValue &v) {
            QJsonObject o = signupBody(u"carol"_s, u"carol@example.com"_s);
            o.insert(key, v);
            return o;
        };
        QTest::newRow("username too short") << with(u"username"_s, u"ab"_s) << u"username"_s;
        QTest::newRow("username bad chars") << with(u"username"_s, u"car ol"_s) << u"username"_s;
        QTest::newRow("username reserved") << with(u"username"_s, u"Admin"_s) << u"username"_s;
        QTest::newRow("username empty") << with(u"username"_s, u""_s) << u"username"_s;
        QTest::newRow("email invalid") << with(u"email"_s, u"carol.example.com"_s) << u"email"_s;
        QTest::newRow("password 11") << with(u"password"_s, u"abcdefghijk"_s) << u"password"_s;
        QTest::newRow("password 257") << with(u"password"_s, QString(257, u'x')) << u"password"_s;
        QTest::newRow("password common") << with(u"password"_s, u"password1234"_s) << u"password"_s;
        QTest::newRow("password has username")
            << with(u"password"_s, u"my carol is long"_s) << u"password"_s;
        QTest::newRow("unknown app") << with(u"current_app"_s, u"nope"_s) << u"current_app"_s;
        QTest::newRow("app list without current") << [&] {
            QJsonObject o = with(u"current_app"_s, u"default"_s);
            o.insert(u"app_list"_s, QJsonArray{u"other"_s});
            return o;
        }() << u"app_list"_s;
        QTest::newRow("unknown language") << with(u"language"_s, u"xx"_s) << u"language"_s;
    }
    void signupValidation()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, field);
        startServer();
        const HttpResult r = postJson(port(), "/api/v1/signup", body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), u"validation"_s);
        const QJsonObject error = r.json().value(u"error"_s).toObject();
        QVERIFY(!error.value(u"message"_s).toString().isEmpty());
        QVERIFY2(error.value(u"fields"_s).toObject().contains(field), r.body.constData());
        QVERIFY(outbox().isEmpty());
    }

    void usernameTakenCaseInsensitively()
    {
        startServer();
        signUp(u"dave"_s, u"dave@example.com"_s);
        const HttpResult r =
            postJson(port(), "/api/v1/signup", signupBody(u"DAVE"_s, u"other@example.com"_s));
        QCOMPARE(r.status, 400);
        QVERIFY(r.json()[u"error"_s][u"fields"_s].toObject().contains(u"username"_s));
    }

    void badBodies_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray json = "application/json";
        QTest::newRow("not json") << QByteArray("/api/v1/signup") << QByteArray("{nope") << json
                                  << 400 << u"invalid_json"_s;
        QTest::newRow("array") << QByteArray("/api/v1/signup") << QByteArray("[1,2]") << json << 400
                               << u"invalid_json"_s;
        QTest::newRow("string") << QByteArray("/api/v1/login") << QByteArray("\"x\"") << json << 400
                                << u"invalid_json"_s;
        QTest::newRow("33 deep") << QByteArray("/api/v1/signup")
                                 << QByteArray("{\"a\":") + QByteArray(32, '[') +
                                        QByteArray(32, ']') + "}"
                                 << json << 400 << u"invalid_json"_s;
        QTest::newRow("100000 deep") << QByteArray("/api/v1/signup") << QByteArray(100000, '[')
                                     << json << 413 << u"payload_too_large"_s;
        QTest::newRow("missing field")
            << QByteArray("/api/v1/signup") << QByteArray(R"({"username":"x","email":"a@b.c"})")
            << json << 400 << u"invalid_body"_s;
        QTest::newRow("null field")
            << QByteArray("/api/v1/login") << QByteArray(R"({"username":null,"password":"x"})")
            << json << 400 << u"invalid_body"_s;
        QTest::newRow("wrong type")
            << QByteArray("/api/v1/signup")
            << QByteArray(R"({"username":5,"password":"xxxxxxxxxxxxxxxx","email":"a@b.c"})") << json
            << 400 << u"invalid_body"_s;
        QTest::newRow("app_list not array")
            << QByteArray("/api/v1/signup")
            << QByteArray(
                   R"({"username":"erin","password":"correct battery staple","email":"e@b.c","app_list":"default"})")
            << json << 400 << u"invalid_body"_s;
        QTest::newRow("timestamp as string")
            << QByteArray("/api/v1/accounts/verify-registration/")
            << QByteArray(R"({"user_id":"usr_x","timestamp":"1","signature":"s"})") << json << 400
            << u"invalid_body"_s;
        QTest::newRow("timestamp fraction")
            << QByteArray("/api/v1/accounts/verify-registration/")
            << QByteArray(R"({"user_id":"usr_x","timestamp":1.5,"signature":"s"})") << json << 400
            << u"invalid_body"_s;
        QTest::newRow("token and code")
            << QByteArray("/api/v1/user/verify-email/")
            << QByteArray(R"({"email":"a@b.c","token":"t","code":"123456"})") << json << 400
            << u"invalid_body"_s;
        QTest::newRow("neither token nor code")
            << QByteArray("/api/v1/user/verify-email/") << QByteArray(R"({"email":"a@b.c"})")
            << json << 400 << u"invalid_body"_s;
        QTest::newRow("oversized") << QByteArray("/api/v1/signup")
                                   << QByteArray("{\"a\":\"") + QByteArray(64 * 1024, 'x') + "\"}"
                                   << json << 413 << u"payload_too_large"_s;
        QTest::newRow("text/plain")
            << QByteArray("/api/v1/signup") << QByteArray("{}") << QByteArray("text/plain") << 415
            << u"unsupported_media_type"_s;
        QTest::newRow("form") << QByteArray("/api/v1/login") << QByteArray("username=a&password=b")
                              << QByteArray("application/x-www-form-urlencoded") << 415
                              << u"unsupported_media_type"_s;
    }
    void badBodies()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        startServer();
        const HttpResult r =
            httpRequest(port(), "POST", path, body, {{"Content-Type", contentType}});
        QCOMPARE(r.status, status);
        QCOMPARE(r.errorCode(), code);
        QVERIFY(!r.json()[u"error"_s][u"message"_s].toString().isEmpty());
        QCOMPARE(getJson(port(), "/healthz").status, 200);
    }

    void messagesFollowTheRequestLanguage_data()
    {
        QTest::addColumn<QByteArray>("acceptLanguage");
        QTest::addColumn<QString>("bodyLanguage");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("fieldMessage");
        const QString en = u"Some fields are not valid."_s,
                      enField = u"This value has an invalid format."_s;
        const QString fr = u"Certains champs ne sont pas valides."_s,
                      frField = u"Le format de cette valeur n’est pas valide."_s;
        const QString de = u"Einige Felder sind ungültig."_s,
                      deField = u"Dieser Wert hat ein ungültiges Format."_s;
        QTest::newRow("none") << QByteArray() << QString() << en << enField;
        QTest::newRow("fr") << QByteArray("fr") << QString() << fr << frField;
        QTest::newRow("de-CH region") << QByteArray("de-CH") << QString() << de << deField;
        QTest::newRow("q-values") << QByteArray("es;q=1.0, fr;q=0.4, de;q=0.8") << QString() << de
                                  << deField;
        QTest::newRow("unsupported") << QByteArray("ja, zh;q=0.9") << QString() << en << enField;
        QTest::newRow("body wins") << QByteArray("fr") << u"de"_s << de << deField;
    }
    void messagesFollowTheRequestLanguage()
    {
        QFETCH(QByteArray, acceptLanguage);
        QFETCH(QString, bodyLanguage);
        QFETCH(QString, message);
        QFETCH(QString, fieldMessage);
        startServer();
        QJsonObject body = signupBody(u"lang"_s, u"not-an-email"_s);
        if (!bodyLanguage.isEmpty())
            body.insert(u"language"_s, bodyLanguage);
        HeaderList headers;
        if (!acceptLanguage.isEmpty())
            headers.append({"Accept-Language", acceptLanguage});
        const HttpResult r =
            httpRequest(port(), "POST", "/api/v1/signup", QJsonDocument(body).toJson(), headers);
        QCOMPARE(r.status, 400);
        const QJsonObject error = r.json().value(u"error"_s).toObject();
        QCOMPARE(error.value(u"code"_s).toString(), u"validation"_s); // codes never change
        QCOMPARE(error.value(u"message"_s).toString(), message);
        QCOMPARE(error[u"fields"_s][u"email"_s][0].toString(), fieldMessage);
        // Errors the server answers itself follow Accept-Language too.
        const HttpResult missing = httpRequest(port(), "GET", "/nowhere", {}, headers);
        QCOMPARE(missing.status, 404);
        QVERIFY(!missing.json()[u"error"_s][u"message"_s].toString().isEmpty());
    }

    void unknownPathAndWrongMethod()
    {
        startServer();
        const HttpResult missing = getJson(port(), "/api/v1/nothing-here");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.errorCode(), u"not_found"_s);
        const HttpResult wrong = getJson(port(), "/api/v1/login");
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.errorCode(), u"method_not_allowed"_s);
        QCOMPARE(wrong.headers.value("allow"), "POST");
    }

    void signupDisabled()
    {
        startServer([](sd::core::Config &c) { c.signupEnabled = false; });
        const HttpResult r =
            postJson(port(), "/api/v1/signup", signupBody(u"frank"_s, u"f@example.com"_s));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.errorCode(), u"signup_disabled"_s);
    }

    void signupRateLimitedPerAddress()
    {
        startServer([](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.requestsPerAddressPerMinute = 3;
        });
        for (int i = 0; i < 3; ++i)
            QCOMPARE(postJson(port(), "/api/v1/signup",
                              signupBody(u"user%1"_s.arg(i), u"u%1@example.com"_s.arg(i)))
                         .status,
                     201);
        const HttpResult r =
            postJson(port(), "/api/v1/signup", signupBody(u"user9"_s, u"u9@example.com"_s));
        QCOMPARE(r.status, 429);
        QCOMPARE(r.errorCode(), u"rate_limited"_s);
        QVERIFY(r.headers.value("retry-after").toInt() >= 1);
        m_server->clock().advanceSeconds(61);
        QCOMPARE(
            postJson(port(), "/api/v1/signup", signupBody(u"user9"_s, u"u9@example.com"_s)).status,
            201);
    }

    void duplicateEmailAnswersLikeNewAndSendsNotice()
    {
        startServer();
        const HttpResult first =
            postJson(port(), "/api/v1/signup", signupBody(u"gina"_s, u"gina@example.com"_s));
        const HttpResult fresh =
            postJson(port(), "/api/v1/signup", signupBody(u"hank"_s, u"hank@example.com"_s));
        const HttpResult dup =
            postJson(port(), "/api/v1/signup", signupBody(u"gina2"_s, u"GINA@example.com"_s));
        QCOMPARE(first.status, 201);
        QCOMPARE(dup.status, fresh.status);
        QCOMPARE(dup.json().keys(), fresh.json().keys());
        for (const QString &key : fresh.json().keys())
            QCOMPARE(dup.json().value(key).toString().size(),
                     fresh.json().value(key).toString().size());
        QCOMPARE(maskIds(dup.body).size(), maskIds(fresh.body).size());
        QVERIFY(dup.json().value(u"user_id"_s) != first.json().value(u"user_id"_s));
        // The known address gets a notice, not a token; nothing else was created.
        const auto notices = outbox(u"already_registered"_s);
        QCOMPARE(notices.size(), 1);
        QCOMPARE(notices.first().message.to, u"gina@example.com"_s);
        QCOMPARE(outbox(u"verification"_s).size(), 2);
        // The username is held by a placeholder pending account (issue 18 item 1), which does
        // not take the address from its owner.
        const auto placeholder = account(dup.json().value(u"user_id"_s).toString());
        QVERIFY(placeholder);
        QCOMPARE(placeholder->username, u"gina2"_s);
        QVERIFY(placeholder->status == sd::core::AccountStatus::PendingVerification);
        // The fake confirm token redeems nothing.
        const HttpResult c = postJson(port(), "/api/v1/signup/confirm",
                                      {{u"confirm_token"_s, dup.json()[u"confirm_token"_s]}});
        QCOMPARE(c.status, 400);
    }

    void confirmTokenFlow()
    {
        startServer();
        auto [id, token] = signUp(u"ivy"_s, u"ivy@example.com"_s);
        const HttpResult r =
            postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(),
                 QJsonObject(
                     {{u"status"_s, u"ok"_s}, {u"user_id"_s, id}, {u"approval"_s, u"pending"_s}}));
        QCOMPARE(statusOf(id), sd::core::toString(sd::core::AccountStatus::PendingApproval));
        QVERIFY(account(id)->verifiedEmail);
        const HttpResult again =
            postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        QCOMPARE(again.status, 400);
        QCOMPARE(again.errorCode(), u"invalid_token"_s);
        const HttpResult garbage =
            postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, u"nope"_s}});
        QCOMPARE(garbage.body, again.body);
    }

    void confirmWithoutApprovalActivatesAndWelcomes()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"jack"_s, u"jack@example.com"_s);
        const HttpResult r =
            postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        QCOMPARE(r.json().value(u"approval"_s).toString(), u"not_required"_s);
        QCOMPARE(statusOf(id), sd::core::toString(sd::core::AccountStatus::Active));
        QCOMPARE(account(id)->groups, QStringList{u"users"_s});
        QCOMPARE(outbox(u"welcome"_s).size(), 1);
        QVERIFY(!loginToken(u"jack"_s).isEmpty());
    }

    void verifyEmailByToken()
    {
        startServer();
        auto [id, token] = signUp(u"kate"_s, u"kate@example.com"_s);
        const HttpResult r = postJson(port(), "/api/v1/user/verify-email/",
                                      {{u"email"_s, u"KATE@example.com"_s}, {u"token"_s, token}});
        QCOMPARE(r.status, 200);
        const QJsonObject user = r.json();
        QCOMPARE(user.value(u"user_id"_s).toString(), id);
        QCOMPARE(user.value(u"verified_email"_s).toBool(), true);
        QCOMPARE(user.value(u"status"_s).toString(), u"pending_approval"_s);
        for (const char *key : {"username", "email", "display_name", "apps", "groups",
                                "sign_up_time", "tos_accepted_version"})
            QVERIFY2(user.contains(QLatin1String(key)), key);
        QVERIFY(user.value(u"sign_up_time"_s).toString().endsWith(u'Z'));
    }

    void verificationFailuresAreByteIdentical()
    {
        startServer();
        auto [id1, usedToken] = signUp(u"liam"_s, u"liam@example.com"_s);
        auto [id2, liveToken] = signUp(u"mona"_s, u"mona@example.com"_s);
        auto [id3, expiringToken] = signUp(u"nina"_s, u"nina@example.com"_s);
        QCOMPARE(postJson(port(), "/api/v1/user/verify-email/",
                          {{u"email"_s, u"liam@example.com"_s}, {u"token"_s, usedToken}})
                     .status,
                 200);

        auto attempt = [&](const QString &email, const QString &token) {
            return postJson(port(), "/api/v1/user/verify-email/",
                            {{u"email"_s, email}, {u"token"_s, token}});
        };
        const HttpResult unknownEmail = attempt(u"nobody@example.com"_s, liveToken);
        const HttpResult wrongToken = attempt(u"mona@example.com"_s, u"A"_s.repeated(43));
        const HttpResult used = attempt(u"liam@example.com"_s, usedToken);
        const HttpResult otherAddress = attempt(u"liam@example.com"_s, liveToken);
        m_server->clock().advanceSeconds(m_server->config().verificationTtlSeconds + 1);
        const HttpResult expired = attempt(u"nina@example.com"_s, expiringToken);
        for (const HttpResult *r : {&unknownEmail, &wrongToken, &used, &otherAddress, &expired}) {
            QCOMPARE(r->status, 400);
            QCOMPARE(r->errorCode(), u"invalid_verification"_s);
            QCOMPARE(r->body, unknownEmail.body);
            QCOMPARE(r->headers.value("content-length"),
                     unknownEmail.headers.value("content-length"));
        }
        QVERIFY(!account(id2)->verifiedEmail);
    }

    void expiryIsExact()
    {
        startServer();
        auto [id, token] = signUp(u"olga"_s, u"olga@example.com"_s);
        m_server->clock().advanceSeconds(m_server->config().verificationTtlSeconds - 1);
        QCOMPARE(postJson(port(), "/api/v1/user/verify-email/",
                          {{u"email"_s, u"olga@example.com"_s}, {u"token"_s, token}})
                     .status,
                 200);
    }

    void verifyByCodeAndBurnAfterFiveWrong()
    {
        startServer();
        signUp(u"paul"_s, u"paul@example.com"_s);
        signUp(u"quin"_s, u"quin@example.com"_s);
        auto codeOf = [&](const QString &to) { return capture(mailTo(to), u"code: (\\d{6})"_s); };
        const QString paulCode = codeOf(u"paul@example.com"_s);
        const QString quinCode = codeOf(u"quin@example.com"_s);
        QCOMPARE(paulCode.size(), 6);
        auto submit = [&](const QString &email, const QString &code) {
            return postJson(port(), "/api/v1/user/verify-email/",
                            {{u"email"_s, email}, {u"code"_s, code}});
        };
        const HttpResult ok = submit(u"paul@example.com"_s, paulCode);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json().value(u"verified_email"_s).toBool(), true);

        const QString wrong = quinCode == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < 5; ++i) {
            const HttpResult r = submit(u"quin@example.com"_s, wrong);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.errorCode(), u"invalid_verification"_s);
        }
        const HttpResult burned = submit(u"quin@example.com"_s, quinCode);
        QCOMPARE(burned.status, 400);
        // Only a resend helps; its new code works.
        QCOMPARE(
            postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, u"quin@example.com"_s}})
                .status,
            202);
        const QString fresh = codeOf(u"quin@example.com"_s);
        QCOMPARE(fresh.size(), 6);
        QCOMPARE(submit(u"quin@example.com"_s, fresh).status, 200);
    }

    void signedVerificationLink()
    {
        startServer([](sd::core::Config &c) { c.verificationStyle = u"signed"_s; });
        auto [id, token] = signUp(u"rita"_s, u"rita@example.com"_s);
        QCOMPARE(outbox(u"verification"_s).size(), 1);
        const QString body = mailTo(u"rita@example.com"_s);
        QVERIFY2(body.contains(u"/verify-registration?user_id="_s), qPrintable(body));
        const QString userId =
            QUrl::fromPercentEncoding(capture(body, u"user_id=([^&\\s]+)"_s).toUtf8());
        const qint64 timestamp = capture(body, u"timestamp=(\\d+)"_s).toLongLong();
        const QString signature =
            QUrl::fromPercentEncoding(capture(body, u"signature=([^&\\s]+)"_s).toUtf8());
        QCOMPARE(userId, id);
        auto verify = [&](const QString &u, const QJsonValue &t, const QString &s) {
            return postJson(port(), "/api/v1/accounts/verify-registration/",
                            {{u"user_id"_s, u}, {u"timestamp"_s, t}, {u"signature"_s, s}});
        };
        QString tampered = signature;
        tampered[3] = tampered[3] == u'A' ? u'B' : u'A';
        const HttpResult bad1 = verify(userId, double(timestamp), tampered);
        const HttpResult bad2 = verify(userId, double(timestamp + 1), signature);
        const HttpResult bad3 =
            verify(u"usr_AAAAAAAAAAAAAAAAAAAAAA"_s, double(timestamp), signature);
        for (const HttpResult *r : {&bad1, &bad2, &bad3}) {
            QCOMPARE(r->status, 400);
            QCOMPARE(r->errorCode(), u"invalid_signature"_s);
            QCOMPARE(r->body, bad1.body);
        }
        const HttpResult ok = verify(userId, double(timestamp), signature);
        QCOMPARE(ok.status, 200);
        QCOMPARE(ok.json().value(u"verified_email"_s).toBool(), true);
        const HttpResult replay = verify(userId, double(timestamp), signature);
        QCOMPARE(replay.status, 400);
        QCOMPARE(replay.body, bad1.body);
    }

    void signedLinkExpires()
    {
        startServer([](sd::core::Config &c) { c.verificationStyle = u"signed"_s; });
        auto [id, token] = signUp(u"sara"_s, u"sara@example.com"_s);
        const QString body = mailTo(u"sara@example.com"_s);
        const qint64 timestamp = capture(body, u"timestamp=(\\d+)"_s).toLongLong();
        const QString signature =
            QUrl::fromPercentEncoding(capture(body, u"signature=([^&\\s]+)"_s).toUtf8());
        m_server->clock().advanceSeconds(m_server->config().verificationTtlSeconds + 2);
        const HttpResult r = postJson(
            port(), "/api/v1/accounts/verify-registration/",
            {{u"user_id"_s, id}, {u"timestamp"_s, double(timestamp)}, {u"signature"_s, signature}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), u"invalid_signature"_s);
    }

    void resendAlways202AndRevokesOldToken()
    {
        startServer();
        auto [id, oldToken] = signUp(u"tina"_s, u"tina@example.com"_s);
        const HttpResult known =
            postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, u"tina@example.com"_s}});
        const HttpResult unknown =
            postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, u"ghost@example.com"_s}});
        QCOMPARE(known.status, 202);
        QCOMPARE(unknown.status, 202);
        QCOMPARE(known.body, unknown.body);
        const auto mails = outbox(u"verification"_s);
        QCOMPARE(mails.size(), 2); // none for the unknown address
        QCOMPARE(postJson(port(), "/api/v1/user/verify-email/",
                          {{u"email"_s, u"tina@example.com"_s}, {u"token"_s, oldToken}})
                     .status,
                 400);
        const QString newToken =
            capture(mailTo(u"tina@example.com"_s), u"token=([A-Za-z0-9_-]{43})"_s);
        QCOMPARE(newToken.size(), 43);
        QCOMPARE(postJson(port(), "/api/v1/user/verify-email/",
                          {{u"email"_s, u"tina@example.com"_s}, {u"token"_s, newToken}})
                     .status,
                 200);
    }

    void verificationLinkUsesPublicUrl()
    {
        startServer([](sd::core::Config &c) { c.publicUrl = u"https://signup.example.org"_s; });
        httpRequest(port(), "POST", "/api/v1/signup",
                    QJsonDocument(signupBody(u"uma"_s, u"uma@example.com"_s)).toJson(),
                    {{"Host", "evil.example"}, {"X-Forwarded-Host", "evil.example"}});
        const QString body = mailTo(u"uma@example.com"_s);
        QVERIFY2(body.contains(
                     u"https://signup.example.org/verify-email?email=uma%40example.com&token="_s),
                 qPrintable(body));
        QVERIFY(!body.contains(u"evil"_s));
    }

    void loginMeLogout()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"vera"_s, u"vera@example.com"_s);
        QCOMPARE(postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}}).status,
                 200);
        const HttpResult login = postJson(port(), "/api/v1/login",
                                          {{u"username"_s, u"vera"_s}, {u"password"_s, kPassword}});
        QCOMPARE(login.status, 200);
        const QString ust = login.json().value(u"ust"_s).toString();
        QCOMPARE(ust.size(), 43);
        QVERIFY(login.json().value(u"expires_at"_s).toString().endsWith(u'Z'));
        QCOMPARE(login.json()[u"user"_s][u"user_id"_s].toString(), id);
        // By email too, case-insensitively.
        QVERIFY(!loginToken(u"VERA@example.com"_s).isEmpty());

        const HttpResult me = getJson(port(), "/api/v1/user/me", ust);
        QCOMPARE(me.status, 200);
        QCOMPARE(me.json().value(u"username"_s).toString(), u"vera"_s);
        QCOMPARE(getJson(port(), "/api/v1/user/me").status, 401);
        QCOMPARE(getJson(port(), "/api/v1/user/me", u"garbage"_s).status, 401);
        QCOMPARE(getJson(port(), QByteArray("/api/v1/user/me?ust=") + ust.toUtf8()).status, 401);

        // The same answer again, and a changed account answers changed (the server thread
        // keeps the body of an unchanged account; anything changed makes a new one).
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).body, me.body);
        QVERIFY(m_server->app().core().userAdmin().setDisplayName(id, u"Vera V."_s,
                                                                  {u"console:test"_s}));
        m_server->clock().advanceMs(1001); // past session/cache_ms
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"display_name"_s),
                 QJsonValue(u"Vera V."_s));

        QCOMPARE(postJson(port(), "/api/v1/logout", {}, ust).status, 204);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 401);
        QCOMPARE(postJson(port(), "/api/v1/logout", {}, ust).status, 401);
        QCOMPARE(httpRequest(port(), "POST", "/api/v1/logout").status, 401);
    }

    void revokedSessionsEndAtOnceHereAndWithinTheCacheTimeElsewhere()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"ruth"_s, u"ruth@example.com"_s);
        postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        const QString first = loginToken(u"ruth"_s);
        QCOMPARE(getJson(port(), "/api/v1/user/me", first).status, 200); // now in the session cache
        // On this instance a revocation is seen at once.
        QVERIFY(m_server->app().core().sessions().revokeAll(id));
        QCOMPARE(getJson(port(), "/api/v1/user/me", first).status, 401);

        // Another instance sharing the database revokes: this one answers from its cache for
        // at most session/cache_ms, then asks the database again.
        const QString second = loginToken(u"ruth"_s);
        QCOMPARE(getJson(port(), "/api/v1/user/me", second).status, 200);
        sd::app::Application other(m_server->config(), std::make_shared<sd::core::SystemClock>());
        QVERIFY(other.open());
        QVERIFY(other.core().sessions().revokeAll(id));
        QCOMPARE(getJson(port(), "/api/v1/user/me", second).status, 200);
        m_server->clock().advanceMs(m_server->config().sessionCacheMs);
        QCOMPARE(getJson(port(), "/api/v1/user/me", second).status, 401);
    }

    void sessionIdleAndAbsoluteExpiry()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"walt"_s, u"walt@example.com"_s);
        postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        const QString idle = loginToken(u"walt"_s);
        const QString busy = loginToken(u"walt"_s);
        QVERIFY(idle != busy);
        auto &clock = m_server->clock();
        const qint64 idleSeconds = m_server->config().sessionIdleSeconds;
        // Activity every 10 minutes keeps `busy` alive to the absolute end; `idle` dies.
        qint64 elapsed = 0;
        const qint64 step = 600;
        while (elapsed + step < m_server->config().sessionTtlSeconds) {
            clock.advanceSeconds(step);
            elapsed += step;
            QVERIFY2(getJson(port(), "/api/v1/user/me", busy).status == 200,
                     qPrintable(u"after %1 s"_s.arg(elapsed)));
            // The last use is recorded off the request path: wait for it before moving on.
            QTRY_COMPARE(sessionsUsedAt(clock.nowMs()), 1);
            if (elapsed == step) {
                QCOMPARE(getJson(port(), "/api/v1/user/me", idle).status, 200);
                QTRY_COMPARE(sessionsUsedAt(clock.nowMs()), 2);
            }
            if (elapsed > idleSeconds + step)
                QCOMPARE(getJson(port(), "/api/v1/user/me", idle).status, 401);
        }
        clock.advanceSeconds(m_server->config().sessionTtlSeconds - elapsed + 1);
        QCOMPARE(getJson(port(), "/api/v1/user/me", busy).status, 401);
    }

    void loginFailuresAreUniform()
    {
        startServer();
        auto [id, token] = signUp(u"xena"_s, u"xena@example.com"_s);
        auto login = [&](const QString &u, const QString &p) {
            return postJson(port(), "/api/v1/login", {{u"username"_s, u}, {u"password"_s, p}});
        };
        const quint64 before = m_server->app().core().hasher().hashCount();
        const HttpResult unknown = login(u"nobody"_s, kPassword);
        const HttpResult wrong = login(u"xena"_s, u"wrong password here"_s);
        const HttpResult empty = login(u"xena"_s, u""_s);
        QCOMPARE(m_server->app().core().hasher().hashCount() - before, 3u); // one hash each
        for (const HttpResult *r : {&unknown, &wrong, &empty}) {
            QCOMPARE(r->status, 401);
            QCOMPARE(r->errorCode(), u"invalid_credentials"_s);
            QCOMPARE(r->body, unknown.body);
        }
        // Status errors only after a correct password; each branch costs one hash too.
        auto &hasher = m_server->app().core().hasher();
        quint64 mark = hasher.hashCount();
        const HttpResult notVerified = login(u"xena"_s, kPassword);
        QCOMPARE(notVerified.status, 403);
        QCOMPARE(notVerified.errorCode(), u"not_verified"_s);
        QCOMPARE(hasher.hashCount() - mark, 1u);
        postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        mark = hasher.hashCount();
        const HttpResult pending = login(u"xena"_s, kPassword);
        QCOMPARE(pending.status, 403);
        QCOMPARE(pending.errorCode(), u"pending_approval"_s);
        QCOMPARE(hasher.hashCount() - mark, 1u);
        {
            auto db = m_server->app().database().connection();
            QSqlQuery q(*db);
            q.prepare(u"UPDATE users SET status = 'disabled' WHERE id = ?"_s);
            q.addBindValue(id);
            QVERIFY(q.exec());
        }
        mark = hasher.hashCount();
        const HttpResult disabled = login(u"xena"_s, kPassword);
        QCOMPARE(disabled.status, 403);
        QCOMPARE(disabled.errorCode(), u"disabled"_s); // API.md: "login answers 403 disabled"
        QCOMPARE(hasher.hashCount() - mark, 1u);
        mark = hasher.hashCount();
        QCOMPARE(login(u"xena"_s, u"wrong again"_s).body,
                 unknown.body); // disabled + wrong: the same 401
        QCOMPARE(hasher.hashCount() - mark, 1u);
    }

    void failedLoginsRateLimited()
    {
        startServer([](sd::core::Config &c) { c.rateLimitEnabled = true; });
        for (int i = 0; i < 10; ++i)
            QCOMPARE(postJson(port(), "/api/v1/login",
                              {{u"username"_s, u"yuri"_s}, {u"password"_s, u"nope nope nope"_s}})
                         .status,
                     401);
        const HttpResult limited = postJson(port(), "/api/v1/login",
                                            {{u"username"_s, u"YURI"_s}, {u"password"_s, u"x"_s}});
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.errorCode(), u"rate_limited"_s);
        QVERIFY(limited.headers.value("retry-after").toInt() > 0);
        m_server->clock().advanceSeconds(m_server->config().loginFailureWindowSeconds);
        QCOMPARE(
            postJson(port(), "/api/v1/login", {{u"username"_s, u"yuri"_s}, {u"password"_s, u"x"_s}})
                .status,
            401);
    }

    void rehashOnLoginWhenCostRises()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"zara"_s, u"zara@example.com"_s);
        postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        const QString oldHash = account(id)->passwordHash;
        QVERIFY(oldHash.startsWith(u"$argon2id$v=19$m=64,t=1,p=1$"_s));

        // A second instance on the same database with a higher configured cost.
        sd::core::Config stronger = m_server->config();
        stronger.password = {128, 2, 1};
        sd::app::Application second(stronger, std::make_shared<sd::core::SystemClock>());
        QVERIFY(second.open());
        auto login = second.core().sessions().login(u"zara"_s, kPassword, {u"127.0.0.1"_s});
        QVERIFY(login);
        const QString newHash = account(id)->passwordHash;
        QVERIFY2(newHash.startsWith(u"$argon2id$v=19$m=128,t=2,p=1$"_s), qPrintable(newHash));
        QVERIFY(second.core().sessions().login(u"zara"_s, kPassword, {u"127.0.0.1"_s}));
        QVERIFY(!loginToken(u"zara"_s).isEmpty()); // the first instance still verifies it
    }

    void adminApiOffAnswers404()
    {
        startServer([](sd::core::Config &c) { c.adminApiEnabled = false; });
        const QString admin = superuserToken();
        QCOMPARE(getJson(port(), "/api/v1/signup?status=all", admin).status, 404);
        QCOMPARE(postJson(port(), "/api/v1/signup/approve", {{u"user_id"_s, u"x"_s}}, admin).status,
                 404);
        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, u"x"_s}, {u"reason"_s, u"r"_s}}, admin)
                     .status,
                 404);
        QCOMPARE(httpRequest(port(), "DELETE", "/api/v1/signup/approve").status, 404);
        // The public signup on the same path still works.
        QCOMPARE(
            postJson(port(), "/api/v1/signup", signupBody(u"amos"_s, u"amos@example.com"_s)).status,
            201);
    }

    void adminAccessControl()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"bert"_s, u"bert@example.com"_s);
        postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
        const QString user = loginToken(u"bert"_s);
        QVERIFY(!user.isEmpty());
        struct Call
        {
            QByteArray method, path;
            QJsonObject body;
        };
        const QList<Call> calls = {
            {"GET", "/api/v1/signup", {}},
            {"POST", "/api/v1/signup/approve", {{u"user_id"_s, id}}},
            {"POST", "/api/v1/signup/reject", {{u"user_id"_s, id}, {u"reason"_s, u"r"_s}}}};
        for (const Call &c : calls) {
            auto send = [&](const QString &bearer) {
                HeaderList h;
                if (!bearer.isEmpty())
                    h.append({"Authorization", "Bearer " + bearer.toLatin1()});
                return httpRequest(port(), c.method, c.path,
                                   c.body.isEmpty() ? QByteArray() : QJsonDocument(c.body).toJson(),
                                   h);
            };
            QCOMPARE(send({}).status, 401);
            QCOMPARE(send(u"not-a-session"_s).status, 401);
            QCOMPARE(send(user).status, 403);
        }
        QCOMPARE(statusOf(id), sd::core::toString(sd::core::AccountStatus::Active));
    }

    void adminListApproveReject()
    {
        startServer();
        const QString admin = superuserToken();
        QVERIFY(!admin.isEmpty());
        const QString p1 = pendingApproval(u"cleo"_s);
        const QString p2 = pendingApproval(u"dora"_s);
        auto [unverified, t] = signUp(u"emil"_s, u"emil@example.com"_s);

        const HttpResult list = getJson(port(), "/api/v1/signup?status=pending_approval", admin);
        QCOMPARE(list.status, 200);
        const QJsonArray rows = QJsonDocument::fromJson(list.body).array();
        QCOMPARE(rows.size(), 2);
        QJsonObject row;
        for (const QJsonValue &v : rows)
            if (v[u"user_id"_s].toString() == p1)
                row = v.toObject();
        QCOMPARE(row.value(u"username"_s).toString(), u"cleo"_s);
        QCOMPARE(row.value(u"remote_ip"_s).toString(), u"127.0.0.1"_s);
        QVERIFY(row.value(u"remote_addr"_s).isString());
        for (const char *key :
             {"username", "email", "display_name", "sign_up_time", "status", "apps"})
            QVERIFY2(row.contains(QLatin1String(key)), key);
        QCOMPARE(
            QJsonDocument::fromJson(getJson(port(), "/api/v1/signup?status=to-confirm", admin).body)
                .array()
                .size(),
            2);
        QCOMPARE(QJsonDocument::fromJson(
                     getJson(port(), "/api/v1/signup?status=pending_verification", admin).body)
                     .array()
                     .size(),
                 1);
        QCOMPARE(QJsonDocument::fromJson(getJson(port(), "/api/v1/signup?status=all", admin).body)
                     .array()
                     .size(),
                 3); // no super-users
        QCOMPARE(getJson(port(), "/api/v1/signup?status=bogus", admin).status, 400);

        QCOMPARE(postJson(port(), "/api/v1/signup/approve", {{u"user_id"_s, p1}}, admin).status,
                 204);
        QCOMPARE(statusOf(p1), sd::core::toString(sd::core::AccountStatus::Active));
        QVERIFY(account(p1)->groups.contains(u"users"_s));
        QCOMPARE(outbox(u"welcome"_s).size(), 1);
        QCOMPARE(postJson(port(), "/api/v1/signup/approve", {{u"user_id"_s, p1}}, admin).status,
                 409);
        QCOMPARE(
            postJson(port(), "/api/v1/signup/approve", {{u"user_id"_s, unverified}}, admin).status,
            409);
        QCOMPARE(
            postJson(port(), "/api/v1/signup/approve", {{u"user_id"_s, u"usr_nobody"_s}}, admin)
                .status,
            404);

        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, p1}, {u"reason"_s, u"late"_s}}, admin)
                     .status,
                 409);
        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, p2}, {u"reason"_s, u""_s}}, admin)
                     .status,
                 400);
        QCOMPARE(postJson(port(), "/api/v1/signup/reject", {{u"user_id"_s, p2}}, admin).status,
                 400);
        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, p2}, {u"reason"_s, u"spam <b>"_s}}, admin)
                     .status,
                 204);
        QVERIFY(!account(p2));
        const auto rejection = outbox(u"rejection"_s);
        QCOMPARE(rejection.size(), 1);
        const QString rejectionMail = mailTo(rejection.first().message.to);
        QVERIFY(rejectionMail.contains(u"Reason: spam <b>"_s));
        QVERIFY(rejectionMail.contains(u"spam &lt;b&gt;"_s));
        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, unverified}, {u"reason"_s, u"bot"_s}}, admin)
                     .status,
                 204);
        QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                          {{u"user_id"_s, unverified}, {u"reason"_s, u"bot"_s}}, admin)
                     .status,
                 404);
        // A rejected account's token is gone with it.
        QCOMPARE(postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, t}}).status, 400);
    }

    // Issue 18 item 8: one name rule. What signup refuses, and what it stores (trimmed, NFC).
    void displayNameRuleAtSignup_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("stored"); // empty: refused as invalid_characters
        QTest::newRow("plain") << u"  Alice Smith "_s << u"Alice Smith"_s;
        QTest::newRow("decomposed é is stored composed") << u"Ame\u0301lie"_s << u"Amélie"_s;
        QTest::newRow("emoji family (ZWJ)") << u"Dad \U0001F468\u200D\U0001F469\u200D\U0001F467"_s
                                            << u"Dad \U0001F468\u200D\U0001F469\u200D\U0001F467"_s;
        QTest::newRow("Persian ZWNJ") << u"\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"_s
                                      << u"\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"_s;
        for (const char16_t c :
             {u'\u202A', u'\u202B', u'\u202C', u'\u202D', u'\u202E', u'\u2066', u'\u2067',
              u'\u2068', u'\u2069', u'\u200E', u'\u200F', u'\u061C', u'\u200B', u'\uFEFF',
              u'\u00AD', u'\u2060', u'\u2028', u'\u2029', u'\u0085', u'\u0000', u'\u0009',
              u'\u001B', u'\u007F', u'\uFFFE', u'\uFDD0', u'\u3164'})
            QTest::addRow("U+%04X", unsigned(c))
                << QString(u"Eve"_s + QChar(c) + u"gnp.exe"_s) << QString();
        QTest::newRow("trailing ZWJ") << u"Eve\u200D"_s << QString();
        QTest::newRow("tag character") << u"Eve\U000E0041"_s << QString();
    }
    void displayNameRuleAtSignup()
    {
        QFETCH(QString, name);
        QFETCH(QString, stored);
        startServer();
        QJsonObject body = signupBody(u"frida"_s, u"frida@example.com"_s);
        body.insert(u"display_name"_s, name);
        const HttpResult r = postJson(port(), "/api/v1/signup", body);
        if (stored.isEmpty()) {
            QCOMPARE(r.status, 400);
            // Field messages are texts (API-NOTES.md); English: the text of invalid_characters.
            QCOMPARE(r.json()[u"error"_s][u"fields"_s][u"display_name"_s].toArray(),
                     QJsonArray{u"This value contains invalid characters."_s});
            QVERIFY(outbox().isEmpty());
            return;
        }
        QCOMPARE(r.status, 201);
        QCOMPARE(account(r.json().value(u"user_id"_s).toString())->displayName, stored);
    }

    // Reserved names match after case folding, compatibility forms and separators.
    void reservedNamesAfterNormalisation()
    {
        startServer();
        for (const QString &name :
             {u"admin."_s, u".admin"_s, u"admin_"_s, u"-admin"_s, u"root."_s, u"_Root_"_s,
              u"ADMIN"_s, u"ad.min"_s, u"a-d-m-i-n"_s, u"Ad__Min"_s, u"no.reply"_s, u"noreply"_s,
              u"No_Reply-"_s, u"post-master"_s}) {
            const HttpResult r =
                postJson(port(), "/api/v1/signup", signupBody(name, name + u"x@example.com"_s));
            QVERIFY2(r.status == 400, qPrintable(name));
            QVERIFY2(r.json()[u"error"_s][u"fields"_s][u"username"_s].toArray().contains(
                         u"This username is reserved."_s),
                     qPrintable(name + u": "_s + QString::fromUtf8(r.body)));
        }
        for (const QString &name : {u"admin_alice"_s, u"rooter"_s, u"ad.mins"_s})
            QVERIFY2(postJson(port(), "/api/v1/signup", signupBody(name, name + u"@example.com"_s))
                             .status == 201,
                     qPrintable(name));
    }

    // JSON strings that are not valid Unicode (escaped lone surrogates) refuse the whole body:
    // before, "\ud800" and "\udfff" were both hashed as U+FFFD and logged in as each other.
    void passwordsThatAreNotUnicode()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        const auto raw = [&](const QByteArray &path, const QByteArray &body) {
            return httpRequest(port(), "POST", path, body, {{"Content-Type", "application/json"}});
        };
        const HttpResult lone =
            raw("/api/v1/signup", R"({"username":"gina","email":"gina@example.com",)"
                                  R"("password":"correct battery \ud800 staple"})");
        QCOMPARE(lone.status, 400);
        QCOMPARE(lone.errorCode(), u"invalid_json"_s);
        QVERIFY(outbox().isEmpty());
        // Neighbours: a low surrogate alone, a reversed pair, one in a key, in an array, in
        // another endpoint; and raw bytes that are not UTF-8 (an encoded surrogate, a stray byte).
        const QList<std::pair<QByteArray, QByteArray>> refused = {
            {"/api/v1/login", R"({"username":"gina","password":"correct battery \udfff staple"})"},
            {"/api/v1/login",
             R"({"username":"gina","password":"correct battery \ude00\ud83d staple"})"},
            {"/api/v1/login",
             R"({"username":"gina","password":"correct battery staple","\ud800":1})"},
            {"/api/v1/signup",
             R"({"username":"gina","email":"g@example.com","password":"correct battery staple","app_list":["\udbff"]})"},
            {"/api/v1/verify-email/resend", R"({"email":"gina\ud800@example.com"})"},
            {"/api/v1/login",
             "{\"username\":\"gina\",\"password\":\"correct battery \xed\xa0\x80 staple\"}"},
            {"/api/v1/login",
             "{\"username\":\"gina\",\"password\":\"correct battery \xff staple\"}"},
        };
        for (const auto &[path, body] : refused) {
            const HttpResult r = raw(path, body);
            QVERIFY2(r.status == 400 && r.errorCode() == u"invalid_json"_s, body.constData());
        }
        // A real pair is one character: escaped or raw, the same password.
        const HttpResult pair =
            raw("/api/v1/signup", R"({"username":"gina","email":"gina@example.com",)"
                                  R"("password":"correct battery \ud83d\ude00 staple"})");
        QCOMPARE(pair.status, 201);
        QCOMPARE(postJson(port(), "/api/v1/signup/confirm",
                          {{u"confirm_token"_s, pair.json()[u"confirm_token"_s].toString()}})
                     .status,
                 200);
        QCOMPARE(
            raw("/api/v1/login",
                "{\"username\":\"gina\",\"password\":\"correct battery \xf0\x9f\x98\x80 staple\"}")
                .status,
            200);
        QCOMPARE(raw("/api/v1/login",
                     R"({"username":"gina","password":"correct battery \ufffd staple"})")
                     .status,
                 401);
    }

    // A new password with a control character cannot be typed back into a form: refused.
    void passwordsWithControlCharacters()
    {
        startServer();
        for (const char16_t c :
             {u'\u0000', u'\u0009', u'\u000A', u'\u001B', u'\u007F', u'\u0085'}) {
            QJsonObject body = signupBody(u"hana"_s, u"hana@example.com"_s);
            body.insert(u"password"_s, QString(u"correct battery"_s + QChar(c) + u"staple"_s));
            const HttpResult r = postJson(port(), "/api/v1/signup", body);
            QVERIFY2(r.status == 400, qPrintable(QString::number(c)));
            QCOMPARE(r.json()[u"error"_s][u"fields"_s][u"password"_s].toArray(),
                     QJsonArray{u"This value contains invalid characters."_s});
        }
    }

    // Nothing the requester chose reaches an address nobody has proven: not the display name,
    // not the username, in the verification mail, its resend, or a rejection.
    void noChosenTextInMailToUnverifiedAddresses()
    {
        startServer();
        const QString admin = superuserToken();
        const QString marker = u"VisitEvilExample"_s;
        for (const QString &language : {u"en"_s, u"fr"_s, u"de"_s}) {
            const QString username = marker + language;
            const QString email = u"stranger-"_s + language + u"@example.com"_s;
            QJsonObject body = signupBody(username, email);
            body.insert(u"display_name"_s, QString(marker + u" says: call +1 555 0100"_s));
            body.insert(u"language"_s, language);
            const HttpResult r = postJson(port(), "/api/v1/signup", body);
            QCOMPARE(r.status, 201);
            QCOMPARE(postJson(port(), "/api/v1/verify-email/resend", {{u"email"_s, email}}).status,
                     202);
            // The resend's mail is made after its answer; let it be made before the reject.
            m_server->app().core().waitForAfterAnswer();
            QCOMPARE(postJson(port(), "/api/v1/signup/reject",
                              {{u"user_id"_s, r.json()[u"user_id"_s].toString()},
                               {u"reason"_s, u"unknown"_s}},
                              admin)
                         .status,
                     204);
        }
        m_server->flushMail();
        const auto sent = outbox();
        QCOMPARE(sent.size(), 9); // verification, resend, rejection in three languages
        for (const auto &entry : sent) {
            const QString mail = decodeMail(m_server->lastMailTo(entry.message.to)) +
                                 entry.message.subject + entry.message.textBody +
                                 entry.message.htmlBody;
            QVERIFY2(!mail.contains(marker, Qt::CaseInsensitive), qPrintable(mail));
        }
    }

    void parallelRedemptionsOfOneToken_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("verify-email") << QByteArray("/api/v1/user/verify-email/");
        QTest::newRow("signup/confirm") << QByteArray("/api/v1/signup/confirm");
    }
    void parallelRedemptionsOfOneToken()
    {
        QFETCH(QByteArray, path);
        startServer([](sd::core::Config &c) { c.workers = 8; });
        constexpr int kClients = 50;
        for (int round = 0; round < 3; ++round) {
            const QString name = u"race%1"_s.arg(round);
            auto [id, token] = signUp(name, name + u"@example.com"_s);
            const QJsonObject body =
                path.contains("confirm")
                    ? QJsonObject{{u"confirm_token"_s, token}}
                    : QJsonObject{{u"email"_s, QString(name + u"@example.com"_s)},
                                  {u"token"_s, token}};
            std::latch start(kClients);
            std::vector<HttpResult> results(kClients);
            std::vector<std::thread> threads;
            for (int i = 0; i < kClients; ++i)
                threads.emplace_back([&, i] {
                    start.arrive_and_wait();
                    results[size_t(i)] = postJson(port(), path, body);
                });
            for (auto &t : threads)
                t.join();
            int successes = 0;
            QByteArray failureBody;
            for (const HttpResult &r : results) {
                if (r.status == 200) {
                    ++successes;
                    continue;
                }
                QCOMPARE(r.status, 400);
                if (failureBody.isEmpty())
                    failureBody = r.body;
                QCOMPARE(r.body, failureBody);
            }
            QCOMPARE(successes, 1);
            QVERIFY(account(id)->verifiedEmail);
        }
    }

    void survivesClientsThatVanish()
    {
        std::atomic<int> started = 0;
        m_server =
            std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) { c.workers = 2; });
        m_server->app().addRoute(
            {"POST", u"/test/slow"_s, sd::http::RunOn::WorkerPool, false,
             [&started](const sd::http::HttpRequest &) {
                 ++started;
                 QThread::msleep(100); // the client is gone by the time we answer
                 return sd::http::HttpResponse::json(200, QJsonObject{{u"late"_s, true}});
             }});
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        for (int i = 0; i < 30; ++i) {
            // Send a whole request, then hang up before the answer.
            const QByteArray request =
                "POST /test/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 2\r\n\r\n{}";
            rawExchange(port(), request, 1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(started.load(), 30, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(getJson(port(), "/healthz").status, 200, 10000);
        QCOMPARE(postJson(port(), "/api/v1/signup", signupBody(u"after"_s, u"after@example.com"_s))
                     .status,
                 201);
    }

    void handlerThatThrowsAnswers500()
    {
        m_server = std::make_unique<TestServer>(kBackend);
        for (auto runOn : {sd::http::RunOn::WorkerPool, sd::http::RunOn::ServerThread})
            m_server->app().addRoute({"GET",
                                      runOn == sd::http::RunOn::WorkerPool ? u"/test/throw-pool"_s
                                                                           : u"/test/throw-here"_s,
                                      runOn, false,
                                      [](const sd::http::HttpRequest &) -> sd::http::HttpResponse {
                                          throw std::runtime_error("secret internals /etc/passwd");
                                      }});
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        for (const QByteArray &path :
             {QByteArray("/test/throw-pool"), QByteArray("/test/throw-here")}) {
            const HttpResult r = getJson(port(), path);
            QCOMPARE(r.status, 500);
            QCOMPARE(r.errorCode(), u"internal"_s);
            QVERIFY(r.json()[u"error"_s][u"error_id"_s].toString().startsWith(u"err_"_s));
            QVERIFY(!r.body.contains("passwd"));
            QCOMPARE(getJson(port(), "/healthz").status, 200);
        }
    }

    void fullPoolAnswers503AtOnce()
    {
        std::latch release(1);
        std::atomic<int> entered = 0;
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.workers = 1;
            c.maxInflight = 1;
        });
        m_server->app().addRoute({"GET", u"/test/block"_s, sd::http::RunOn::WorkerPool, false,
                                  [&](const sd::http::HttpRequest &) {
                                      ++entered;
                                      release.wait();
                                      return sd::http::HttpResponse::empty(204);
                                  }});
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        std::thread first([&] { getJson(port(), "/test/block"); });
        QTRY_COMPARE(entered.load(), 1);
        const HttpResult busy =
            postJson(port(), "/api/v1/login", {{u"username"_s, u"a"_s}, {u"password"_s, u"b"_s}});
        QCOMPARE(busy.status, 503);
        QCOMPARE(busy.errorCode(), u"busy"_s);
        QCOMPARE(busy.headers.value("retry-after"), "1");
        release.count_down();
        first.join();
    }
};

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
