// Issue 13, invitations, over real HTTP on loopback against an in-process server with a fake
// clock; built twice, on SQLite and on PostgreSQL. Every row of API.md's table for
// POST/GET /api/v1/admin/invitations and POST /api/v1/admin/invitations/<id>/revoke, and
// accepting through POST /api/v1/signup with invitation_token (while signup is closed; used,
// revoked and expired invitations; racing accepts).

#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <atomic>
#include <latch>
#include <thread>

using namespace Qt::StringLiterals;

namespace {
const QString kPassword = u"correct battery staple horse"_s;
} // namespace

class TestInvitations : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    QString m_admin;

    void startServer()
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.adminApiEnabled = true;
            c.signupEnabled = false; // invitation-only
            c.apps = {u"default"_s, u"wiki"_s};
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        auto admin = m_server->app().core().signup().createSuperuser(
            u"boss"_s, u"boss@example.com"_s, kPassword, {u"test"_s});
        QVERIFY(admin);
        m_admin = postJson(port(), "/api/v1/login",
                           {{u"username"_s, u"boss"_s}, {u"password"_s, kPassword}})
                      .json()
                      .value(u"ust"_s)
                      .toString();
        QVERIFY(!m_admin.isEmpty());
    }
    quint16 port() const { return m_server->port(); }

    HttpResult invite(const QJsonObject &body, const QString &ust = {})
    {
        return postJson(port(), "/api/v1/admin/invitations", body, ust.isEmpty() ? m_admin : ust);
    }
    // The token of the newest invitation mailed to `email`.
    QString tokenFor(const QString &email)
    {
        m_server->flushMail();
        const QString text = decodeMail(m_server->lastMailTo(email));
        static const QRegularExpression re(u"/accept-invite\\?token=([A-Za-z0-9_-]+)"_s);
        return re.match(text).captured(1);
    }
    HttpResult accept(const QString &token, const QString &username)
    {
        return postJson(port(), "/api/v1/signup",
                        {{u"invitation_token"_s, token},
                         {u"username"_s, username},
                         {u"password"_s, kPassword},
                         {u"email"_s, u"ignored@example.com"_s}});
    }
    // Field `name` of the `index`th invitation in the list (newest first).
    QString listed(int index, const QString &name)
    {
        const QJsonArray all =
            QJsonDocument::fromJson(getJson(port(), "/api/v1/admin/invitations", m_admin).body)
                .array();
        return all.at(index).toObject().value(name).toString();
    }

