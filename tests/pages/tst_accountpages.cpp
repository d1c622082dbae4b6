// The /account page's sessions and delete sections over real HTTP on loopback: the list of the
// account's sessions (created, last used, address, user agent, this browser), ending one and
// every other, logging out, deleting the account after the password and the confirmation box
// (goodbye email, signed out); CSRF on every form, no script, the strict headers, en/fr/de.
// Built twice: on SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "pageforms.h"
#include "testbackend.h"
#include "testserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
using namespace pageforms;

// A browser of the page: its cookies (CSRF and session) and the CSRF token of its forms.
struct Browser
{
    quint16 port = 0;
    QByteArray userAgent;
    QString csrfCookie;
    QString csrf;
    QString session;
    QByteArray language = "en";

    HeaderList headers() const
    {
        QByteArray cookies = "sd_csrf=" + csrfCookie.toLatin1();
        if (!session.isEmpty())
            cookies += "; sd_session=" + session.toLatin1();
        return {{"Cookie", cookies}, {"User-Agent", userAgent}, {"Accept-Language", language}};
    }
    HttpResult get(const QByteArray &path, const QByteArray &method = "GET") const
    {
        return httpRequest(port, method, path, {}, headers());
    }
    // A form POST with the CSRF token (unless `withCsrf` is false).
    HttpResult post(const QByteArray &path, const Fields &fields, bool withCsrf = true) const
    {
        Fields all;
        if (withCsrf)
            all.append({u"csrf_token"_s, csrf});
        all += fields;
        HeaderList h = headers();
        h.append(
            std::pair<QByteArray, QByteArray>("Content-Type", "application/x-www-form-urlencoded"));
        return httpRequest(port, "POST", path, formBody(all), h);
    }
    // The sign-in page, then its password form: true once the session cookie is set.
    bool signIn(const QString &username, const QString &password = kPassword)
    {
        const HttpResult form = httpRequest(port, "GET", "/login", {}, {{"User-Agent", userAgent}});
        csrf = hiddenValue(form.body, u"csrf_token"_s);
        csrfCookie = setCookieValue(form, u"sd_csrf"_s);
        const HttpResult done =
            post("/login", {{u"username"_s, username}, {u"password"_s, password}});
        session = setCookieValue(done, u"sd_session"_s);
        return done.status == 303 && !session.isEmpty();
    }
};

} // namespace

class TestAccountPages : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    void startServer()
    {
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }
    Browser browser(const QByteArray &agent) const { return Browser{port(), agent, {}, {}, {}}; }

    // POST /api/v1/login with this user agent: the session token.
    QString apiLogin(const QString &username, const QByteArray &agent)
    {
        const HttpResult r = httpRequest(
            port(), "POST", "/api/v1/login",
            QJsonDocument(QJsonObject{{u"username"_s, username}, {u"password"_s, kPassword}})
                .toJson(QJsonDocument::Compact),
            {{"Content-Type", "application/json"}, {"User-Agent", agent}});
        return r.json().value(u"ust"_s).toString();
    }
    // The account's sessions as the JSON API lists them.
    QJsonArray sessions(const QString &ust)
    {
        return QJsonDocument::fromJson(getJson(port(), "/api/v1/user/sessions", ust).body).array();
    }
    QString sessionIdOf(const QString &ust)
    {
        for (const QJsonValue &s : sessions(ust))
            if (s[u"current"_s].toBool())
                return s[u"session_id"_s].toString();
        return {};
    }
    int rows(const QString &sql, const QVariantList &params = {})
    {
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        q.prepare(sql);
        for (const QVariant &p : params)
            q.addBindValue(p);
        if (!q.exec() || !q.next())
            return -1;
        return q.value(0).toInt();
    }
    void verifyPage(const HttpResult &r)
    {
        QCOMPARE(r.headers.value("content-security-policy"), kCsp);
        QCOMPARE(r.headers.value("referrer-policy"), "no-referrer");
        QCOMPARE(r.headers.value("x-frame-options"), "DENY");
        QCOMPARE(r.headers.value("content-type"), "text/html; charset=utf-8");
        QVERIFY(!r.body.toLower().contains("<script"));
    }

