// The browser flow of OAuth (API.md "Operations", SEC-26) over real HTTP on loopback against
// the fake provider: GET /oauth/start/<provider> binds the state to the browser with a cookie;
// a callback without that cookie (another browser, a link handed over) is refused and burns
// the state; /oauth/done shows a button whose POST (CSRF) sets the session cookie, or the
// error in the user's language. The test plays the browser, cookies included.
// Built twice: on SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "fakeprovider.h"
#include "httpclient.h"
#include "pageforms.h"
#include "testbackend.h"
#include "testserver.h"

#include "sqlquery.h"

#include <QRegularExpression>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace {

using pageforms::formBody;
using pageforms::hiddenValue;

QByteArray pathAndQuery(const QUrl &url)
{
    return url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority);
}

// The whole Set-Cookie line (attributes too) that sets `name`, or empty.
QString setCookieLine(const HttpResult &r, const QString &name)
{
    for (const QByteArray &line : r.raw.split('\n')) {
        const QString text = QString::fromLatin1(line).trimmed();
        if (text.startsWith(u"set-cookie:"_s, Qt::CaseInsensitive) &&
            text.mid(11).trimmed().startsWith(name + u'='))
            return text.mid(11).trimmed();
    }
    return {};
}

QString cookieValue(const HttpResult &r, const QString &name)
{
    return setCookieLine(r, name).section(u';', 0, 0).mid(name.size() + 1);
}

// The name of the binding cookie an answer sets ("sd_oauth_<tag>", one per flow), or empty.
QString bindingCookieName(const HttpResult &r)
{
    static const QRegularExpression line(u"(?:^|\\n)set-cookie: *(sd_oauth_[0-9a-f]{16})="_s,
                                         QRegularExpression::CaseInsensitiveOption);
    return line.match(QString::fromLatin1(r.raw)).captured(1);
}

} // namespace

class TestOAuthBrowser : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeProvider> m_google;
    std::unique_ptr<TestServer> m_server;

    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server.reset();
        m_google = std::make_unique<FakeProvider>(FakeProvider::Flavor::Google, u"g-client"_s,
                                                  u"g-secret"_s);
        QVERIFY(m_google->port() != 0);
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.oauthGoogle = {u"g-client"_s,
                             u"g-secret"_s,
                             m_google->url(u"/authorize"_s),
                             m_google->url(u"/token"_s),
                             m_google->url(u"/userinfo"_s),
                             {}};
            // The JSON flow's frontend is elsewhere; the browser flow still ends at home.
            c.oauthFrontendUrl = u"https://app.example/oauth/done"_s;
            c.approvalRequired = false;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }
    QString base() const { return u"http://127.0.0.1:%1"_s.arg(port()); }

    HttpResult get(const QByteArray &path, HeaderList headers = {})
    {
        return httpRequest(port(), "GET", path, {}, headers);
    }
    HttpResult postForm(const QByteArray &path, const QList<std::pair<QString, QString>> &fields,
                        const QByteArray &cookie)
    {
        HeaderList headers{{"Content-Type", "application/x-www-form-urlencoded"}};
        if (!cookie.isEmpty())
            headers.append({"Cookie", cookie});
        return httpRequest(port(), "POST", path, formBody(fields), headers);
    }

    struct Started
    {
        HttpResult answer;
        QString cookieName; // sd_oauth_<tag of this flow's state>
        QString binding;    // its value
        QUrl callbackUrl;   // where the provider sends the browser back
    };
    // GET /oauth/start/google, then the provider's consent: the callback URL it redirects to.
    Started startAndConsent(const QString &email, const QByteArray &query = "?language=fr")
    {
        m_google->setUser({u"g-"_s + email, email, true, u"Ada Lovelace"_s, {}});
        Started s;
        s.answer = get("/oauth/start/google" + query);
        s.cookieName = bindingCookieName(s.answer);
        s.binding = cookieValue(s.answer, s.cookieName);
        const QUrl authorize = QUrl::fromEncoded(s.answer.headers.value("location"));
        const HttpResult atProvider = httpRequest(m_google->port(), "GET", pathAndQuery(authorize));
        s.callbackUrl = QUrl::fromEncoded(atProvider.headers.value("location"));
        return s;
    }
    HttpResult callback(const Started &s, const QString &binding)
    {
        HeaderList headers;
        if (!binding.isEmpty())
            headers.append({"Cookie", s.cookieName.toLatin1() + '=' + binding.toLatin1()});
        return get(pathAndQuery(s.callbackUrl), headers);
    }
    int users()
    {
        auto db = m_server->app().database().connection();
        auto q = db ? sd::store::runQuery(*db, u"SELECT COUNT(*) FROM users"_s)
                    : std::unexpected(db.error());
        return q && q->next() ? q->value(0).toInt() : -1;
    }

