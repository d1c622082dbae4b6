// Issue 14 on the pages, over real HTTP on loopback with the fake clock: /login and the email
// link's /login/confirm ask for the second factor before any session cookie (POST /login/mfa),
// and /account turns it on (QR code as inline SVG under the strict CSP, the key as text, a
// first code, the recovery codes once) and off. CSRF on every form. Built twice: on SQLite and
// (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "pageforms.h"
#include "testbackend.h"
#include "testserver.h"

#include "flows/mfa/totp.h"
#include "sqlquery.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

using namespace Qt::StringLiterals;
using namespace pageforms;
using testflows::kPassword;
namespace totp = sd::core::totp;

class TestMfaPages : public QObject
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
    qint64 step() { return totp::stepAt(m_server->clock().nowMs()); }
    static QString codeAt(const QString &secret, qint64 step)
    {
        return totp::code(*totp::fromBase32(secret), step);
    }

    // A browser's CSRF cookie and token, from a GET of `path`.
    struct Browser
    {
        QString csrfCookie, csrfToken;
    };
    Browser open(const QByteArray &path, HttpResult *page = nullptr, const QByteArray &cookies = {})
    {
        HeaderList headers;
        if (!cookies.isEmpty())
            headers.append({"Cookie", cookies});
        const HttpResult r = httpRequest(port(), "GET", path, {}, headers);
        if (page)
            *page = r;
        return {setCookieValue(r, u"sd_csrf"_s), hiddenValue(r.body, u"csrf_token"_s)};
    }
    HttpResult postForm(const QByteArray &path, const QList<std::pair<QString, QString>> &fields,
                        const QByteArray &cookies)
    {
        HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!cookies.isEmpty())
            headers.append({"Cookie", cookies});
        return httpRequest(port(), "POST", path, formBody(fields), headers);
    }
    // Signs `name` up and turns the factor on over the API: the secret and recovery codes.
    QString enrol(const QString &name, QStringList *codes = nullptr)
    {
        testflows::confirmedUser(port(), name);
        const QString ust = testflows::loginToken(port(), name);
        const QString secret =
            postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}, ust)
                .json()
                .value(u"secret"_s)
                .toString();
        const HttpResult confirmed = postJson(port(), "/api/v1/user/mfa/totp/confirm",
                                              {{u"code"_s, codeAt(secret, step())}}, ust);
        if (codes)
            for (const QJsonValue v : confirmed.json().value(u"recovery_codes"_s).toArray())
                *codes << v.toString();
        m_server->clock().advanceSeconds(30); // the enrolment's step is spent
        return secret;
    }
    void verifyPage(const HttpResult &r)
    {
        QCOMPARE(r.headers.value("content-security-policy"), kCsp);
        QCOMPARE(r.headers.value("x-frame-options"), "DENY");
        QVERIFY(!r.body.toLower().contains("<script"));
    }
    int sessions()
    {
        auto db = m_server->app().database().connection();
        auto q = sd::store::runQuery(*db, u"SELECT count(*) FROM tokens WHERE kind = 'session'"_s);
        return q && q->next() ? q->value(0).toInt() : -1;
    }