private slots:
    void cleanup() { m_server.reset(); }

    void sessionsAreListedAndEnded()
    {
        startServer();
        const QString annaId = testflows::confirmedUser(port(), u"anna"_s);
        testflows::confirmedUser(port(), u"bert"_s);
        const QString phone = apiLogin(u"anna"_s, "PhoneApp/2.1");
        const QString script = apiLogin(u"anna"_s, "<script>alert(1)</script>");
        const QString bert = apiLogin(u"bert"_s, "BertBrowser/1");
        QVERIFY(!phone.isEmpty() && !script.isEmpty() && !bert.isEmpty());
        Browser page = browser("PageBrowser/7.0");
        QVERIFY(page.signIn(u"anna"_s));

        const HttpResult account = page.get("/account");
        QCOMPARE(account.status, 200);
        verifyPage(account);
        const QString html = QString::fromUtf8(account.body);
        QVERIFY(html.contains(u"Your sessions"_s));
        QVERIFY(html.contains(u"PageBrowser/7.0"_s));
        QVERIFY(html.contains(u"PhoneApp/2.1"_s));
        QVERIFY(html.contains(u"&lt;script&gt;alert(1)&lt;/script&gt;"_s)); // escaped, as text
        QVERIFY(!html.contains(u"BertBrowser"_s));                          // another account's
        QVERIFY(html.contains(u"127.0.0.1"_s));
        QVERIFY(QRegularExpression(u"Signed in: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC"_s)
                    .match(html)
                    .hasMatch());
        QVERIFY(html.contains(u"This browser"_s));
        // One "end" form per other session (two), none for this browser's; each with CSRF.
        QCOMPARE(html.count(u"action=\"/account/sessions/end\""_s), 2);
        const QString phoneId = sessionIdOf(phone);
        const QString bertId = sessionIdOf(bert);
        QVERIFY(phoneId.startsWith(u"ses_"_s));
        QVERIFY(html.contains(u"name=\"session_id\" value=\"%1\""_s.arg(phoneId)));
        QVERIFY(!html.contains(phone)); // ids, never tokens
        QCOMPARE(html.count(u"name=\"csrf_token\" value=\"%1\""_s.arg(page.csrf)),
                 html.count(u"<form"_s));

        // Without the CSRF token: refused, the session lives.
        QCOMPARE(page.post("/account/sessions/end", {{u"session_id"_s, phoneId}}, false).status,
                 403);
        QCOMPARE(getJson(port(), "/api/v1/user/me", phone).status, 200);
        // Another account's session answers like an unknown one and stays.
        const HttpResult foreign = page.post("/account/sessions/end", {{u"session_id"_s, bertId}});
        QCOMPARE(foreign.status, 404);
        QVERIFY(foreign.body.contains("That session has already ended."));
        QCOMPARE(getJson(port(), "/api/v1/user/me", bert).status, 200);

        const HttpResult ended = page.post("/account/sessions/end", {{u"session_id"_s, phoneId}});
        QCOMPARE(ended.status, 200);
        verifyPage(ended);
        QVERIFY(ended.body.contains("That session has ended."));
        QVERIFY(!ended.body.contains("PhoneApp/2.1"));
        QCOMPARE(getJson(port(), "/api/v1/user/me", phone).status, 401);
        QCOMPARE(getJson(port(), "/api/v1/user/me", script).status, 200);
        QCOMPARE(page.post("/account/sessions/end", {{u"session_id"_s, phoneId}}).status, 404);

        QCOMPARE(page.post("/account/sessions/end-others", {}, false).status, 403);
        QCOMPARE(getJson(port(), "/api/v1/user/me", script).status, 200);
        const HttpResult others = page.post("/account/sessions/end-others", {});
        QCOMPARE(others.status, 200);
        QVERIFY(others.body.contains("Every other session has ended."));
        QCOMPARE(getJson(port(), "/api/v1/user/me", script).status, 401);
        QCOMPARE(getJson(port(), "/api/v1/user/me", bert).status, 200); // not anna's
        QCOMPARE(page.get("/account").status, 200);                     // this one stays
        QCOMPARE(QString::fromUtf8(others.body).count(u"action=\"/account/sessions/end\""_s), 0);
        QCOMPARE(
            rows(u"SELECT COUNT(*) FROM tokens WHERE user_id = ? AND kind = 'session'"_s, {annaId}),
            1);

        // Ending this browser's own session (a tampered form) signs it out.
        const QString own = apiLogin(u"anna"_s, "Own/1");
        QString pageSession;
        for (const QJsonValue &s : sessions(own))
            if (s[u"user_agent"_s].toString() == u"PageBrowser/7.0"_s)
                pageSession = s[u"session_id"_s].toString();
        QVERIFY(!pageSession.isEmpty());
        const HttpResult self =
            page.post("/account/sessions/end", {{u"session_id"_s, pageSession}});
        QCOMPARE(self.status, 303);
        QCOMPARE(self.headers.value("location"), "/login");
        QVERIFY(self.headers.value("set-cookie").contains("sd_session=; "));
        QVERIFY(self.headers.value("set-cookie").contains("Max-Age=0"));
        QCOMPARE(page.get("/account").status, 303);
    }

    void logoutEndsThisBrowsersSession()
    {
        startServer();
        testflows::confirmedUser(port(), u"anna"_s);
        const QString other = apiLogin(u"anna"_s, "Other/1");
        Browser page = browser("PageBrowser/7.0");
        QVERIFY(page.signIn(u"anna"_s));
        QCOMPARE(page.post("/account/logout", {}, false).status, 403);
        QCOMPARE(page.get("/account").status, 200);
        const HttpResult out = page.post("/account/logout", {});
        QCOMPARE(out.status, 200);
        verifyPage(out);
        QVERIFY(out.body.contains("You are logged out"));
        QVERIFY(out.headers.value("set-cookie").contains("Max-Age=0"));
        QCOMPARE(page.get("/account").status, 303); // the old cookie no longer works
        QCOMPARE(getJson(port(), "/api/v1/user/me", other).status, 200);
    }

    void deleteAccount()
    {
        startServer();
        const QString id = testflows::confirmedUser(port(), u"anna"_s);
        const QString other = apiLogin(u"anna"_s, "Other/1");
        Browser page = browser("PageBrowser/7.0");
        QVERIFY(page.signIn(u"anna"_s));
        const HttpResult account = page.get("/account");
        QVERIFY(account.body.contains("action=\"/account/delete\""));
        QVERIFY(account.body.contains("name=\"confirm\" value=\"yes\" required"));
        const auto stillThere = [&] {
            return rows(u"SELECT COUNT(*) FROM users WHERE id = ?"_s, {id}) == 1;
        };

        // Without CSRF, without the box, with a wrong password: nothing is deleted.
        QCOMPARE(page.post("/account/delete",
                           {{u"current_password"_s, kPassword}, {u"confirm"_s, u"yes"_s}}, false)
                     .status,
                 403);
        const HttpResult unboxed =
            page.post("/account/delete", {{u"current_password"_s, kPassword}});
        QCOMPARE(unboxed.status, 400);
        QVERIFY(unboxed.body.contains("Tick the box"));
        const HttpResult wrong =
            page.post("/account/delete",
                      {{u"current_password"_s, u"not it at all"_s}, {u"confirm"_s, u"yes"_s}});
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.body.contains("current password is wrong"));
        QVERIFY(stillThere());
        QCOMPARE(getJson(port(), "/api/v1/user/me", other).status, 200);

        const HttpResult gone = page.post(
            "/account/delete", {{u"current_password"_s, kPassword}, {u"confirm"_s, u"yes"_s}});
        QCOMPARE(gone.status, 200);
        verifyPage(gone);
        QVERIFY(gone.body.contains("Your account is deleted"));
        QVERIFY(gone.headers.value("set-cookie").contains("sd_session=; "));
        QVERIFY(gone.headers.value("set-cookie").contains("Max-Age=0"));
        QVERIFY(!stillThere());
        QCOMPARE(getJson(port(), "/api/v1/user/me", other).status, 401);
        QCOMPARE(page.get("/account").status, 303);
        QCOMPARE(testflows::loginToken(port(), u"anna"_s), QString());
        QCOMPARE(rows(u"SELECT COUNT(*) FROM audit_log WHERE subject_id = ? AND action = "
                      "'account.deleted'"_s,
                      {id}),
                 1);
        m_server->flushMail();
        // Among every mail sent to her (the file order cannot tell which came last).
        bool goodbye = false;
        const QDir mail(m_server->config().mailFolder);
        for (const QString &file : mail.entryList({u"*.eml"_s}, QDir::Files)) {
            QFile f(mail.filePath(file));
            const QString text = f.open(QIODevice::ReadOnly) ? decodeMail(f.readAll()) : QString();
            goodbye |= text.contains(u"To: anna@example.com"_s) &&
                       text.contains(u"Subject: Your account was deleted"_s);
        }
        QVERIFY(goodbye);
        // The form again after the deletion: signed out, to the sign-in page.
        const HttpResult again = page.post(
            "/account/delete", {{u"current_password"_s, kPassword}, {u"confirm"_s, u"yes"_s}});
        QCOMPARE(again.status, 303);
        QCOMPARE(again.headers.value("location"), "/login");
    }

    void formsNeedASession()
    {
        startServer();
        Browser page = browser("PageBrowser/7.0");
        const HttpResult form = page.get("/login");
        page.csrf = hiddenValue(form.body, u"csrf_token"_s);
        page.csrfCookie = setCookieValue(form, u"sd_csrf"_s);
        for (const QByteArray &path :
             {QByteArray("/account/sessions/end"), QByteArray("/account/sessions/end-others"),
              QByteArray("/account/logout"), QByteArray("/account/delete")}) {
            const HttpResult r = page.post(path, {{u"session_id"_s, u"ses_x"_s}});
            QCOMPARE(r.status, 303);
            QCOMPARE(r.headers.value("location"), "/login");
            QCOMPARE(page.get(path).status, 405);
        }
    }

    void inEveryLanguage_data()
    {
        QTest::addColumn<QByteArray>("language");
        QTest::addColumn<QString>("sessions");
        QTest::addColumn<QString>("remove");
        QTest::newRow("en") << QByteArray("en") << u"Your sessions"_s << u"Delete my account"_s;
        QTest::newRow("fr") << QByteArray("fr") << u"Vos sessions"_s << u"Supprimer mon compte"_s;
        QTest::newRow("de") << QByteArray("de") << u"Ihre Sitzungen"_s << u"Mein Konto löschen"_s;
    }

    void inEveryLanguage()
    {
        QFETCH(QByteArray, language);
        QFETCH(QString, sessions);
        QFETCH(QString, remove);
        startServer();
        testflows::confirmedUser(port(), u"anna"_s);
        Browser page = browser("PageBrowser/7.0");
        QVERIFY(page.signIn(u"anna"_s));
        page.language = language;
        const QString html = QString::fromUtf8(page.get("/account").body);
        QVERIFY2(html.contains(sessions), qPrintable(html));
        QVERIFY(html.contains(remove));
        QVERIFY(html.contains(u"<html lang=\"%1\">"_s.arg(QString::fromLatin1(language))));
    }

    // Every string of the pages exists in every language (none falls back to English).
    void everyLanguageHasEveryString()
    {
        const auto keys = [](const QString &language) {
            QFile f(u":/pages/strings/"_s + language + u".json"_s);
            if (!f.open(QIODevice::ReadOnly))
                return QStringList{};
            QStringList k = QJsonDocument::fromJson(f.readAll()).object().keys();
            k.sort();
            return k;
        };
        const QStringList english = keys(u"en"_s);
        QVERIFY(english.contains(u"delete_confirm_label"_s));
        QCOMPARE(keys(u"fr"_s), english);
        QCOMPARE(keys(u"de"_s), english);
    }
};

QTEST_GUILESS_MAIN(TestAccountPages)
#include "tst_accountpages.moc"