private slots:
    void cleanup()
    {
        m_server.reset();
        m_google.reset();
    }

    void startSetsTheBindingCookieAndRedirects()
    {
        startServer();
        const Started s = startAndConsent(u"ada@example.com"_s);
        QCOMPARE(s.answer.status, 302);
        const QUrl authorize = QUrl::fromEncoded(s.answer.headers.value("location"));
        QCOMPARE(authorize.port(), int(m_google->port()));
        const QUrlQuery q(authorize);
        QCOMPARE(q.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded),
                 base() + u"/oauth/callback/from/google"_s);
        QCOMPARE(q.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
        QVERIFY(!q.queryItemValue(u"state"_s).isEmpty());
        QVERIFY2(!s.cookieName.isEmpty(), s.answer.raw.constData());
        const QString line = setCookieLine(s.answer, s.cookieName);
        QVERIFY2(line.contains(u"; HttpOnly"_s) && line.contains(u"; SameSite=Lax"_s) &&
                     line.contains(u"; Path=/"_s) && line.contains(u"; Max-Age=600"_s),
                 qPrintable(line));
        QCOMPARE(s.binding.size(), 43); // 256 bits
        QVERIFY(s.binding != q.queryItemValue(u"state"_s));
        // Only its digest is stored.
        auto db = m_server->app().database().connection();
        auto rows = sd::store::runQuery(*db, u"SELECT binding_hash FROM oauth_states"_s);
        QVERIFY(rows && rows->next());
        QVERIFY(!rows->value(0).toString().isEmpty());
        QVERIFY(rows->value(0).toString() != s.binding);
    }

    void wholeFlowSetsTheSessionCookie()
    {
        startServer();
        const Started s = startAndConsent(u"ada@example.com"_s);
        const HttpResult back = callback(s, s.binding);
        QCOMPARE(back.status, 302);
        const QUrl done = QUrl::fromEncoded(back.headers.value("location"));
        // The browser flow ends on our page, not on oauth/frontend_url, in its language.
        QCOMPARE(done.toString(QUrl::RemoveQuery), base() + u"/oauth/done"_s);
        QCOMPARE(QUrlQuery(done).queryItemValue(u"language"_s), u"fr"_s);
        const QString confirmation = QUrlQuery(done).queryItemValue(u"confirmation"_s);
        QVERIFY(!confirmation.isEmpty());
        // The cookie has done its work: it is cleared.
        QVERIFY(setCookieLine(back, s.cookieName).contains(u"Max-Age=0"_s));

        // The page shows a button; opening it spends nothing (a prefetch, a scanner).
        const HttpResult page = get(pathAndQuery(done));
        QCOMPARE(page.status, 200);
        QVERIFY(page.headers.value("content-type").startsWith("text/html"));
        QVERIFY(page.body.contains("action=\"/oauth/done\""));
        QVERIFY(page.body.contains("Terminer la connexion")); // French, as started
        const QString csrfCookie = cookieValue(page, u"sd_csrf"_s);
        const QString csrf = hiddenValue(page.body, u"csrf_token"_s);
        QCOMPARE(hiddenValue(page.body, u"confirmation"_s), confirmation);
        QVERIFY(!csrfCookie.isEmpty() && !csrf.isEmpty());
        QCOMPARE(get(pathAndQuery(done)).status, 200);

        // Without the CSRF token: refused, and the confirmation stays usable.
        const QByteArray cookie = "sd_csrf=" + csrfCookie.toLatin1();
        QCOMPARE(postForm("/oauth/done", {{u"confirmation"_s, confirmation}}, cookie).status, 403);
        QCOMPARE(postForm("/oauth/done",
                          {{u"confirmation"_s, confirmation}, {u"csrf_token"_s, csrf}}, {})
                     .status,
                 403);
        const HttpResult signedIn = postForm(
            "/oauth/done",
            {{u"csrf_token"_s, csrf}, {u"confirmation"_s, confirmation}, {u"language"_s, u"fr"_s}},
            cookie);
        QCOMPARE(signedIn.status, 303);
        QCOMPARE(signedIn.headers.value("location"), "/account");
        const QString session = cookieValue(signedIn, u"sd_session"_s);
        QVERIFY(!session.isEmpty());
        QVERIFY(setCookieLine(signedIn, u"sd_session"_s).contains(u"; HttpOnly"_s));
        const HttpResult me = getJson(port(), "/api/v1/user/me", session);
        QCOMPARE(me.status, 200);
        QCOMPARE(me.json().value(u"email"_s).toString(), u"ada@example.com"_s);
        const HttpResult account =
            get("/account", {{"Cookie", "sd_session=" + session.toLatin1()}});
        QCOMPARE(account.status, 200);
        QVERIFY(account.body.contains("ada@example.com"));

        // Single use.
        const HttpResult again = postForm(
            "/oauth/done", {{u"csrf_token"_s, csrf}, {u"confirmation"_s, confirmation}}, cookie);
        QCOMPARE(again.status, 400);
        QVERIFY(cookieValue(again, u"sd_session"_s).isEmpty());
    }

    // SEC-26: the callback link of a browser-flow state works only in the browser that started
    // it. Without the cookie or with another browser's, it fails and the state is spent.
    void callbackWithoutItsCookieIsRefused()
    {
        startServer();
        const int before = users();
        const Started other = startAndConsent(u"someone@example.com"_s, "");
        for (const QString &binding : {QString(), other.binding, u"forged"_s}) {
            const Started victim = startAndConsent(u"mallory@example.com"_s);
            const HttpResult r = callback(victim, binding);
            QCOMPARE(r.status, 302);
            const QUrl done = QUrl::fromEncoded(r.headers.value("location"));
            QCOMPARE(done.toString(QUrl::RemoveQuery), base() + u"/oauth/done"_s);
            QCOMPARE(QUrlQuery(done).queryItemValue(u"error"_s), u"invalid_state"_s);
            QVERIFY(!QUrlQuery(done).hasQueryItem(u"confirmation"_s));
            // Spent by that presentation: the right cookie comes too late.
            const HttpResult late = callback(victim, victim.binding);
            QCOMPARE(QUrlQuery(QUrl::fromEncoded(late.headers.value("location")))
                         .queryItemValue(u"error"_s),
                     u"invalid_state"_s);
        }
        QCOMPARE(m_google->tokenRequests(), 0); // no code was ever traded
        QCOMPARE(users(), before);
        // The other browser's own flow is untouched by all this.
        const HttpResult fine = callback(other, other.binding);
        QVERIFY(QUrlQuery(QUrl::fromEncoded(fine.headers.value("location")))
                    .hasQueryItem(u"confirmation"_s));
    }

    // Two sign-ins started in one browser (two tabs): each flow has its own cookie, so both
    // finish, whichever comes back first, with the browser sending both cookies each time.
    void twoFlowsInOneBrowserBothFinish()
    {
        startServer();
        const Started first = startAndConsent(u"ada@example.com"_s);
        const Started second = startAndConsent(u"ada@example.com"_s);
        QVERIFY(!first.cookieName.isEmpty() && !second.cookieName.isEmpty());
        QVERIFY(first.cookieName != second.cookieName);
        const QByteArray jar = first.cookieName.toLatin1() + '=' + first.binding.toLatin1() + "; " +
                               second.cookieName.toLatin1() + '=' + second.binding.toLatin1();
        for (const Started *s : {&second, &first}) {
            const HttpResult back = get(pathAndQuery(s->callbackUrl), {{"Cookie", jar}});
            QCOMPARE(back.status, 302);
            const QUrlQuery done(QUrl::fromEncoded(back.headers.value("location")));
            QVERIFY2(done.hasQueryItem(u"confirmation"_s), back.headers.value("location"));
            // Only its own cookie is cleared.
            QVERIFY(setCookieLine(back, s->cookieName).contains(u"Max-Age=0"_s));
            const Started *other = s == &first ? &second : &first;
            QVERIFY(setCookieLine(back, other->cookieName).isEmpty());
        }
    }

    // The JSON flow of the FreeSewing API stays as it was: no cookie needed, its frontend URL.
    void jsonFlowIsUnchanged()
    {
        startServer();
        const HttpResult init = postJson(port(), "/oauth/init",
                                         {{u"provider"_s, u"google"_s}, {u"language"_s, u"de"_s}});
        QCOMPARE(init.status, 200);
        QVERIFY(bindingCookieName(init).isEmpty());
        m_google->setUser({u"g-json"_s, u"json@example.com"_s, true, u"Json"_s, {}});
        const QUrl authorize(init.json().value(u"authorize_url"_s).toString());
        const HttpResult atProvider = httpRequest(m_google->port(), "GET", pathAndQuery(authorize));
        const HttpResult back =
            get(pathAndQuery(QUrl::fromEncoded(atProvider.headers.value("location"))));
        QCOMPARE(back.status, 302);
        const QString location = QString::fromUtf8(back.headers.value("location"));
        QVERIFY2(location.startsWith(u"https://app.example/oauth/done?confirmation="_s),
                 qPrintable(location));
    }

    void errorsInTheUsersLanguage()
    {
        startServer();
        struct Case
        {
            QByteArray query;
            QByteArray acceptLanguage;
            QByteArray expected;
        };
        const QList<Case> cases = {
            {"?error=access_denied&language=de", "", "nicht erlaubt"},
            {"?error=access_denied", "fr-CH, fr;q=0.9", "autorisé la connexion"},
            {"?error=invalid_state&language=en", "de", "started in another browser"},
            {"?error=%3Cscript%3E&language=en", "", "The sign-in did not work"},
            {"?language=de", "", "Anmeldelink ist abgelaufen"}, // neither error nor confirmation
        };
        for (const Case &c : cases) {
            HeaderList headers;
            if (!c.acceptLanguage.isEmpty())
                headers.append({"Accept-Language", c.acceptLanguage});
            const HttpResult r = get("/oauth/done" + c.query, headers);
            QCOMPARE(r.status, 400);
            QVERIFY2(r.body.contains(c.expected), c.query.constData());
            QVERIFY(!r.body.contains("<script>"));
            QVERIFY(r.body.contains("href=\"/login\""));
        }
        // Starting with a provider that is unknown or not configured ends on the page too.
        const HttpResult unknown = get("/oauth/start/myspace?language=fr");
        QCOMPARE(unknown.status, 302);
        const QUrl done = QUrl::fromEncoded(unknown.headers.value("location"));
        QCOMPARE(done.toString(QUrl::RemoveQuery), base() + u"/oauth/done"_s);
        QCOMPARE(QUrlQuery(done).queryItemValue(u"error"_s), u"unknown_provider"_s);
        QCOMPARE(QUrlQuery(done).queryItemValue(u"language"_s), u"fr"_s);
        QVERIFY(bindingCookieName(unknown).isEmpty());
        const HttpResult github = get("/oauth/start/github");
        QCOMPARE(QUrlQuery(QUrl::fromEncoded(github.headers.value("location")))
                     .queryItemValue(u"error"_s),
                 u"not_configured"_s);
    }

    void pendingApprovalIsShownOnThePage()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = true; });
        const Started s = startAndConsent(u"wait@example.com"_s, "?language=en");
        const QUrl done = QUrl::fromEncoded(callback(s, s.binding).headers.value("location"));
        const HttpResult page = get(pathAndQuery(done));
        QCOMPARE(page.status, 200);
        const HttpResult r =
            postForm("/oauth/done",
                     {{u"csrf_token"_s, hiddenValue(page.body, u"csrf_token"_s)},
                      {u"confirmation"_s, QUrlQuery(done).queryItemValue(u"confirmation"_s)}},
                     "sd_csrf=" + cookieValue(page, u"sd_csrf"_s).toLatin1());
        QCOMPARE(r.status, 403);
        QVERIFY(r.body.contains("waiting for approval"));
        QVERIFY(cookieValue(r, u"sd_session"_s).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestOAuthBrowser)
#include "tst_oauthbrowser.moc"