private slots:
    void cleanup() { m_server.reset(); }

    void signInAsksForTheCodeBeforeTheCookie()
    {
        startServer();
        const QString secret = enrol(u"anna"_s);
        const int before = sessions();
        const Browser b = open("/login");
        const QByteArray csrf = "sd_csrf=" + b.csrfCookie.toLatin1();
        const HttpResult first = postForm("/login",
                                          {{u"csrf_token"_s, b.csrfToken},
                                           {u"username"_s, u"anna"_s},
                                           {u"password"_s, kPassword}},
                                          csrf);
        QCOMPARE(first.status, 200);
        verifyPage(first);
        QVERIFY(!first.headers.value("set-cookie").contains("sd_session"));
        QVERIFY(first.body.contains("action=\"/login/mfa\""));
        const QString token = hiddenValue(first.body, u"mfa_token"_s);
        QCOMPARE(token.size(), 43);
        QCOMPARE(sessions(), before);

        // Without the CSRF token: refused, nothing spent.
        QCOMPARE(postForm("/login/mfa", {{u"mfa_token"_s, token}, {u"code"_s, u"000000"_s}}, csrf)
                     .status,
                 403);
        const QString right = codeAt(secret, step());
        const QString wrong = right == u"000000"_s ? u"111111"_s : u"000000"_s;
        const HttpResult bad = postForm("/login/mfa",
                                        {{u"csrf_token"_s, b.csrfToken},
                                         {u"mfa_token"_s, token},
                                         {u"next_page"_s, u"/account"_s},
                                         {u"code"_s, wrong}},
                                        csrf);
        QCOMPARE(bad.status, 401);
        QVERIFY(!bad.headers.value("set-cookie").contains("sd_session"));
        QVERIFY(bad.body.contains("This code is not valid"));
        QCOMPARE(hiddenValue(bad.body, u"mfa_token"_s), token);

        const HttpResult ok = postForm("/login/mfa",
                                       {{u"csrf_token"_s, b.csrfToken},
                                        {u"mfa_token"_s, token},
                                        {u"next_page"_s, u"/account"_s},
                                        {u"code"_s, right}},
                                       csrf);
        QCOMPARE(ok.status, 303);
        QCOMPARE(ok.headers.value("location"), "/account");
        const QString ust = setCookieValue(ok, u"sd_session"_s);
        QCOMPARE(ust.size(), 43);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).status, 200);
        HttpResult account;
        open("/account", &account, "sd_session=" + ust.toLatin1());
        QCOMPARE(account.status, 200);
        QVERIFY(account.body.contains("action=\"/account/mfa/disable\""));
    }

    void emailLinkAsksForTheCodeBeforeTheCookie()
    {
        startServer();
        QStringList codes;
        enrol(u"anna"_s, &codes);
        QCOMPARE(codes.size(), 10);
        QCOMPARE(postJson(port(), "/api/v1/login/email-link",
                          {{u"email"_s, u"anna@example.com"_s}, {u"next_page"_s, u"/account"_s}})
                     .status,
                 202);
        m_server->app().core().waitForAfterAnswer();
        m_server->flushMail();
        const QString mail = decodeMail(m_server->lastMailTo(u"anna@example.com"_s));
        const QString link =
            capture(mail, u"(http://127\\.0\\.0\\.1:\\d+/login/confirm\\?token=[^\\s\"]+)"_s);
        QVERIFY2(!link.isEmpty(), qPrintable(mail));
        const QByteArray path = QUrl(link).toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
        HttpResult page;
        const Browser b = open(path, &page);
        QCOMPARE(page.status, 200);
        const QByteArray csrf = "sd_csrf=" + b.csrfCookie.toLatin1();
        const HttpResult confirmed = postForm("/login/confirm",
                                              {{u"csrf_token"_s, b.csrfToken},
                                               {u"token"_s, hiddenValue(page.body, u"token"_s)},
                                               {u"next_page"_s, u"/account"_s}},
                                              csrf);
        QCOMPARE(confirmed.status, 200);
        verifyPage(confirmed);
        QVERIFY(!confirmed.headers.value("set-cookie").contains("sd_session"));
        const QString token = hiddenValue(confirmed.body, u"mfa_token"_s);
        QVERIFY(!token.isEmpty());
        QCOMPARE(hiddenValue(confirmed.body, u"next_page"_s), u"/account"_s);
        // A recovery code in the same field works too.
        const HttpResult ok = postForm("/login/mfa",
                                       {{u"csrf_token"_s, b.csrfToken},
                                        {u"mfa_token"_s, token},
                                        {u"next_page"_s, u"/account"_s},
                                        {u"code"_s, codes.first()}},
                                       csrf);
        QCOMPARE(ok.status, 303);
        QVERIFY(!setCookieValue(ok, u"sd_session"_s).isEmpty());
        // The spent token: back to sign-in.
        const HttpResult again = postForm(
            "/login/mfa",
            {{u"csrf_token"_s, b.csrfToken}, {u"mfa_token"_s, token}, {u"code"_s, codes.last()}},
            csrf);
        QCOMPARE(again.status, 400);
        QVERIFY(again.body.contains("href=\"/login\""));
    }

    void accountTurnsItOnWithAQrCodeAndOff()
    {
        startServer();
        testflows::confirmedUser(port(), u"anna"_s);
        const QString ust = testflows::loginToken(port(), u"anna"_s);
        HttpResult page;
        const Browser b = open("/account", &page, "sd_session=" + ust.toLatin1());
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("action=\"/account/mfa/start\""));
        const QByteArray cookies =
            "sd_session=" + ust.toLatin1() + "; sd_csrf=" + b.csrfCookie.toLatin1();
        QCOMPARE(
            postForm("/account/mfa/start", {{u"current_password"_s, kPassword}}, cookies).status,
            403);
        const HttpResult wrong =
            postForm("/account/mfa/start",
                     {{u"csrf_token"_s, b.csrfToken}, {u"current_password"_s, u"nope"_s}}, cookies);
        QCOMPARE(wrong.status, 401);
        const HttpResult started =
            postForm("/account/mfa/start",
                     {{u"csrf_token"_s, b.csrfToken}, {u"current_password"_s, kPassword}}, cookies);
        QCOMPARE(started.status, 200);
        verifyPage(started);
        QVERIFY(started.body.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        QVERIFY(!started.body.contains("style=\""));
        QVERIFY(!started.body.contains("<img"));
        const QString secret =
            capture(QString::fromUtf8(started.body), u"class=\"value secret\">([A-Z2-7]{32})<"_s);
        QCOMPARE(secret.size(), 32);
        QVERIFY(started.body.contains("action=\"/account/mfa/confirm\""));

        const HttpResult confirmed = postForm(
            "/account/mfa/confirm",
            {{u"csrf_token"_s, b.csrfToken}, {u"code"_s, codeAt(secret, step())}}, cookies);
        QCOMPARE(confirmed.status, 200);
        QCOMPARE(confirmed.body.count("<li>"), 10);
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"mfa"_s), QJsonValue(true));
        open("/account", &page, "sd_session=" + ust.toLatin1());
        QVERIFY(page.body.contains("action=\"/account/mfa/disable\""));
        QVERIFY(!page.body.contains(secret.toLatin1())); // never shown again

        m_server->clock().advanceSeconds(30);
        const HttpResult off = postForm("/account/mfa/disable",
                                        {{u"csrf_token"_s, b.csrfToken},
                                         {u"current_password"_s, kPassword},
                                         {u"code"_s, codeAt(secret, step())}},
                                        cookies);
        QCOMPARE(off.status, 200);
        QVERIFY(off.body.contains("action=\"/account/mfa/start\""));
        QCOMPARE(getJson(port(), "/api/v1/user/me", ust).json().value(u"mfa"_s), QJsonValue(false));
    }

    void pagesInFrenchAndGerman()
    {
        startServer();
        enrol(u"anna"_s);
        for (const auto &[language, phrase] : {std::pair{QByteArray("fr"), u"second facteur"_s},
                                               std::pair{QByteArray("de"), u"zweiten Faktor"_s}}) {
            HttpResult login;
            const HttpResult form =
                httpRequest(port(), "GET", "/login", {}, {{"Accept-Language", language}});
            const QString csrfCookie = setCookieValue(form, u"sd_csrf"_s);
            login =
                httpRequest(port(), "POST", "/login",
                            formBody({{u"csrf_token"_s, hiddenValue(form.body, u"csrf_token"_s)},
                                      {u"username"_s, u"anna"_s},
                                      {u"password"_s, kPassword}}),
                            {{"Content-Type", "application/x-www-form-urlencoded"},
                             {"Accept-Language", language},
                             {"Cookie", "sd_csrf=" + csrfCookie.toLatin1()}});
            QCOMPARE(login.status, 200);
            QVERIFY2(QString::fromUtf8(login.body).contains(phrase), login.body.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestMfaPages)
#include "tst_mfapages.moc"
