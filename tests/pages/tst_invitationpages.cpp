// Issue 13: the page /accept-invite over real loopback HTTP, on SQLite and on PostgreSQL.
// GET and HEAD show the invited address and change nothing; only a POST with the CSRF token
// makes the account (active, verified, no approval, while signup is closed); invalid input
// shows the form again and leaves the invitation usable; Terms of Service when tos/version is
// set; a used or unknown invitation gets the "no longer works" page; fr/de/en.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "pageforms.h"
#include "testbackend.h"
#include "testserver.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {
using pageforms::capture;
using testflows::kPassword;
} // namespace

class TestInvitationPages : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;

    void startServer(const QString &tosVersion = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.signupEnabled = false;
            c.tosVersion = tosVersion;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }

    // Invites `email` through core and returns the token of the mailed link.
    QString invite(const QString &email)
    {
        auto row = m_server->app().core().invitations().invite({email, u"Anna A."_s, {}, {}, {}},
                                                               {u"cli"_s});
        if (!row)
            return {};
        m_server->flushMail();
        return capture(decodeMail(m_server->lastMailTo(email)),
                       u"/accept-invite\\?token=([A-Za-z0-9_-]+)"_s);
    }
    HttpResult get(const QByteArray &method, const QByteArray &path,
                   const QByteArray &language = "en")
    {
        return httpRequest(port(), method, path, {}, {{"Accept-Language", language}});
    }
    struct Browser
    {
        QByteArray cookie;
        QString csrf;
    };
    Browser open(const QString &token)
    {
        const HttpResult r = get("GET", "/accept-invite?token=" + token.toLatin1());
        return {"sd_csrf=" + capture(QString::fromLatin1(r.headers.value("set-cookie")),
                                     u"sd_csrf=([^;]*)"_s)
                                 .toLatin1(),
                capture(QString::fromUtf8(r.body), u"name=\"csrf_token\" value=\"([^\"]*)\""_s)};
    }
    HttpResult post(const Browser &b, const QList<std::pair<QString, QString>> &fields)
    {
        QByteArrayList parts;
        for (const auto &[k, v] : fields)
            parts << QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
        HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!b.cookie.isEmpty())
            headers.append({"Cookie", b.cookie});
        return httpRequest(port(), "POST", "/accept-invite", parts.join('&'), headers);
    }
    int count(const QString &sql)
    {
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }
    int loginStatus(const QString &username)
    {
        return postJson(port(), "/api/v1/login",
                        {{u"username"_s, username}, {u"password"_s, kPassword}})
            .status;
    }

private slots:
    void cleanup() { m_server.reset(); }

    void getAndHeadChangeNothing()
    {
        startServer();
        const QString token = invite(u"anna@example.com"_s);
        QVERIFY(!token.isEmpty());
        const int audit = count(u"SELECT count(*) FROM audit_log"_s);
        const HttpResult page = get("GET", "/accept-invite?token=" + token.toLatin1());
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("anna@example.com"));
        QVERIFY(page.body.contains("value=\"Anna A.\""));
        QVERIFY(page.headers.value("content-security-policy").contains("default-src 'none'"));
        QVERIFY(!page.body.contains("<script"));
        const HttpResult head = get("HEAD", "/accept-invite?token=" + token.toLatin1());
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(count(u"SELECT count(*) FROM users"_s), 0);
        QCOMPARE(count(u"SELECT count(*) FROM invitations WHERE accepted_at IS NULL"_s), 1);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log"_s), audit);
        const HttpResult french = get("GET", "/accept-invite?token=" + token.toLatin1(), "fr");
        QVERIFY(french.body.contains("Créez votre compte"));
        const HttpResult unknown = get("GET", "/accept-invite?token=nope", "de");
        QCOMPARE(unknown.status, 400);
        QVERIFY(unknown.body.contains("Diese Einladung funktioniert nicht mehr"));
    }

    void onlyAPostWithTheCsrfTokenMakesTheAccount()
    {
        startServer();
        const QString token = invite(u"anna@example.com"_s);
        const Browser b = open(token);
        QVERIFY(!b.csrf.isEmpty());
        const QList<std::pair<QString, QString>> good{{u"csrf_token"_s, b.csrf},
                                                      {u"token"_s, token},
                                                      {u"username"_s, u"anna"_s},
                                                      {u"display_name"_s, u"Anna"_s},
                                                      {u"password"_s, kPassword}};
        QCOMPARE(post({}, good).status, 403); // no cookie: no CSRF
        QCOMPARE(count(u"SELECT count(*) FROM users"_s), 0);

        auto weak = good;
        weak[4].second = u"short"_s;
        const HttpResult again = post(b, weak);
        QCOMPARE(again.status, 400);
        QVERIFY(again.body.contains("This password is too short"));
        QVERIFY(again.body.contains("value=\"anna\"")); // what was typed is kept
        QCOMPARE(count(u"SELECT count(*) FROM users"_s), 0);

        const HttpResult done = post(b, good);
        QCOMPARE(done.status, 200);
        QVERIFY(done.body.contains("Your account is active"));
        QCOMPARE(loginStatus(u"anna"_s), 200);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE status = 'active' AND"
                       " verified_email = 1 AND display_name = 'Anna'"_s),
                 1);
        const HttpResult used = post(b, good);
        QCOMPARE(used.status, 400);
        QVERIFY(used.body.contains("This invitation no longer works"));
    }

    void termsOfServiceWhenSet()
    {
        startServer(u"2026-1"_s);
        const QString token = invite(u"anna@example.com"_s);
        const Browser b = open(token);
        const HttpResult page = get("GET", "/accept-invite?token=" + token.toLatin1());
        QVERIFY(page.body.contains("name=\"tos\""));
        QList<std::pair<QString, QString>> fields{{u"csrf_token"_s, b.csrf},
                                                  {u"token"_s, token},
                                                  {u"username"_s, u"anna"_s},
                                                  {u"password"_s, kPassword}};
        const HttpResult refused = post(b, fields);
        QCOMPARE(refused.status, 400);
        QVERIFY(refused.body.contains("Accept the Terms of Service"));
        QCOMPARE(count(u"SELECT count(*) FROM users"_s), 0);
        fields.append({u"tos"_s, u"accepted"_s});
        QCOMPARE(post(b, fields).status, 200);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE tos_accepted_version = '2026-1'"_s), 1);
    }
};

QTEST_GUILESS_MAIN(TestInvitationPages)
#include "tst_invitationpages.moc"
