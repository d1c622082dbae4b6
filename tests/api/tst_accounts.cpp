// Issue 13, accounts, over real HTTP on loopback against an in-process server with a fake
// clock; built twice, on SQLite and on PostgreSQL. Every row of API.md's tables for:
//   GET /api/v1/user/sessions, DELETE /api/v1/user/sessions/<session_id>,
//   POST /api/v1/user/sessions/revoke-others, POST /api/v1/user/delete,
//   GET /api/v1/admin/users, POST /api/v1/admin/users/<user_id>/{disable,enable,delete}.

#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {
const QString kPassword = u"correct battery staple horse"_s;
} // namespace

class TestAccounts : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;

    void startServer(bool adminApi = true)
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.adminApiEnabled = adminApi;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }

    HttpResult call(const QByteArray &method, const QByteArray &path, const QString &ust,
                    const QJsonObject &body = {}, const QByteArray &agent = "TestAgent/1")
    {
        HeaderList headers{{"User-Agent", agent}};
        if (!ust.isEmpty())
            headers.append(
                std::pair<QByteArray, QByteArray>("Authorization", "Bearer " + ust.toLatin1()));
        QByteArray bytes;
        if (method != "GET" && method != "DELETE") {
            headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
            bytes = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        return httpRequest(port(), method, path, bytes, headers);
    }
    QString activeUser(const QString &name)
    {
        const HttpResult r = postJson(port(), "/api/v1/signup",
                                      QJsonObject{{u"username"_s, name},
                                                  {u"password"_s, kPassword},
                                                  {u"email"_s, QString(name + u"@example.com"_s)}});
        postJson(port(), "/api/v1/signup/confirm",
                 {{u"confirm_token"_s, r.json()[u"confirm_token"_s]}});
        return r.json().value(u"user_id"_s).toString();
    }
    QString login(const QString &name, const QByteArray &agent = "TestAgent/1")
    {
        const HttpResult r = call("POST", "/api/v1/login", {},
                                  {{u"username"_s, name}, {u"password"_s, kPassword}}, agent);
        return r.json().value(u"ust"_s).toString();
    }
    QString superuserToken()
    {
        auto admin = m_server->app().core().signup().createSuperuser(
            u"boss"_s, u"boss@example.com"_s, kPassword, {u"test"_s});
        if (!admin)
            qWarning("createSuperuser: %s", qPrintable(admin.error().detail));
        return login(u"boss"_s);
    }
    int me(const QString &ust) { return call("GET", "/api/v1/user/me", ust).status; }
    QJsonArray sessions(const QString &ust)
    {
        return QJsonDocument::fromJson(call("GET", "/api/v1/user/sessions", ust).body).array();
    }
    int count(const QString &sql)
    {
        m_server->app().core().waitForAfterAnswer();
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

private slots:
    void cleanup() { m_server.reset(); }

    void sessionsAreListedNewestFirstWithoutTokens()
    {
        startServer();
        activeUser(u"anna"_s);
        const QString first = login(u"anna"_s, "Firefox/1");
        m_server->clock().advanceMs(2000);
        const QString second = login(u"anna"_s, "Chromium/2");
        QCOMPARE(call("GET", "/api/v1/user/sessions", {}).status, 401);
        const HttpResult r = call("GET", "/api/v1/user/sessions", second);
        QCOMPARE(r.status, 200);
        const QJsonArray list = QJsonDocument::fromJson(r.body).array();
        QCOMPARE(list.size(), 2);
        const QJsonObject newest = list[0].toObject(), oldest = list[1].toObject();
        QCOMPARE(newest[u"user_agent"_s].toString(), u"Chromium/2"_s);
        QCOMPARE(newest[u"current"_s].toBool(), true);
        QCOMPARE(oldest[u"user_agent"_s].toString(), u"Firefox/1"_s);
        QCOMPARE(oldest[u"current"_s].toBool(), false);
        QCOMPARE(oldest[u"ip"_s].toString(), u"127.0.0.1"_s);
        QVERIFY(oldest[u"created_at"_s].toString().endsWith(u'Z'));
        QVERIFY(oldest[u"last_used_at"_s].toString().endsWith(u'Z'));
        QVERIFY(newest[u"session_id"_s].toString().startsWith(u"ses_"_s));
        QVERIFY(!r.body.contains(first.toLatin1()) && !r.body.contains(second.toLatin1()));
    }

    void endingOneSessionStopsItAtOnce()
    {
        startServer();
        activeUser(u"anna"_s);
        activeUser(u"bert"_s);
        const QString phone = login(u"anna"_s, "phone");
        const QString laptop = login(u"anna"_s, "laptop");
        const QString bert = login(u"bert"_s);
        QCOMPARE(me(phone), 200); // cached now
        QString phoneId, bertId;
        for (const QJsonValue &s : sessions(laptop))
            if (s[u"user_agent"_s] == u"phone"_s)
                phoneId = s[u"session_id"_s].toString();
        bertId = sessions(bert)[0][u"session_id"_s].toString();
        QVERIFY(!phoneId.isEmpty() && !bertId.isEmpty());

        QCOMPARE(call("DELETE", "/api/v1/user/sessions/" + phoneId.toLatin1(), {}).status, 401);
        // Another account's session and an unknown one answer alike.
        const HttpResult other =
            call("DELETE", "/api/v1/user/sessions/" + bertId.toLatin1(), laptop);
        const HttpResult unknown = call("DELETE", "/api/v1/user/sessions/ses_nope", laptop);
        QCOMPARE(other.status, 404);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(other.body, unknown.body);
        QCOMPARE(me(bert), 200);

        QCOMPARE(call("DELETE", "/api/v1/user/sessions/" + phoneId.toLatin1(), laptop).status, 204);
        QCOMPARE(me(phone), 401); // at once, though it was cached
        QCOMPARE(me(laptop), 200);
        QCOMPARE(call("DELETE", "/api/v1/user/sessions/" + phoneId.toLatin1(), laptop).status, 404);
    }

    void revokeOthersKeepsTheCurrentSession()
    {
        startServer();
        activeUser(u"anna"_s);
        const QString one = login(u"anna"_s), two = login(u"anna"_s), mine = login(u"anna"_s);
        QCOMPARE(me(one), 200);
        QCOMPARE(call("POST", "/api/v1/user/sessions/revoke-others", {}).status, 401);
        QCOMPARE(call("POST", "/api/v1/user/sessions/revoke-others", mine).status, 204);
        QCOMPARE(me(one), 401);
        QCOMPARE(me(two), 401);
        QCOMPARE(me(mine), 200);
        QCOMPARE(sessions(mine).size(), 1);
    }

    void deletingTheOwnAccount()
    {
        startServer();
        const QString id = activeUser(u"anna"_s);
        const QString ust = login(u"anna"_s);
        QCOMPARE(
            call("POST", "/api/v1/user/delete", {}, {{u"current_password"_s, kPassword}}).status,
            401);
        const HttpResult wrong =
            call("POST", "/api/v1/user/delete", ust, {{u"current_password"_s, u"not it at all"_s}});
        QCOMPARE(wrong.status, 401);
        QCOMPARE(wrong.errorCode(), u"invalid_credentials"_s);
        QCOMPARE(me(ust), 200);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND"
                       " subject_id = '%1'"_s.arg(id)),
                 1);
        QCOMPARE(call("POST", "/api/v1/user/delete", ust, {}).errorCode(), u"invalid_body"_s);

        QCOMPARE(
            call("POST", "/api/v1/user/delete", ust, {{u"current_password"_s, kPassword}}).status,
            204);
        QCOMPARE(me(ust), 401);
        QCOMPARE(login(u"anna"_s), QString());
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE id = '%1'"_s.arg(id)), 0);
        QCOMPARE(count(u"SELECT count(*) FROM tokens WHERE user_id = '%1'"_s.arg(id)), 0);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'account.deleted' AND"
                       " subject_id = '%1'"_s.arg(id)),
                 1);
        m_server->flushMail();
        // Read the mail folder itself: the deleted account's outbox rows are gone, so
        // lastMailTo() cannot order its files by the outbox.
        int goodbyes = 0;
        const QDir folder(m_server->config().mailFolder);
        for (const QFileInfo &info : folder.entryInfoList({u"*.eml"_s}, QDir::Files)) {
            QFile f(info.filePath());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString mail = decodeMail(f.readAll());
            if (mail.contains(u"To: anna@example.com"_s) &&
                mail.contains(u"Subject: Your account was deleted"_s))
                ++goodbyes;
        }
        QCOMPARE(goodbyes, 1);
    }

    void adminListsUsersWithPaging()
    {
        startServer();
        const QString admin = superuserToken();
        QStringList ids;
        for (int i = 0; i < 5; ++i) {
            ids << activeUser(u"user%1"_s.arg(i));
            m_server->clock().advanceMs(1000);
        }
        login(u"user3"_s);
        QCOMPARE(call("GET", "/api/v1/admin/users", {}).status, 401);
        QCOMPARE(call("GET", "/api/v1/admin/users", login(u"user1"_s)).status, 403);
        for (const QByteArray &bad :
             {"limit=0"_ba, "limit=501"_ba, "limit=x"_ba, "status=weird"_ba, "after=%21%21"_ba})
            QCOMPARE(call("GET", "/api/v1/admin/users?" + bad, admin).status, 400);

        QStringList seen;
        QByteArray path = "/api/v1/admin/users?query=user&limit=2";
        for (int page = 0; page < 5 && !path.isEmpty(); ++page) {
            const HttpResult r = call("GET", path, admin);
            QCOMPARE(r.status, 200);
            const QJsonObject body = r.json();
            for (const QJsonValue &u : body[u"users"_s].toArray()) {
                seen << u[u"user_id"_s].toString();
                QCOMPARE(u[u"last_login_at"_s].isNull(),
                         u[u"username"_s] != u"user3"_s && u[u"username"_s] != u"user1"_s);
            }
            path = body[u"next"_s].isNull() ? QByteArray()
                                            : "/api/v1/admin/users?query=user&limit=2&after=" +
                                                  body[u"next"_s].toString().toLatin1();
        }
        QCOMPARE(seen, ids);
        const HttpResult byStatus = call("GET", "/api/v1/admin/users?status=disabled", admin);
        QCOMPARE(byStatus.json()[u"users"_s].toArray().size(), 0);
        QVERIFY(byStatus.json()[u"next"_s].isNull());
    }

    void adminDisablesEnablesAndDeletes()
    {
        startServer();
        const QString admin = superuserToken();
        const QString id = activeUser(u"anna"_s);
        const QString ust = login(u"anna"_s);
        QCOMPARE(me(ust), 200);
        const QByteArray base = "/api/v1/admin/users/" + id.toLatin1();
        QCOMPARE(call("POST", base + "/disable", {}).status, 401);
        QCOMPARE(call("POST", base + "/disable", ust).status, 403);
        QCOMPARE(call("POST", "/api/v1/admin/users/usr_nope/disable", admin).status, 404);
        QCOMPARE(call("POST", base + "/enable", admin).status, 409); // not disabled
        QCOMPARE(call("POST", base + "/disable", admin, {{u"reason"_s, u"abuse"_s}}).status, 204);
        QCOMPARE(me(ust), 401); // sessions end at once
        const HttpResult refused = call("POST", "/api/v1/login", {},
                                        {{u"username"_s, u"anna"_s}, {u"password"_s, kPassword}});
        QCOMPARE(refused.status, 403);
        // Without a body too.
        QCOMPARE(httpRequest(port(), "POST", base + "/enable", {},
                             {{"Authorization", "Bearer " + admin.toLatin1()}})
                     .status,
                 204);
        QCOMPARE(call("POST", "/api/v1/admin/users/usr_nope/enable", admin).status, 404);
        QVERIFY(!login(u"anna"_s).isEmpty());

        QCOMPARE(call("POST", base + "/delete", admin, {}).errorCode(), u"invalid_body"_s);
        QCOMPARE(call("POST", base + "/delete", admin, {{u"reason"_s, u""_s}}).status, 400);
        QCOMPARE(
            call("POST", "/api/v1/admin/users/usr_nope/delete", admin, {{u"reason"_s, u"spam"_s}})
                .status,
            404);
        QCOMPARE(call("POST", base + "/delete", admin, {{u"reason"_s, u"spam"_s}}).status, 204);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE id = '%1'"_s.arg(id)), 0);
        QCOMPARE(call("POST", base + "/delete", admin, {{u"reason"_s, u"spam"_s}}).status, 404);
    }

    void adminPathsAreHiddenWithTheAdminApiOff()
    {
        startServer(/*adminApi=*/false);
        const QString admin = superuserToken();
        QCOMPARE(call("GET", "/api/v1/admin/users", admin).status, 404);
        QCOMPARE(call("POST", "/api/v1/admin/users/usr_x/disable", admin).status, 404);
        QCOMPARE(call("POST", "/api/v1/admin/users/usr_x/enable", admin).status, 404);
        QCOMPARE(call("POST", "/api/v1/admin/users/usr_x/delete", admin).status, 404);
    }
};

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
