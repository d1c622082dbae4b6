// The recovery pages behind email links (/reset-password, /confirm-email-change) over real HTTP
// on loopback: the mailed link opens a form, GET and HEAD change nothing, only a POST with the
// CSRF token acts, once; the strict headers, no script, the user's language. Built twice: on
// SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "pageforms.h"
#include "testbackend.h"
#include "testserver.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace pageforms;

namespace {

using testflows::kPassword;
const QString kNew = u"a brand new passphrase 42"_s;

} // namespace

class TestRecoveryPages : public QObject
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

    void activeUser(const QString &name, const QString &language = u"en"_s)
    {
        testflows::confirmedUser(port(), name, {{u"language"_s, language}});
    }
    QString login(const QString &name, const QString &password)
    {
        return testflows::loginToken(port(), name, password);
    }
    // The path of the link to `page` in the newest mail to `address`, read from the real
    // file transport (the mail as sent, decoded).
    QByteArray linkPath(const QString &address, const QString &page)
    {
        m_server->app().core().waitForAfterAnswer();
        m_server->flushMail();
        const QString mail = decodeMail(m_server->lastMailTo(address));
        const QString link = capture(
            mail, u"(http://127\\.0\\.0\\.1:\\d+/%1\\?token=[A-Za-z0-9_%\\-]+)"_s.arg(page));
        return QUrl(link).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
    }
    HttpResult get(const QByteArray &path, const QByteArray &method = "GET",
                   const QByteArray &language = "en")
    {
        return httpRequest(port(), method, path, {}, {{"Accept-Language", language}});
    }
    HttpResult postForm(const QByteArray &path, const QList<std::pair<QString, QString>> &fields,
                        const QString &csrfCookie)
    {
        HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!csrfCookie.isEmpty())
            headers.append({"Cookie", "sd_csrf=" + csrfCookie.toLatin1()});
        return httpRequest(port(), "POST", path, formBody(fields), headers);
    }
    // Users, tokens, outbox and audit log, as text: what a GET or HEAD must not change.
    QStringList snapshot()
    {
        QStringList out;
        auto db = m_server->app().database().connection();
        for (const QString &table : {u"users"_s, u"tokens"_s, u"outbox"_s, u"audit_log"_s}) {
            QSqlQuery q(*db);
            const QString columns =
                table == u"users"_s ? u"id, email, password_hash, status"_s : u"*"_s;
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

    void resetPasswordPage()
    {
        startServer();
        activeUser(u"anna"_s);
        const QString ust = login(u"anna"_s, kPassword);
        QCOMPARE(postJson(port(), "/api/v1/password/forgot", {{u"email"_s, u"anna@example.com"_s}})
                     .status,
                 202);
        const QByteArray path = linkPath(u"anna@example.com"_s, u"reset-password"_s);
        QVERIFY(path.startsWith("/reset-password?token="));

        const QStringList before = snapshot();
        const HttpResult head = get(path, "HEAD");
        QCOMPARE(head.status, 200);
        const HttpResult page = get(path);
        QCOMPARE(page.status, 200);
        verifyPage(page);
        QVERIFY(page.body.contains("name=\"new_password\""));
        QVERIFY(page.body.contains("name=\"new_password_again\""));
        QVERIFY(page.body.contains("anna@example.com"));
        QCOMPARE(snapshot(), before); // link scanners spend nothing
        const QString csrf = hiddenValue(page.body, u"csrf_token"_s);
        const QString cookie = setCookieValue(page, u"sd_csrf"_s);
        const QString token = hiddenValue(page.body, u"token"_s);
        QVERIFY(!csrf.isEmpty() && !cookie.isEmpty() && !token.isEmpty());

        // Without the CSRF token: refused, nothing spent.
        const HttpResult forged = postForm(
            "/reset-password",
            {{u"token"_s, token}, {u"new_password"_s, kNew}, {u"new_password_again"_s, kNew}},
            cookie);
        QCOMPARE(forged.status, 403);
        // The two fields differ, then a weak password: the form again, token unspent.
        const HttpResult differ = postForm("/reset-password",
                                           {{u"csrf_token"_s, csrf},
                                            {u"token"_s, token},
                                            {u"new_password"_s, kNew},
                                            {u"new_password_again"_s, kNew + u"x"_s}},
                                           cookie);
        QCOMPARE(differ.status, 400);
        QVERIFY(differ.body.contains("not the same"));
        const HttpResult weak = postForm("/reset-password",
                                         {{u"csrf_token"_s, csrf},
                                          {u"token"_s, token},
                                          {u"new_password"_s, u"short"_s},
                                          {u"new_password_again"_s, u"short"_s}},
                                         cookie);
        QCOMPARE(weak.status, 400);
        QVERIFY(weak.body.contains("name=\"new_password\""));
        QCOMPARE(snapshot(), before);

        const QList<std::pair<QString, QString>> fields{{u"csrf_token"_s, csrf},
                                                        {u"token"_s, token},
                                                        {u"new_password"_s, kNew},
                                                        {u"new_password_again"_s, kNew}};
        const HttpResult done = postForm("/reset-password", fields, cookie);
        QCOMPARE(done.status, 200);
        verifyPage(done);
        QVERIFY(done.body.contains("Password changed"));
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 401);
        QVERIFY(!login(u"anna"_s, kNew).isEmpty());
        const HttpResult again = postForm("/reset-password", fields, cookie);
        QCOMPARE(again.status, 400);
        QVERIFY(again.body.contains("no longer works"));
        QCOMPARE(get(path).status, 400);
    }

    void resetPageInTheUsersLanguage()
    {
        startServer();
        activeUser(u"anna"_s, u"fr"_s);
        QCOMPARE(postJson(port(), "/api/v1/password/forgot", {{u"email"_s, u"anna@example.com"_s}})
                     .status,
                 202);
        m_server->app().core().waitForAfterAnswer();
        m_server->flushMail();
        const QString mail = decodeMail(m_server->lastMailTo(u"anna@example.com"_s));
        QVERIFY2(mail.contains(u"Réinitialisez votre mot de passe"_s) ||
                     mail.contains(u"=?UTF-8?"_s), // an encoded subject
                 qPrintable(mail.left(400)));
        QVERIFY(mail.contains(u"Choisir un nouveau mot de passe"_s));
        const QByteArray path = linkPath(u"anna@example.com"_s, u"reset-password"_s);
        const HttpResult page = get(path, "GET", "fr");
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("Nouveau mot de passe"));
        QCOMPARE(get(path, "GET", "de").body.contains("Neues Passwort"), true);
    }

    void confirmEmailChangePage()
    {
        startServer();
        activeUser(u"anna"_s);
        const QString ust = login(u"anna"_s, kPassword);
        QCOMPARE(
            postJson(port(), "/api/v1/user/email",
                     {{u"new_email"_s, u"anna@new.example"_s}, {u"current_password"_s, kPassword}},
                     ust)
                .status,
            202);
        const QByteArray path = linkPath(u"anna@new.example"_s, u"confirm-email-change"_s);
        QVERIFY(path.startsWith("/confirm-email-change?token="));
        const QStringList before = snapshot();
        QCOMPARE(get(path, "HEAD").status, 200);
        const HttpResult page = get(path);
        QCOMPARE(page.status, 200);
        verifyPage(page);
        QVERIFY(page.body.contains("anna@new.example"));
        QCOMPARE(snapshot(), before);
        const QString cookie = setCookieValue(page, u"sd_csrf"_s);
        const QList<std::pair<QString, QString>> fields{
            {u"csrf_token"_s, hiddenValue(page.body, u"csrf_token"_s)},
            {u"token"_s, hiddenValue(page.body, u"token"_s)}};
        QCOMPARE(postForm("/confirm-email-change", {fields[1]}, cookie).status, 403);
        const HttpResult done = postForm("/confirm-email-change", fields, cookie);
        QCOMPARE(done.status, 200);
        QVERIFY(done.body.contains("anna@new.example"));
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"email"_s).toString(),
                 u"anna@new.example"_s);
        QCOMPARE(postForm("/confirm-email-change", fields, cookie).status, 400);
    }

    // --- the sign-in page and /account -------------------------------------------------------

    void signInPageStartsAPageSession()
    {
        startServer();
        activeUser(u"anna"_s);
        const HttpResult noSession = get("/account");
        QCOMPARE(noSession.status, 303);
        QCOMPARE(noSession.headers.value("location"), "/login");
        const HttpResult page = get("/login");
        QCOMPARE(page.status, 200);
        verifyPage(page);
        QVERIFY(page.body.contains("action=\"/login\""));
        QVERIFY(page.body.contains("action=\"/login/email\""));
        QVERIFY(page.body.contains("href=\"/forgot-password\""));
        QVERIFY(get("/login", "GET", "de").body.contains("Passwort"));
        const QString csrf = hiddenValue(page.body, u"csrf_token"_s);
        const QString cookie = setCookieValue(page, u"sd_csrf"_s);
        QVERIFY(!csrf.isEmpty() && !cookie.isEmpty());

        QCOMPARE(
            postForm("/login", {{u"username"_s, u"anna"_s}, {u"password"_s, kPassword}}, cookie)
                .status,
            403);
        const HttpResult wrong = postForm(
            "/login",
            {{u"csrf_token"_s, csrf}, {u"username"_s, u"anna"_s}, {u"password"_s, u"nope"_s}},
            cookie);
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.body.contains("username or password is wrong"));
        QVERIFY(wrong.headers.value("set-cookie").isEmpty());
        const HttpResult ok = postForm(
            "/login",
            {{u"csrf_token"_s, csrf}, {u"username"_s, u"anna"_s}, {u"password"_s, kPassword}},
            cookie);
        QCOMPARE(ok.status, 303);
        QCOMPARE(ok.headers.value("location"), "/account");
        const QString session = setCookieValue(ok, u"sd_session"_s);
        QVERIFY(!session.isEmpty());
        QVERIFY(ok.headers.value("set-cookie").contains("HttpOnly"));

        const HttpResult account = httpRequest(
            port(), "GET", "/account", {},
            {{"Cookie", "sd_csrf=" + cookie.toLatin1() + "; sd_session=" + session.toLatin1()}});
        QCOMPARE(account.status, 200);
        verifyPage(account);
        QVERIFY(account.body.contains("anna@example.com"));
        QVERIFY(account.body.contains("action=\"/account/password\""));
        QVERIFY(account.body.contains("action=\"/account/email\""));
    }

    void accountPageChangesPasswordAndEmail()
    {
        startServer();
        activeUser(u"anna"_s);
        const QString other = login(u"anna"_s, kPassword); // an API session elsewhere
        const HttpResult page = get("/login");
        const QString csrf = hiddenValue(page.body, u"csrf_token"_s);
        const QString csrfCookie = setCookieValue(page, u"sd_csrf"_s);
        const HttpResult signedIn = postForm(
            "/login",
            {{u"csrf_token"_s, csrf}, {u"username"_s, u"anna"_s}, {u"password"_s, kPassword}},
            csrfCookie);
        const QByteArray cookies = "sd_csrf=" + csrfCookie.toLatin1() + "; sd_session=" +
                                   setCookieValue(signedIn, u"sd_session"_s).toLatin1();
        const auto post = [&](const QByteArray &path,
                              const QList<std::pair<QString, QString>> &fields) {
            QList<std::pair<QString, QString>> all{{u"csrf_token"_s, csrf}};
            all += fields;
            return httpRequest(
                port(), "POST", path, formBody(all),
                {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookies}});
        };
        const HttpResult differ = post("/account/password", {{u"current_password"_s, kPassword},
                                                             {u"new_password"_s, kNew},
                                                             {u"new_password_again"_s, u"x"_s}});
        QCOMPARE(differ.status, 400);
        QVERIFY(differ.body.contains("not the same"));
        const HttpResult wrong = post("/account/password", {{u"current_password"_s, u"nope"_s},
                                                            {u"new_password"_s, kNew},
                                                            {u"new_password_again"_s, kNew}});
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.body.contains("current password is wrong"));
        const HttpResult changed = post("/account/password", {{u"current_password"_s, kPassword},
                                                              {u"new_password"_s, kNew},
                                                              {u"new_password_again"_s, kNew}});
        QCOMPARE(changed.status, 200);
        verifyPage(changed);
        QVERIFY(changed.body.contains("Your password is changed"));
        QCOMPARE(getJson(port(), "/api/v1/user/me", other).status, 401); // the other session ended
        QCOMPARE(httpRequest(port(), "GET", "/account", {}, {{"Cookie", cookies}}).status, 200);

        const HttpResult email = post("/account/email", {{u"new_email"_s, u"anna@new.example"_s},
                                                         {u"current_password"_s, kNew}});
        QCOMPARE(email.status, 200);
        QVERIFY(email.body.contains("confirmation link is on its way"));
        QVERIFY(linkPath(u"anna@new.example"_s, u"confirm-email-change"_s)
                    .startsWith("/confirm-email-change?token="));
        const HttpResult bad =
            post("/account/email", {{u"new_email"_s, u"nope"_s}, {u"current_password"_s, kNew}});
        QCOMPARE(bad.status, 400);
        QVERIFY(bad.body.contains("not a valid new email address"));
    }

    void emailLinkAndForgotFormsAnswerAlike()
    {
        startServer();
        activeUser(u"anna"_s);
        for (const QByteArray &path :
             {QByteArray("/login/email"), QByteArray("/forgot-password")}) {
            const HttpResult form = get(path == "/login/email" ? "/login" : path);
            QCOMPARE(form.status, 200);
            const QString csrf = hiddenValue(form.body, u"csrf_token"_s);
            const QString cookie = setCookieValue(form, u"sd_csrf"_s);
            const HttpResult known = postForm(
                path, {{u"csrf_token"_s, csrf}, {u"email"_s, u"anna@example.com"_s}}, cookie);
            const HttpResult unknown = postForm(
                path, {{u"csrf_token"_s, csrf}, {u"email"_s, u"nobody@example.com"_s}}, cookie);
            QCOMPARE(known.status, 200);
            QCOMPARE(unknown.body, known.body);
            QVERIFY(known.body.contains("Check your inbox"));
            m_server->app().core().waitForAfterAnswer();
            m_server->flushMail();
            const QString mail = decodeMail(m_server->lastMailTo(u"anna@example.com"_s));
            QVERIFY(mail.contains(path == "/login/email" ? u"/login/confirm?token="_s
                                                         : u"/reset-password?token="_s));
        }
        QVERIFY(m_server->lastMailTo(u"nobody@example.com"_s).isEmpty());
    }

    void invalidLinks()
    {
        startServer();
        for (const QByteArray &path :
             {QByteArray("/reset-password?token=nope"), QByteArray("/reset-password"),
              QByteArray("/confirm-email-change?token=nope")}) {
            const HttpResult r = get(path);
            QCOMPARE(r.status, 400);
            verifyPage(r);
            QVERIFY(r.body.contains("no longer works"));
        }
    }
};

QTEST_GUILESS_MAIN(TestRecoveryPages)
#include "tst_recoverypages.moc"