private slots:
    void cleanup() { m_server.reset(); }

    void inviteAndAcceptWhileSignupIsClosed()
    {
        startServer();
        const HttpResult made = invite({{u"email"_s, u"anna@example.com"_s},
                                        {u"display_name"_s, u"Anna"_s},
                                        {u"apps"_s, QJsonArray{u"wiki"_s}},
                                        {u"groups"_s, QJsonArray{u"staff"_s}}});
        QCOMPARE(made.status, 201);
        QVERIFY(made.json()[u"invitation_id"_s].toString().startsWith(u"inv_"_s));
        QCOMPARE(made.json()[u"email"_s].toString(), u"anna@example.com"_s);
        QVERIFY(made.json()[u"expires_at"_s].toString().endsWith(u'Z'));
        const QString token = tokenFor(u"anna@example.com"_s);
        QVERIFY(!token.isEmpty());
        // A plain signup is closed; the invitation is not.
        QCOMPARE(postJson(port(), "/api/v1/signup",
                          {{u"username"_s, u"carl"_s},
                           {u"password"_s, kPassword},
                           {u"email"_s, u"carl@example.com"_s}})
                     .status,
                 403);
        const HttpResult accepted = accept(token, u"anna"_s);
        QCOMPARE(accepted.status, 201);
        QVERIFY(accepted.json()[u"user_id"_s].toString().startsWith(u"usr_"_s));
        // Active at once, with the invited address verified, its apps and groups.
        const HttpResult login = postJson(port(), "/api/v1/login",
                                          {{u"username"_s, u"anna"_s}, {u"password"_s, kPassword}});
        QCOMPARE(login.status, 200);
        const QJsonObject user = login.json()[u"user"_s].toObject();
        QCOMPARE(user[u"email"_s].toString(), u"anna@example.com"_s);
        QCOMPARE(user[u"verified_email"_s].toBool(), true);
        QCOMPARE(user[u"status"_s].toString(), u"active"_s);
        QCOMPARE(user[u"apps"_s].toArray(), QJsonArray{u"wiki"_s});
        QCOMPARE(user[u"groups"_s].toArray(), QJsonArray{u"staff"_s});
        QCOMPARE(user[u"display_name"_s].toString(), u"Anna"_s);
        QCOMPARE(listed(0, u"status"_s), u"accepted"_s);
        // Used.
        const HttpResult again = accept(token, u"anna2"_s);
        QCOMPARE(again.status, 400);
        QCOMPARE(again.errorCode(), u"invalid_token"_s);
    }

    void inviteRefusals()
    {
        startServer();
        QCOMPARE(invite({{u"email"_s, u"anna@example.com"_s}}).status, 201);
        QCOMPARE(accept(tokenFor(u"anna@example.com"_s), u"anna"_s).status, 201);
        const QString user = postJson(port(), "/api/v1/login",
                                      {{u"username"_s, u"anna"_s}, {u"password"_s, kPassword}})
                                 .json()
                                 .value(u"ust"_s)
                                 .toString();
        QCOMPARE(postJson(port(), "/api/v1/admin/invitations", {{u"email"_s, u"x@example.com"_s}})
                     .status,
                 401);
        QCOMPARE(invite({{u"email"_s, u"x@example.com"_s}}, user).status, 403);
        QCOMPARE(invite({{u"email"_s, u"not an address"_s}}).errorCode(), u"validation"_s);
        QCOMPARE(invite({{u"email"_s, u"x@example.com"_s}, {u"apps"_s, QJsonArray{u"nope"_s}}})
                     .errorCode(),
                 u"validation"_s);
        QCOMPARE(invite({}).errorCode(), u"invalid_body"_s);
        // An account has the address; a live invitation has it.
        const HttpResult account = invite({{u"email"_s, u"ANNA@example.com"_s}});
        QCOMPARE(account.status, 409);
        QCOMPARE(account.errorCode(), u"exists"_s);
        QCOMPARE(invite({{u"email"_s, u"bert@example.com"_s}}).status, 201);
        QCOMPARE(invite({{u"email"_s, u"bert@example.com"_s}}).errorCode(), u"exists"_s);
        QCOMPARE(getJson(port(), "/api/v1/admin/invitations", user).status, 403);
    }

    void revokeAndExpiry()
    {
        startServer();
        QCOMPARE(invite({{u"email"_s, u"anna@example.com"_s}}).status, 201);
        const QString annaToken = tokenFor(u"anna@example.com"_s);
        m_server->clock().advanceMs(1000);
        const HttpResult bert = invite({{u"email"_s, u"bert@example.com"_s}});
        const QString bertToken = tokenFor(u"bert@example.com"_s);
        const QString annaId = listed(1, u"invitation_id"_s);
        QCOMPARE(listed(1, u"email"_s), u"anna@example.com"_s);
        QCOMPARE(listed(1, u"status"_s), u"pending"_s);
        const QByteArray revoke = "/api/v1/admin/invitations/" + annaId.toLatin1() + "/revoke";
        QCOMPARE(postJson(port(), revoke, {}, {}).status, 401);
        QCOMPARE(postJson(port(), revoke, {}, m_admin).status, 204);
        QCOMPARE(postJson(port(), revoke, {}, m_admin).status, 409);
        QCOMPARE(postJson(port(), "/api/v1/admin/invitations/inv_nope/revoke", {}, m_admin).status,
                 404);
        QCOMPARE(listed(1, u"status"_s), u"revoked"_s);
        QCOMPARE(accept(annaToken, u"anna"_s).errorCode(), u"invalid_token"_s);
        // invite/ttl_seconds later the other one has expired.
        m_server->clock().advanceMs(m_server->config().inviteTtlSeconds * 1000);
        m_admin = postJson(port(), "/api/v1/login",
                           {{u"username"_s, u"boss"_s}, {u"password"_s, kPassword}})
                      .json()
                      .value(u"ust"_s)
                      .toString(); // the old session expired meanwhile
        QCOMPARE(listed(0, u"status"_s), u"expired"_s);
        QCOMPARE(accept(bertToken, u"bert"_s).errorCode(), u"invalid_token"_s);
        QCOMPARE(postJson(port(),
                          "/api/v1/admin/invitations/" +
                              bert.json()[u"invitation_id"_s].toString().toLatin1() + "/revoke",
                          {}, m_admin)
                     .status,
                 409);
        QCOMPARE(accept(u"made-up-token"_s, u"carl"_s).errorCode(), u"invalid_token"_s);
    }

    void racingAcceptsMakeOneAccount()
    {
        startServer();
        QCOMPARE(invite({{u"email"_s, u"anna@example.com"_s}}).status, 201);
        const QString token = tokenFor(u"anna@example.com"_s);
        constexpr int kRacers = 20;
        std::atomic_int created = 0, refused = 0;
        std::latch start(kRacers);
        std::vector<std::thread> racers;
        for (int i = 0; i < kRacers; ++i)
            racers.emplace_back([&, i] {
                start.arrive_and_wait();
                const int status = accept(token, u"racer%1"_s.arg(i)).status;
                if (status == 201)
                    ++created;
                else if (status == 400)
                    ++refused;
            });
        for (auto &t : racers)
            t.join();
        QCOMPARE(created.load(), 1);
        QCOMPARE(refused.load(), kRacers - 1);
    }
};

QTEST_GUILESS_MAIN(TestInvitations)
#include "tst_invitations.moc"
