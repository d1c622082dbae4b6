// The pages behind email links (API.md "Pages end users reach from email links"; SEC-11,
// SEC-12, SEC-18, SEC-21 … SEC-23) over real HTTP on loopback, against an in-process server
// with a fake clock. Built twice: on SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testenv.h"
#include "testserver.h"

#include "outbox.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <latch>
#include <thread>

#include "apiflows.h"
#include "pageforms.h"

using namespace Qt::StringLiterals;

namespace {

using pageforms::capture;
using pageforms::formBody;
using pageforms::hiddenValue;
using pageforms::kCsp;
using pageforms::setCookieValue;
using testflows::kPassword;
const QByteArray kChromeAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                                "Gecko) HeadlessChrome/120.0 Safari/537.36";

// The path and query of a link in an email, for requests to the test server.
QByteArray pathOf(const QString &link)
{
    const QUrl url(link);
    return url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
}

// A browser's view of one page: its cookie and the form's CSRF token.
struct Browser
{
    QString csrfCookie;
    QString csrfToken;
    QByteArray cookieHeader() const { return "sd_csrf=" + csrfCookie.toLatin1(); }
};

} // namespace

class TestPages : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.allowedRedirectHosts = {u"allowed.example"_s};
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }

    // Signs up; returns {user_id, raw verification token}.
    std::pair<QString, QString> signUp(const QString &username, const QString &language = u"en"_s)
    {
        const auto s = testflows::signUp(
            port(),
            testflows::signupBody(username, username + u"@example.com"_s, kPassword,
                                  {{u"display_name"_s, u"Old Name"_s}, {u"language"_s, language}}));
        return {s.userId, s.confirmToken};
    }

    // An active account (approval not required in the config of the test).
    QString activeUser(const QString &username)
    {
        auto [id, token] = signUp(username);
        const HttpResult r = testflows::confirmSignup(port(), token);
        if (r.json().value(u"approval"_s).toString() != u"not_required"_s)
            qWarning("confirm answered %s", r.body.constData());
        return id;
    }

    QString mailTo(const QString &address)
    {
        m_server->flushMail();
        return decodeMail(m_server->lastMailTo(address));
    }

    // Asks for a login link and returns the link's path and query.
    QByteArray loginLinkPath(const QString &username, const QString &nextPage = {})
    {
        QJsonObject body{{u"email"_s, QString(username + u"@example.com"_s)}};
        if (!nextPage.isEmpty())
            body.insert(u"next_page"_s, nextPage);
        const HttpResult r = postJson(port(), "/api/v1/login/email-link", body);
        if (r.status != 202)
            qWarning("email-link answered %d", r.status);
        const QString link = capture(mailTo(username + u"@example.com"_s),
                                     u"(http://127\\.0\\.0\\.1:\\d+/login/confirm\\?[^\\s\"<]+)"_s);
        return pathOf(link);
    }

    // The Host a browser sends when public_url is not the loopback address (pages answer only
    // under public_url's Host, SEC-25); empty: the client's default.
    QByteArray m_host;

    HttpResult get(const QByteArray &path, const QByteArray &method = "GET",
                   HeaderList headers = {})
    {
        headers.emplaceBack(QByteArray("User-Agent"), QByteArray(kChromeAgent));
        if (!m_host.isEmpty())
            headers.emplaceBack(QByteArray("Host"), m_host);
        return httpRequest(port(), method, path, {}, headers);
    }

    // Opens a page like a browser without cookies and keeps what its form needs.
    Browser open(const QByteArray &path, HttpResult *page = nullptr)
    {
        const HttpResult r = get(path);
        if (page)
            *page = r;
        return {setCookieValue(r, u"sd_csrf"_s), hiddenValue(r.body, u"csrf_token"_s)};
    }

    HttpResult postForm(const QByteArray &path, const QList<std::pair<QString, QString>> &fields,
                        const QByteArray &cookie, HeaderList headers = {})
    {
        headers.emplaceBack(QByteArray("Content-Type"),
                            QByteArray("application/x-www-form-urlencoded"));
        if (!cookie.isEmpty())
            headers.emplaceBack(QByteArray("Cookie"), QByteArray(cookie));
        if (!m_host.isEmpty())
            headers.emplaceBack(QByteArray("Host"), m_host);
        return httpRequest(port(), "POST", path, formBody(fields), headers);
    }

    // Everything a GET or HEAD must not change: users, tokens, outbox, audit log.
    QStringList snapshot()
    {
        QStringList out;
        auto db = m_server->app().database().connection();
        // users.remote_addr is left out: reverse DNS fills it in the background after signup.
        for (const QString &table : {u"users"_s, u"tokens"_s, u"outbox"_s, u"audit_log"_s}) {
            const QString columns =
                table == u"users"_s
                    ? u"id, username, email, display_name, password_hash, status, verified_email,"
                      " groups_list, tos_accepted_version, approved_at"_s
                    : u"*"_s;
            QSqlQuery q(*db);
            if (!q.exec(u"SELECT "_s + columns + u" FROM "_s + table + u" ORDER BY id"_s))
                return {u"query failed"_s};
            while (q.next()) {
                QStringList row{table};
                for (int i = 0; i < q.record().count(); ++i)
                    row << q.value(i).toString();
                out << row.join(u'|');
            }
        }
        return out;
    }

    int count(const QString &sql)
    {
        m_server->app().core().waitForAfterAnswer(); // resend and email-link work after answering
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

    int unusedTokens(const QString &kind)
    {
        return count(u"SELECT count(*) FROM tokens WHERE used_at IS NULL AND kind = '"_s + kind +
                     u"'"_s);
    }

    void verifyPageHeaders(const HttpResult &r,
                           const QByteArray &contentType = "text/html; charset=utf-8")
    {
        QCOMPARE(r.headers.value("content-security-policy"), kCsp);
        QCOMPARE(r.headers.value("referrer-policy"), "no-referrer");
        QCOMPARE(r.headers.value("x-frame-options"), "DENY");
        QCOMPARE(r.headers.value("cache-control"), "no-store");
        QCOMPARE(r.headers.value("x-content-type-options"), "nosniff");
        QCOMPARE(r.headers.value("content-type"), contentType);
    }

    void verifyNoScript(const QByteArray &html)
    {
        const QByteArray lower = html.toLower();
        for (const char *bad :
             {"<script", "submit(", "requestsubmit", "refresh", "onload", "http://", "https://"})
            QVERIFY2(!lower.contains(bad), bad);
    }

private slots:
    void cleanup()
    {
        m_server.reset();
        m_host.clear();
    }

    void securityHeadersOnEveryPage_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("contentType"); // of the request body; empty: no body
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("verify page")
            << QByteArray("GET") << QByteArray("/verify-email?email=a%40example.com&token=LIVE")
            << QByteArray() << QByteArray() << 200;
        QTest::newRow("verify page HEAD")
            << QByteArray("HEAD") << QByteArray("/verify-email?email=a%40example.com&token=LIVE")
            << QByteArray() << QByteArray() << 200;
        QTest::newRow("verify bad token")
            << QByteArray("GET") << QByteArray("/verify-email?email=a%40example.com&token=nope")
            << QByteArray() << QByteArray() << 400;
        QTest::newRow("signed page")
            << QByteArray("GET")
            << QByteArray("/verify-registration?user_id=usr_x&timestamp=1&signature=abc")
            << QByteArray() << QByteArray() << 200;
        QTest::newRow("signed no params") << QByteArray("GET") << QByteArray("/verify-registration")
                                          << QByteArray() << QByteArray() << 400;
        QTest::newRow("login bad token")
            << QByteArray("GET") << QByteArray("/login/confirm?token=nope") << QByteArray()
            << QByteArray() << 400;
        QTest::newRow("home") << QByteArray("GET") << QByteArray("/") << QByteArray()
                              << QByteArray() << 200;
        QTest::newRow("post without csrf") << QByteArray("POST") << QByteArray("/verify-email")
                                           << QByteArray("application/x-www-form-urlencoded")
                                           << QByteArray("email=a&token=b") << 403;
        QTest::newRow("resend without csrf")
            << QByteArray("POST") << QByteArray("/verify-email/resend")
            << QByteArray("application/x-www-form-urlencoded") << QByteArray("email=a") << 403;
        QTest::newRow("login post without csrf")
            << QByteArray("POST") << QByteArray("/login/confirm")
            << QByteArray("application/x-www-form-urlencoded") << QByteArray("token=b") << 403;
        QTest::newRow("405") << QByteArray("PUT") << QByteArray("/verify-email") << QByteArray()
                             << QByteArray() << 405;
        QTest::newRow("405 resend GET") << QByteArray("GET") << QByteArray("/verify-email/resend")
                                        << QByteArray() << QByteArray() << 405;
        QTest::newRow("415") << QByteArray("POST") << QByteArray("/verify-email")
                             << QByteArray("text/plain") << QByteArray("x") << 415;
        QTest::newRow("413") << QByteArray("POST") << QByteArray("/login/confirm")
                             << QByteArray("application/x-www-form-urlencoded")
                             << QByteArray(70 * 1024, 'a') << 413;
    }
    void securityHeadersOnEveryPage()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        startServer();
        auto [id, token] = signUp(u"alice"_s);
        path.replace("a%40example.com", "alice%40example.com").replace("LIVE", token.toLatin1());
        HeaderList headers;
        if (!contentType.isEmpty())
            headers.emplaceBack(QByteArray("Content-Type"), QByteArray(contentType));
        const HttpResult r = httpRequest(port(), method, path, body, headers);
        QCOMPARE(r.status, status);
        verifyPageHeaders(r);
        if (method == "HEAD")
            QVERIFY(r.body.isEmpty());
        else
            verifyNoScript(r.body);
    }

    void stylesheetIsServed()
    {
        startServer();
        const HttpResult r = get("/static/signupdesk.css");
        QCOMPARE(r.status, 200);
        verifyPageHeaders(r, "text/css; charset=utf-8");
        QVERIFY(r.body.contains("font-family"));
        const HttpResult head = get("/static/signupdesk.css", "HEAD");
        QCOMPARE(head.status, 200);
        QVERIFY(head.body.isEmpty());
        QCOMPARE(head.headers.value("content-length"), QByteArray::number(r.body.size()));
    }

    void getAndHeadChangeNothing_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("verification") << u"verification"_s;
        QTest::newRow("signed") << u"signed"_s;
        QTest::newRow("login link") << u"login_link"_s;
    }
    void getAndHeadChangeNothing()
    {
        QFETCH(QString, kind);
        startServer([&](sd::core::Config &c) {
            c.approvalRequired = false;
            if (kind == u"signed"_s)
                c.verificationStyle = u"signed"_s;
            c.tosVersion = u"v2"_s;
        });
        QByteArray path;
        QString tokenKind = kind;
        if (kind == u"verification"_s) {
            auto [id, token] = signUp(u"alice"_s);
            path = "/verify-email?email=alice%40example.com&token=" + token.toLatin1();
        } else if (kind == u"signed"_s) {
            signUp(u"alice"_s);
            path = pathOf(capture(mailTo(u"alice@example.com"_s),
                                  u"(http://\\S+/verify-registration\\?[^\\s\"<]+)"_s));
            tokenKind = u"signed_verification"_s;
        } else {
            activeUser(u"alice"_s);
            path = loginLinkPath(u"alice"_s, u"/welcome"_s);
        }
        QVERIFY(!path.isEmpty());
        m_server->flushMail();
        const QStringList before = snapshot();
        QVERIFY(!before.isEmpty());
        const int hitsBefore = count(u"SELECT count(*) FROM link_hits"_s);

        QByteArray firstBody;
        for (int i = 0; i < 20; ++i) {
            const HttpResult g = get(path);
            QCOMPARE(g.status, 200);
            verifyPageHeaders(g);
            verifyNoScript(g.body);
            QVERIFY(g.body.contains("<form method=\"post\""));
            const HttpResult h = get(path, "HEAD");
            QCOMPARE(h.status, 200);
            QVERIFY(h.body.isEmpty());
            verifyPageHeaders(h);
            QCOMPARE(h.headers.value("content-length").toInt() > 0, true);
        }
        QCOMPARE(snapshot(), before);
        QCOMPARE(count(u"SELECT count(*) FROM link_hits"_s), hitsBefore + 40);
        QCOMPARE(
            count(
                u"SELECT count(*) FROM link_hits WHERE method = 'HEAD' AND token_kind = '"_s +
                tokenKind +
                u"' AND user_id IS NOT NULL AND remote_ip = '127.0.0.1' AND user_agent LIKE '%HeadlessChrome%'"_s),
            20);

        // A person then clicks: the POST works.
        HttpResult page;
        const Browser b = open(path, &page);
        QVERIFY(!b.csrfCookie.isEmpty());
        QVERIFY(!b.csrfToken.isEmpty());
        QByteArray action;
        QList<std::pair<QString, QString>> fields{{u"csrf_token"_s, b.csrfToken}};
        if (kind == u"verification"_s) {
            action = "/verify-email";
            fields << std::pair{u"email"_s, hiddenValue(page.body, u"email"_s)}
                   << std::pair{u"token"_s, hiddenValue(page.body, u"token"_s)};
        } else if (kind == u"signed"_s) {
            action = "/verify-registration";
            for (const QString &f : {u"user_id"_s, u"timestamp"_s, u"signature"_s})
                fields << std::pair{f, hiddenValue(page.body, f)};
        } else {
            action = "/login/confirm";
            fields << std::pair{u"token"_s, hiddenValue(page.body, u"token"_s)}
                   << std::pair{u"next_page"_s, hiddenValue(page.body, u"next_page"_s)}
                   << std::pair{u"tos"_s, u"accepted"_s};
        }
        const HttpResult post = postForm(action, fields, b.cookieHeader());
        verifyPageHeaders(post);
        if (kind == u"login_link"_s) {
            QCOMPARE(post.status, 303);
            QCOMPARE(post.headers.value("location"), "/welcome");
        } else {
            QCOMPARE(post.status, 200);
            QVERIFY(post.body.contains("You can log in now"));
        }
        QVERIFY(snapshot() != before);
    }

    void postConsumesOnceAndSaysWhatNext()
    {
        startServer();
        auto [id, token] = signUp(u"alice"_s);
        const QByteArray path = "/verify-email?email=alice%40example.com&token=" + token.toLatin1();
        HttpResult page;
        const Browser b = open(path, &page);
        QVERIFY(page.body.contains("Confirm my email"));
        const QList<std::pair<QString, QString>> fields{{u"csrf_token"_s, b.csrfToken},
                                                        {u"email"_s, u"alice@example.com"_s},
                                                        {u"token"_s, token}};
        const HttpResult first = postForm("/verify-email", fields, b.cookieHeader());
        QCOMPARE(first.status, 200);
        QVERIFY2(first.body.contains("An administrator will now review your signup"),
                 first.body.constData());
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE status = 'pending_approval'"_s), 1);
        const HttpResult second = postForm("/verify-email", fields, b.cookieHeader());
        QCOMPARE(second.status, 400);
        QVERIFY(second.body.contains("expired or was already used"));
        QVERIFY(second.body.contains("action=\"/verify-email/resend\""));
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'email.verified'"_s), 1);
        // The GET of a used link says so too, and offers a new one.
        const HttpResult again = get(path);
        QCOMPARE(again.status, 400);
        QVERIFY(again.body.contains("Send me a new link"));
    }

    void expiredLinkOffersResend()
    {
        startServer();
        auto [id, token] = signUp(u"alice"_s);
        m_server->clock().advanceSeconds(m_server->config().verificationTtlSeconds + 1);
        const QByteArray path = "/verify-email?email=alice%40example.com&token=" + token.toLatin1();
        HttpResult page;
        const Browser b = open(path, &page);
        QCOMPARE(page.status, 400);
        QVERIFY(page.body.contains("expired or was already used"));
        QCOMPARE(hiddenValue(page.body, u"csrf_token"_s), b.csrfToken);
        m_server->flushMail();
        const int mailsBefore = sd::mail::Outbox::list(m_server->app().database())->size();
        const HttpResult known =
            postForm("/verify-email/resend",
                     {{u"csrf_token"_s, b.csrfToken}, {u"email"_s, u"alice@example.com"_s}},
                     b.cookieHeader());
        const HttpResult unknown =
            postForm("/verify-email/resend",
                     {{u"csrf_token"_s, b.csrfToken}, {u"email"_s, u"nobody@example.com"_s}},
                     b.cookieHeader());
        QCOMPARE(known.status, 200);
        QCOMPARE(unknown.status, 200);
        QCOMPARE(known.body, unknown.body);
        QVERIFY(known.body.contains("a new link is on its way"));
        m_server->app().core().waitForAfterAnswer(); // the resend's work runs after the answer
        QCOMPARE(sd::mail::Outbox::list(m_server->app().database())->size(), mailsBefore + 1);
        // The new link works.
        const QString link =
            capture(mailTo(u"alice@example.com"_s), u"(http://\\S+/verify-email\\?[^\\s\"<]+)"_s);
        HttpResult fresh;
        const Browser b2 = open(pathOf(link), &fresh);
        QCOMPARE(fresh.status, 200);
        const HttpResult ok = postForm("/verify-email",
                                       {{u"csrf_token"_s, b2.csrfToken},
                                        {u"email"_s, hiddenValue(fresh.body, u"email"_s)},
                                        {u"token"_s, hiddenValue(fresh.body, u"token"_s)}},
                                       b2.cookieHeader());
        QCOMPARE(ok.status, 200);
    }

    void invalidLinkSaysInvalid()
    {
        startServer();
        auto [id, token] = signUp(u"alice"_s);
        const Browser b = open("/verify-email?email=alice%40example.com&token=" + token.toLatin1());
        const HttpResult r = postForm("/verify-email",
                                      {{u"csrf_token"_s, b.csrfToken},
                                       {u"email"_s, u"alice@example.com"_s},
                                       {u"token"_s, token + u"x"_s}},
                                      b.cookieHeader());
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("This link is not valid"));
        QCOMPARE(unusedTokens(u"verification"_s), 1);
    }

    void csrfRefusals_data()
    {
        QTest::addColumn<QString>("variant");
        for (const char *v : {"missing token", "forged token", "token of another cookie",
                              "no cookie", "cross-site fetch", "foreign origin", "null origin"})
            QTest::newRow(v) << QString::fromLatin1(v);
    }
    void csrfRefusals()
    {
        QFETCH(QString, variant);
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        auto [id, token] = signUp(u"alice"_s);
        activeUser(u"bob"_s);
        const QByteArray verifyPath =
            "/verify-email?email=alice%40example.com&token=" + token.toLatin1();
        const QByteArray loginPath = loginLinkPath(u"bob"_s);
        const Browser b = open(verifyPath);
        const Browser other = open(verifyPath);
        QVERIFY(b.csrfCookie != other.csrfCookie);

        QString csrf = b.csrfToken;
        QByteArray cookie = b.cookieHeader();
        HeaderList headers;
        if (variant == u"missing token"_s)
            csrf.clear();
        else if (variant == u"forged token"_s)
            csrf = u"AAAA"_s + csrf.mid(4);
        else if (variant == u"token of another cookie"_s)
            csrf = other.csrfToken;
        else if (variant == u"no cookie"_s)
            cookie.clear();
        else if (variant == u"cross-site fetch"_s)
            headers = {{"Sec-Fetch-Site", "cross-site"},
                       {"Origin", "http://127.0.0.1:" + QByteArray::number(port())}};
        else if (variant == u"foreign origin"_s)
            headers = {{"Origin", "https://evil.example"}};
        else if (variant == u"null origin"_s)
            headers = {{"Origin", "null"}};

        const QStringList before = snapshot();
        const HttpResult v = postForm(
            "/verify-email",
            {{u"csrf_token"_s, csrf}, {u"email"_s, u"alice@example.com"_s}, {u"token"_s, token}},
            cookie, headers);
        QCOMPARE(v.status, 403);
        verifyPageHeaders(v);
        const QString loginToken =
            QUrlQuery(QUrl(QString::fromLatin1(loginPath)).query()).queryItemValue(u"token"_s);
        const HttpResult l = postForm(
            "/login/confirm", {{u"csrf_token"_s, csrf}, {u"token"_s, loginToken}}, cookie, headers);
        QCOMPARE(l.status, 403);
        QVERIFY(!l.headers.contains("set-cookie"));
        QCOMPARE(snapshot(), before);
        QCOMPARE(unusedTokens(u"verification"_s), 1);
        QCOMPARE(unusedTokens(u"login_link"_s), 1);

        // The same POSTs from this site, with the right token, pass.
        const HeaderList sameSite{{"Sec-Fetch-Site", "same-origin"},
                                  {"Origin", "http://127.0.0.1:" + QByteArray::number(port())}};
        QCOMPARE(postForm("/verify-email",
                          {{u"csrf_token"_s, b.csrfToken},
                           {u"email"_s, u"alice@example.com"_s},
                           {u"token"_s, token}},
                          b.cookieHeader(), sameSite)
                     .status,
                 200);
        QCOMPARE(postForm("/login/confirm",
                          {{u"csrf_token"_s, b.csrfToken}, {u"token"_s, loginToken}},
                          b.cookieHeader(), sameSite)
                     .status,
                 303);
    }

    void signedLinkFlow()
    {
        startServer([](sd::core::Config &c) { c.verificationStyle = u"signed"_s; });
        signUp(u"alice"_s);
        const QString mail = mailTo(u"alice@example.com"_s);
        const QString link = capture(mail, u"(http://\\S+/verify-registration\\?[^\\s\"<]+)"_s);
        QVERIFY2(!link.isEmpty(), qPrintable(mail));
        HttpResult page;
        const Browser b = open(pathOf(link), &page);
        QCOMPARE(page.status, 200);
        QList<std::pair<QString, QString>> fields{{u"csrf_token"_s, b.csrfToken}};
        for (const QString &f : {u"user_id"_s, u"timestamp"_s, u"signature"_s})
            fields << std::pair{f, hiddenValue(page.body, f)};
        const HttpResult first = postForm("/verify-registration", fields, b.cookieHeader());
        QCOMPARE(first.status, 200);
        QVERIFY(first.body.contains("An administrator will now review"));
        const HttpResult replay = postForm("/verify-registration", fields, b.cookieHeader());
        QCOMPARE(replay.status, 400);
        QVERIFY(replay.body.contains("Send me a new link"));
    }

    void emailLinkLoginWithTos()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.tosVersion = u"2024-06"_s;
        });
        const QString id = activeUser(u"alice"_s);
        const QByteArray path = loginLinkPath(u"alice"_s, u"https://allowed.example/after?x=1"_s);
        QVERIFY(path.contains("next_page=https%3A%2F%2Fallowed.example%2Fafter%3Fx%3D1"));
        HttpResult page;
        const Browser b = open(path, &page);
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("alice@example.com"));
        QVERIFY(page.body.contains("name=\"tos\""));
        QVERIFY(page.body.contains("version 2024-06"));
        QVERIFY(page.body.contains("value=\"Old Name\""));
        const QString token = hiddenValue(page.body, u"token"_s);
        QList<std::pair<QString, QString>> fields{
            {u"csrf_token"_s, b.csrfToken},
            {u"token"_s, token},
            {u"next_page"_s, hiddenValue(page.body, u"next_page"_s)},
            {u"display_name"_s, u"<img src=x onerror=alert(1)> Alice"_s}};
        const HttpResult noTos = postForm("/login/confirm", fields, b.cookieHeader());
        QCOMPARE(noTos.status, 400);
        QVERIFY(!noTos.headers.contains("set-cookie"));
        QVERIFY(noTos.body.contains("Accept the Terms of Service"));
        QVERIFY(!noTos.body.contains("<img src=x"));
        QVERIFY(noTos.body.contains("&lt;img src=x onerror=alert(1)&gt; Alice"));
        QCOMPARE(unusedTokens(u"login_link"_s), 1);
        QCOMPARE(count(u"SELECT count(*) FROM tokens WHERE kind = 'session'"_s), 0);

        fields << std::pair{u"tos"_s, u"accepted"_s};
        const HttpResult ok = postForm("/login/confirm", fields, b.cookieHeader());
        QCOMPARE(ok.status, 303);
        QCOMPARE(ok.headers.value("location"), "https://allowed.example/after?x=1");
        const QByteArray setCookie = ok.headers.value("set-cookie");
        QVERIFY2(setCookie.startsWith("sd_session="), setCookie.constData());
        QVERIFY(setCookie.contains("; HttpOnly"));
        QVERIFY(setCookie.contains("; SameSite=Lax"));
        QVERIFY(setCookie.contains("; Path=/"));
        QVERIFY(!setCookie.contains("Domain"));
        QVERIFY(!setCookie.contains("Secure")); // public_url is http here
        const QString ust = setCookieValue(ok, u"sd_session"_s);
        QCOMPARE(ust.size(), 43);
        QVERIFY(!ok.headers.value("location").contains(ust.toLatin1()));
        QVERIFY(!ok.body.contains(ust.toLatin1()));
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE tos_accepted_version = '2024-06'"_s), 1);
        QCOMPARE(
            count(
                u"SELECT count(*) FROM users WHERE display_name = '<img src=x onerror=alert(1)> Alice'"_s),
            1);
        QCOMPARE(
            count(
                u"SELECT count(*) FROM audit_log WHERE action = 'login.succeeded' AND subject_id = '"_s +
                id + u"'"_s),
            1);
        // The session works (Bearer for the API; the cookie for pages), and the link is spent.
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 200);
        const HttpResult home = get("/", "GET", {{"Cookie", "sd_session=" + ust.toLatin1()}});
        QVERIFY(
            home.body.contains("You are logged in as &lt;img src=x onerror=alert(1)&gt; Alice"));
        QCOMPARE(postForm("/login/confirm", fields, b.cookieHeader()).status, 400);
        QCOMPARE(get(path).status, 400);
        // Next time the ToS box is gone: already accepted.
        open(loginLinkPath(u"alice"_s), &page);
        QCOMPARE(page.status, 200);
        QVERIFY(!page.body.contains("name=\"tos\""));
    }

    void secureCookieWithHttpsPublicUrl()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.publicUrl = u"https://signup.example.org"_s;
        });
        m_host = "signup.example.org";
        activeUser(u"alice"_s);
        postJson(port(), "/api/v1/login/email-link", {{u"email"_s, u"alice@example.com"_s}});
        const QString link =
            capture(mailTo(u"alice@example.com"_s),
                    u"(https://signup\\.example\\.org/login/confirm\\?[^\\s\"<]+)"_s);
        QVERIFY(!link.isEmpty());
        HttpResult page;
        const Browser b = open(pathOf(link), &page);
        QVERIFY(page.headers.value("set-cookie").contains("; Secure"));
        const HttpResult ok = postForm(
            "/login/confirm",
            {{u"csrf_token"_s, b.csrfToken}, {u"token"_s, hiddenValue(page.body, u"token"_s)}},
            b.cookieHeader(), {{"Origin", "https://signup.example.org"}});
        QCOMPARE(ok.status, 303);
        QCOMPARE(ok.headers.value("location"), "/");
        const QByteArray setCookie = ok.headers.value("set-cookie");
        QVERIFY2(setCookie.startsWith("__Host-sd_session="), setCookie.constData());
        QVERIFY(setCookie.contains("; Secure"));
        QVERIFY(setCookie.contains("; Path=/"));
    }

    void hostileNextPageGoesHome_data()
    {
        QTest::addColumn<QString>("next");
        QTest::addColumn<QByteArray>("location");
        QTest::newRow("//evil.com") << u"//evil.com"_s << QByteArray("/");
        QTest::newRow("/\\evil.com") << u"/\\evil.com"_s << QByteArray("/");
        QTest::newRow("https:evil.com") << u"https:evil.com"_s << QByteArray("/");
        QTest::newRow("javascript") << u"javascript:alert(1)"_s << QByteArray("/");
        QTest::newRow("suffix host") << u"https://allowed.example.evil.com"_s << QByteArray("/");
        QTest::newRow("userinfo") << u"https://allowed.example@evil.com"_s << QByteArray("/");
        QTest::newRow("crlf") << u"/ok%0d%0aSet-Cookie:x=y"_s << QByteArray("/");
        QTest::newRow("raw crlf") << u"/ok\r\nSet-Cookie: x=y"_s << QByteArray("/");
        QTest::newRow("full-width") << u"\uFF0F\uFF0Fevil.com"_s << QByteArray("/");
        QTest::newRow("allowed path") << u"/account?tab=1"_s << QByteArray("/account?tab=1");
        QTest::newRow("allowed host")
            << u"https://allowed.example/x"_s << QByteArray("https://allowed.example/x");
    }
    void hostileNextPageGoesHome()
    {
        QFETCH(QString, next);
        QFETCH(QByteArray, location);
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        activeUser(u"alice"_s);
        HttpResult page;
        const QByteArray link = loginLinkPath(u"alice"_s);
        QVERIFY(!link.isEmpty());
        const Browser b = open(link, &page);
        QCOMPARE(page.status, 200);
        QVERIFY(!b.csrfCookie.isEmpty() && !b.csrfToken.isEmpty());
        // The form's hidden field is what a tampering user controls: post the payload there.
        const HttpResult r = postForm("/login/confirm",
                                      {{u"csrf_token"_s, b.csrfToken},
                                       {u"token"_s, hiddenValue(page.body, u"token"_s)},
                                       {u"next_page"_s, next}},
                                      b.cookieHeader());
        QCOMPARE(r.status, 303);
        QCOMPARE(r.headers.value("location"), location);
        QVERIFY(!r.headers.contains("x"));
    }

    void hostileNextPageStaysOutOfTheEmail()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        activeUser(u"alice"_s);
        const QByteArray path = loginLinkPath(u"alice"_s, u"//evil.com"_s);
        QVERIFY(!path.isEmpty());
        QVERIFY(!path.contains("next_page"));
    }

    void emailLinkAnswersAlikeForEveryAddress()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = true; });
        auto [id, token] = signUp(u"alice"_s);
        QCOMPARE(postJson(port(), "/api/v1/signup/confirm", {{u"confirm_token"_s, token}}).status,
                 200);
        // pending approval: no link
        m_server->flushMail();
        const auto mails = [&] {
            m_server->app().core().waitForAfterAnswer(); // email-link mails after its answer
            return sd::mail::Outbox::list(m_server->app().database())->size();
        };
        const qsizetype before = mails();
        QList<HttpResult> answers;
        for (const QString &email : {u"alice@example.com"_s, u"nobody@example.com"_s})
            answers << postJson(port(), "/api/v1/login/email-link", {{u"email"_s, email}});
        QCOMPARE(answers[0].status, 202);
        QCOMPARE(answers[0].body, answers[1].body);
        QCOMPARE(answers[0].headers.keys().size(), answers[1].headers.keys().size());
        QCOMPARE(mails(), before);
        // Approved, the same request mails a link, and answers the same.
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        QVERIFY(q.exec(u"UPDATE users SET status = 'active'"_s));
        const HttpResult active =
            postJson(port(), "/api/v1/login/email-link", {{u"email"_s, u"ALICE@example.com"_s}});
        QCOMPARE(active.status, 202);
        QCOMPARE(active.body, answers[0].body);
        QCOMPARE(mails(), before + 1);
        QCOMPARE(postJson(port(), "/api/v1/login/email-link", {{u"email"_s, 5}}).status, 400);
        QCOMPARE(httpRequest(port(), "POST", "/api/v1/login/email-link", "email=a",
                             {{"Content-Type", "application/x-www-form-urlencoded"}})
                     .status,
                 415);
    }

    void emailLinkRateLimitedPerAddress()
    {
        startServer([](sd::core::Config &c) {
            c.approvalRequired = false;
            c.rateLimitEnabled = true;
            c.requestsPerAddressPerMinute = 1000;
            c.resendCooldownSeconds = 0; // the hourly cap alone (the cooldown: tst_ratelimits)
        });
        activeUser(u"alice"_s);
        m_server->clock().advanceSeconds(3600); // past the hour the signup's mail counted in
        QList<HttpResult> last;
        for (const QString &email : {u"alice@example.com"_s, u"nobody@example.com"_s}) {
            HttpResult r;
            for (int i = 0; i < 6; ++i)
                r = postJson(port(), "/api/v1/login/email-link", {{u"email"_s, email}});
            last << r;
        }
        QCOMPARE(last[0].status, 429);
        QCOMPARE(last[1].status, 429);
        QCOMPARE(last[0].body, last[1].body);
        QCOMPARE(last[0].headers.value("retry-after"), last[1].headers.value("retry-after"));
        QCOMPARE(count(u"SELECT count(*) FROM tokens WHERE kind = 'login_link'"_s), 5);
    }

    void pagesSpeakTheBrowsersLanguage_data()
    {
        QTest::addColumn<QByteArray>("acceptLanguage");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QByteArray>("lang");
        QTest::newRow("none") << QByteArray() << QByteArray("Confirm my email") << QByteArray("en");
        QTest::newRow("fr") << QByteArray("fr-CH, fr;q=0.9")
                            << QByteArray("Confirmer mon adresse e-mail") << QByteArray("fr");
        QTest::newRow("de") << QByteArray("de") << QByteArray("E-Mail-Adresse best\xc3\xa4tigen")
                            << QByteArray("de");
        QTest::newRow("q picks fr")
            << QByteArray("de;q=0.5, fr;q=0.9, en;q=0.1")
            << QByteArray("Confirmer mon adresse e-mail") << QByteArray("fr");
        QTest::newRow("unsupported")
            << QByteArray("es, it;q=0.8") << QByteArray("Confirm my email") << QByteArray("en");
    }
    void pagesSpeakTheBrowsersLanguage()
    {
        QFETCH(QByteArray, acceptLanguage);
        QFETCH(QByteArray, expected);
        QFETCH(QByteArray, lang);
        startServer();
        auto [id, token] = signUp(u"alice"_s);
        HeaderList headers;
        if (!acceptLanguage.isEmpty())
            headers.emplaceBack(QByteArray("Accept-Language"), QByteArray(acceptLanguage));
        const HttpResult r = get(
            "/verify-email?email=alice%40example.com&token=" + token.toLatin1(), "GET", headers);
        QCOMPARE(r.status, 200);
        QVERIFY2(r.body.contains(expected), r.body.constData());
        QVERIFY(r.body.contains(QByteArray("<html lang=\"" + lang + "\">")));
        const HttpResult missing = get("/verify-email/resend", "GET", headers);
        QCOMPARE(missing.status, 405);
        QVERIFY(missing.body.contains(QByteArray("<html lang=\"" + lang + "\">")));
    }

    // SEC-08: many clicks on one link at once: exactly one wins.
    // Issue 18 item 8: one name rule. Whatever signup accepts, the login form accepts and stores
    // alike; whatever signup refuses, the form refuses (before: U+202E passed signup, then the
    // form refused it, so that user could never send the form).
    void loginFormFollowsTheSignupNameRule_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("plain, padded") << u"  Alice Smith "_s;
        QTest::newRow("decomposed") << u"Ame\u0301lie"_s;
        QTest::newRow("emoji ZWJ sequence") << u"\U0001F3F3\uFE0F\u200D\U0001F308 Kim"_s;
        QTest::newRow("Persian ZWNJ") << u"\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"_s;
        QTest::newRow("no-break space") << u"Jean\u00A0Dupont"_s;
        QTest::newRow("128 emoji") << QString(u"\U0001F600"_s).repeated(128);
        QTest::newRow("129 emoji") << QString(u"\U0001F600"_s).repeated(129);
        for (const char16_t c :
             {u'\u202E', u'\u202A', u'\u2066', u'\u2069', u'\u200F', u'\u061C', u'\u200B',
              u'\uFEFF', u'\u00AD', u'\u2028', u'\u0085', u'\u0007', u'\uFFFF'})
            QTest::addRow("U+%04X", unsigned(c)) << QString(u"Eve"_s + QChar(c) + u"gnp.exe"_s);
        QTest::newRow("leading ZWJ") << u"\u200DEve"_s;
    }
    void loginFormFollowsTheSignupNameRule()
    {
        QFETCH(QString, name);
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        const HttpResult signup = postJson(port(), "/api/v1/signup",
                                           {{u"username"_s, u"probe"_s},
                                            {u"password"_s, kPassword},
                                            {u"email"_s, u"probe@example.com"_s},
                                            {u"display_name"_s, name}});
        QVERIFY2(signup.status == 201 || signup.status == 400, signup.body.constData());
        const bool accepted = signup.status == 201;

        activeUser(u"alice"_s);
        HttpResult page;
        const Browser b = open(loginLinkPath(u"alice"_s), &page);
        const HttpResult r = postForm("/login/confirm",
                                      {{u"csrf_token"_s, b.csrfToken},
                                       {u"token"_s, hiddenValue(page.body, u"token"_s)},
                                       {u"display_name"_s, name}},
                                      b.cookieHeader());
        QCOMPARE(r.status, accepted ? 303 : 400);
        if (accepted)
            QCOMPARE(
                count(
                    u"SELECT count(DISTINCT display_name) FROM users WHERE username IN ('probe', 'alice')"_s),
                1);
        else
            QVERIFY(r.body.contains("contains characters that are not allowed"));
    }

    // A stored name the rule would refuse (an older row, a provider's profile) never locks the
    // form: the page offers it cleaned, and sending the page back as it is logs in.
    void storedNameThatBreaksTheRuleDoesNotLockTheForm()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        activeUser(u"alice"_s);
        {
            auto db = m_server->app().database().connection();
            QSqlQuery q(*db);
            q.prepare(u"UPDATE users SET display_name = ? WHERE username = 'alice'"_s);
            q.addBindValue(u"\u202EEve\ngnp\u200B.exe\u0007"_s);
            QVERIFY(q.exec());
        }
        HttpResult page;
        const Browser b = open(loginLinkPath(u"alice"_s), &page);
        QCOMPARE(page.status, 200);
        const QString offered = hiddenValue(page.body, u"display_name"_s);
        QCOMPARE(offered, u"Eve gnp.exe"_s);
        const HttpResult r = postForm("/login/confirm",
                                      {{u"csrf_token"_s, b.csrfToken},
                                       {u"token"_s, hiddenValue(page.body, u"token"_s)},
                                       {u"display_name"_s, offered}},
                                      b.cookieHeader());
        QCOMPARE(r.status, 303);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE display_name = 'Eve gnp.exe'"_s), 1);
    }

    // A form whose percent-escapes decode to bytes that are not UTF-8 is refused whole (400),
    // the link stays unused; before, each bad byte became U+FFFD and was stored.
    void formsThatAreNotUtf8AreRefused()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        activeUser(u"alice"_s);
        HttpResult page;
        const Browser b = open(loginLinkPath(u"alice"_s), &page);
        const QByteArray prefix = "csrf_token=" + QUrl::toPercentEncoding(b.csrfToken) + "&token=" +
                                  QUrl::toPercentEncoding(hiddenValue(page.body, u"token"_s));
        for (const QByteArray &bad :
             {QByteArray("&display_name=Eve%FF"), QByteArray("&display_name=Eve%ED%A0%80"),
              QByteArray("&display_name=Eve%C0%AF"), QByteArray("&display_name=Eve%E2%82"),
              QByteArray("&display_name=Eve\xff"), QByteArray("&na%FFme=Eve")}) {
            const HttpResult r = httpRequest(port(), "POST", "/login/confirm", prefix + bad,
                                             {{"Content-Type", "application/x-www-form-urlencoded"},
                                              {"Cookie", b.cookieHeader()}});
            QVERIFY2(r.status == 400, bad.constData());
            QVERIFY(!r.headers.contains("set-cookie") ||
                    !r.headers.value("set-cookie").contains("sd_session"));
        }
        QCOMPARE(unusedTokens(u"login_link"_s), 1);
        // Valid UTF-8, percent-encoded or '+' for spaces, still works.
        const HttpResult ok = httpRequest(
            port(), "POST", "/login/confirm", prefix + "&display_name=Ren%C3%A9e+Dupont",
            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", b.cookieHeader()}});
        QCOMPARE(ok.status, 303);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE display_name = 'Renée Dupont'"_s), 1);
    }

    void concurrentPostsConsumeOnce_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("verify-email") << u"verification"_s;
        QTest::newRow("login/confirm") << u"login_link"_s;
    }
    void concurrentPostsConsumeOnce()
    {
        QFETCH(QString, kind);
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        QByteArray action;
        QList<std::pair<QString, QString>> fields;
        Browser b;
        if (kind == u"verification"_s) {
            auto [id, token] = signUp(u"alice"_s);
            b = open("/verify-email?email=alice%40example.com&token=" + token.toLatin1());
            action = "/verify-email";
            fields = {{u"email"_s, u"alice@example.com"_s}, {u"token"_s, token}};
        } else {
            activeUser(u"alice"_s);
            HttpResult page;
            b = open(loginLinkPath(u"alice"_s), &page);
            action = "/login/confirm";
            fields = {{u"token"_s, hiddenValue(page.body, u"token"_s)}};
        }
        fields << std::pair{u"csrf_token"_s, b.csrfToken};
        constexpr int kClients = 16;
        std::latch start(kClients);
        QList<int> statuses(kClients);
        std::vector<std::thread> threads;
        for (int i = 0; i < kClients; ++i)
            threads.emplace_back([&, i] {
                const QByteArray body = formBody(fields);
                start.arrive_and_wait();
                statuses[i] = httpRequest(port(), "POST", action, body,
                                          {{"Content-Type", "application/x-www-form-urlencoded"},
                                           {"Cookie", b.cookieHeader()}})
                                  .status;
            });
        for (auto &t : threads)
            t.join();
        const int winners = int(std::count_if(statuses.begin(), statuses.end(),
                                              [](int s) { return s == 200 || s == 303; }));
        QCOMPARE(winners, 1);
        QCOMPARE(int(std::count(statuses.begin(), statuses.end(), 400)), kClients - 1);
        if (kind == u"login_link"_s)
            QCOMPARE(count(u"SELECT count(*) FROM tokens WHERE kind = 'session'"_s), 1);
        else
            QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'email.verified'"_s), 1);
    }
};

QTEST_GUILESS_MAIN(TestPages)
#include "tst_pages.moc"
