// API.md "OAuth", SEC-26 and SEC-27 over real HTTP on loopback: the in-process server (fake
// clock) talks OAuth 2 to a fake GitHub and a fake Google; the test plays the browser.
// Built twice: on SQLite and (SD_TEST_BACKEND_PG) on PostgreSQL.

#include "fakeprovider.h"
#include "httpclient.h"
#include "testbackend.h"
#include "testserver.h"

#include "audit/auditlog.h"
#include "flows/mfa/totp.h"
#include "sqlquery.h"
#include "validation/names.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

#include <atomic>
#include <latch>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

QByteArray pathAndQuery(const QUrl &url)
{
    return url.path(QUrl::FullyEncoded).toLatin1() +
           (url.hasQuery() ? "?" + url.query(QUrl::FullyEncoded).toLatin1() : QByteArray());
}

QUrlQuery locationQuery(const HttpResult &r)
{
    return QUrlQuery(QUrl::fromEncoded(r.headers.value("location")));
}

} // namespace

class TestOAuth : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FakeProvider> m_github, m_google;
    std::unique_ptr<TestServer> m_server;

    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server.reset();
        m_github = std::make_unique<FakeProvider>(FakeProvider::Flavor::GitHub, u"gh-client"_s,
                                                  u"gh-secret"_s);
        m_google = std::make_unique<FakeProvider>(FakeProvider::Flavor::Google, u"g+client/1"_s,
                                                  u"g-secret&="_s);
        QVERIFY(m_github->port() != 0 && m_google->port() != 0);
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.oauthGithub = {u"gh-client"_s,
                             u"gh-secret"_s,
                             m_github->url(u"/authorize"_s),
                             m_github->url(u"/token"_s),
                             m_github->url(u"/user"_s),
                             m_github->url(u"/emails"_s)};
            c.oauthGoogle = {u"g+client/1"_s,
                             u"g-secret&="_s,
                             m_google->url(u"/authorize"_s),
                             m_google->url(u"/token"_s),
                             m_google->url(u"/userinfo"_s),
                             {}};
            c.oauthFrontendUrl = u"https://app.example/oauth/done?from=sd"_s;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    quint16 port() const { return m_server->port(); }
    FakeProvider &fake(const QString &provider)
    {
        return provider == u"github"_s ? *m_github : *m_google;
    }

    QJsonObject init(const QString &provider, const QString &language = u"en"_s)
    {
        const HttpResult r =
            postJson(port(), "/oauth/init", {{u"provider"_s, provider}, {u"language"_s, language}});
        if (r.status != 200)
            qWarning("init answered %d: %s", r.status, r.body.constData());
        return r.json();
    }

    // The browser: to the provider's authorize URL, then follows its redirect to our callback.
    HttpResult browse(const QString &provider, const QString &authorizeUrl)
    {
        const QUrl url(authorizeUrl);
        const HttpResult atProvider = httpRequest(fake(provider).port(), "GET", pathAndQuery(url));
        if (atProvider.status != 302) {
            qWarning("authorize answered %d: %s", atProvider.status, atProvider.body.constData());
            return atProvider;
        }
        const QUrl callback = QUrl::fromEncoded(atProvider.headers.value("location"));
        return httpRequest(port(), "GET", pathAndQuery(callback));
    }

    // A whole sign-in up to the frontend redirect: the confirmation, or "error:<code>".
    QString signIn(const QString &provider, const FakeProvider::User &user,
                   const QString &language = u"en"_s)
    {
        fake(provider).setUser(user);
        const HttpResult r =
            browse(provider, init(provider, language).value(u"authorize_url"_s).toString());
        if (r.status != 302)
            return u"status:%1"_s.arg(r.status);
        const QString location = QString::fromUtf8(r.headers.value("location"));
        if (!location.startsWith(u"https://app.example/oauth/done?from=sd&"_s))
            return u"location:"_s + location;
        const QUrlQuery q = locationQuery(r);
        return q.hasQueryItem(u"error"_s) ? u"error:"_s + q.queryItemValue(u"error"_s)
                                          : q.queryItemValue(u"confirmation"_s);
    }

    HttpResult oauthLogin(const QString &confirmation)
    {
        return postJson(port(), "/oauth/login", {{u"confirmation"_s, confirmation}});
    }

    int count(const QString &sql, const QVariantList &params = {})
    {
        auto db = m_server->app().database().connection();
        auto q = db ? sd::store::runQuery(*db, sql, params) : std::unexpected(db.error());
        if (!q || !q->next())
            return -1;
        return q->value(0).toInt();
    }
    int users() { return count(u"SELECT COUNT(*) FROM users"_s); }

    static FakeProvider::User googleUser(const QString &email, bool verified = true)
    {
        return {u"g-"_s + email, email, verified, u"Ada Lovelace"_s, {}};
    }

    // Self-service signup; confirmed (verified) on request. Returns the user id.
    QString localSignup(const QString &username, const QString &email, bool confirm)
    {
        const HttpResult r =
            postJson(port(), "/api/v1/signup",
                     {{u"username"_s, username}, {u"password"_s, kPassword}, {u"email"_s, email}});
        if (r.status != 201)
            qWarning("signup answered %d", r.status);
        if (confirm)
            postJson(port(), "/api/v1/signup/confirm",
                     {{u"confirm_token"_s, r.json().value(u"confirm_token"_s)}});
        return r.json().value(u"user_id"_s).toString();
    }

private slots:
    void initAnswersTheAuthorizeUrl_data();
    void initAnswersTheAuthorizeUrl();
    void initRefusesUnknownAndUnconfiguredProviders();
    void newAccountWaitsForApproval();
    void newAccountLogsInAndSecondLoginIsTheSameUser();
    void reusedStateIsRefused();
    void stateOfTheOtherProviderIsRefused();
    void expiredStateIsRefused();
    void unknownProviderCallbackRedirects();
    void consentDenied();
    void providerServerError();
    void providerTimeout();
    void unverifiedProviderEmail();
    void githubSecondaryVerifiedEmailIsIgnored();
    void unverifiedLocalAccountIsNotTakenOver();
    void linksToVerifiedAccount();
    void secondFactorIsAskedAfterOAuth();
    void closedSignupRefusesNewAccountsOnly();
    void parallelLoginsWithOneConfirmation();
    void providerNameIsCleaned();
};

void TestOAuth::initAnswersTheAuthorizeUrl_data()
{
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<QString>("scope");
    QTest::newRow("github") << u"github"_s << u"gh-client"_s << u"read:user user:email"_s;
    QTest::newRow("google") << u"google"_s << u"g+client/1"_s << u"openid email profile"_s;
}

void TestOAuth::initAnswersTheAuthorizeUrl()
{
    QFETCH(QString, provider);
    QFETCH(QString, clientId);
    QFETCH(QString, scope);
    startServer();
    const QJsonObject answer = init(provider);
    const QString state = answer.value(u"state"_s).toString();
    QCOMPARE(QByteArray::fromBase64(state.toLatin1(), QByteArray::Base64UrlEncoding).size(), 32);
    const QUrl url(answer.value(u"authorize_url"_s).toString());
    QCOMPARE(url.port(), int(fake(provider).port()));
    QCOMPARE(url.path(), u"/authorize"_s);
    const QUrlQuery q(url);
    QCOMPARE(q.queryItemValue(u"client_id"_s, QUrl::FullyDecoded), clientId); // '+' and '/' survive
    QCOMPARE(q.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded),
             m_server->app().listeningUrl() + u"/oauth/callback/from/"_s + provider);
    QCOMPARE(q.queryItemValue(u"scope"_s, QUrl::FullyDecoded), scope);
    QCOMPARE(q.queryItemValue(u"state"_s, QUrl::FullyDecoded), state);
    QCOMPARE(q.queryItemValue(u"response_type"_s), u"code"_s);
    QCOMPARE(q.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
    QCOMPARE(q.queryItemValue(u"code_challenge"_s).size(), 43);
    // Only the digest of the state is stored.
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_states WHERE state_hash = ?"_s, {state}), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_states"_s), 1);

    // The token request carries the verifier that matches the challenge (the fake checks it).
    QCOMPARE(m_server->config().approvalRequired, true);
    fake(provider).setUser(provider == u"github"_s
                               ? FakeProvider::User{u"42"_s, u"a@example.com"_s, true, u"A"_s, {}}
                               : googleUser(u"a@example.com"_s));
    const HttpResult r = browse(provider, url.toString());
    QCOMPARE(r.status, 302);
    QVERIFY(locationQuery(r).hasQueryItem(u"confirmation"_s));
    const QByteArray verifier = fake(provider).lastVerifier().toLatin1();
    QVERIFY(verifier.size() >= 43);
    QCOMPARE(QString::fromLatin1(
                 QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
                     .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)),
             q.queryItemValue(u"code_challenge"_s));
}

void TestOAuth::initRefusesUnknownAndUnconfiguredProviders()
{
    startServer([](sd::core::Config &c) { c.oauthGoogle.clientId.clear(); });
    HttpResult r =
        postJson(port(), "/oauth/init", {{u"provider"_s, u"twitter"_s}, {u"language"_s, u"en"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"unknown_provider"_s);
    r = postJson(port(), "/oauth/init", {{u"provider"_s, u"google"_s}, {u"language"_s, u"en"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"not_configured"_s);
    r = postJson(port(), "/oauth/init", {{u"provider"_s, u"github"_s}, {u"language"_s, u"xx"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"validation"_s);
    r = postJson(port(), "/oauth/init", {{u"language"_s, u"en"_s}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"invalid_body"_s);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_states"_s), 0);
}

void TestOAuth::newAccountWaitsForApproval()
{
    startServer(); // approval required by default
    const QString confirmation = signIn(u"google"_s, googleUser(u"ada@example.com"_s), u"fr"_s);
    QVERIFY2(!confirmation.contains(u':'), qPrintable(confirmation));
    auto db = m_server->app().database().connection();
    auto row =
        sd::store::runQuery(*db,
                            u"SELECT status, verified_email, language, password_hash, username"
                            " FROM users WHERE email_key = ?"_s,
                            {u"ada@example.com"_s});
    QVERIFY(row && row->next());
    QCOMPARE(row->value(0).toString(), u"pending_approval"_s);
    QCOMPARE(row->value(1).toInt(), 1);
    QCOMPARE(row->value(2).toString(), u"fr"_s);
    QVERIFY(row->value(3).toString().isEmpty());
    QCOMPARE(row->value(4).toString(), u"ada"_s);
    const HttpResult r = oauthLogin(confirmation);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.errorCode(), u"pending_approval"_s);
    QCOMPARE(oauthLogin(confirmation).errorCode(), u"invalid_confirmation"_s); // spent
}

void TestOAuth::newAccountLogsInAndSecondLoginIsTheSameUser()
{
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    localSignup(u"grace"_s, u"someone-else@example.com"_s, true); // takes the username "grace"
    const FakeProvider::User user{u"1001"_s, u"grace@example.com"_s, true, u"Grace Hopper"_s, {}};
    const QString confirmation = signIn(u"github"_s, user);
    QVERIFY2(!confirmation.contains(u':'), qPrintable(confirmation));
    HttpResult r = oauthLogin(confirmation);
    QCOMPARE(r.status, 200);
    const QString ust = r.json().value(u"ust"_s).toString();
    const QJsonObject userJson = r.json().value(u"user"_s).toObject();
    QCOMPARE(userJson.value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(userJson.value(u"verified_email"_s).toBool(), true);
    QCOMPARE(userJson.value(u"username"_s).toString(), u"grace2"_s);
    QCOMPARE(userJson.value(u"display_name"_s).toString(), u"Grace Hopper"_s);
    QVERIFY(userJson.value(u"groups"_s).toArray().contains(u"users"_s));
    const QString userId = userJson.value(u"user_id"_s).toString();
    r = getJson(port(), "/api/v1/user/me", ust);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"user_id"_s).toString(), userId);
    m_server->flushMail();
    QVERIFY(!m_server->lastMailTo(u"grace@example.com"_s).isEmpty()); // the welcome email
    QCOMPARE(oauthLogin(confirmation).errorCode(), u"invalid_confirmation"_s);

    // Again, even with another primary address: the identity decides, not the email.
    const int before = users();
    const QString again =
        signIn(u"github"_s, {u"1001"_s, u"grace.h@example.com"_s, true, u"G"_s, {}});
    r = oauthLogin(again);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"user"_s).toObject().value(u"user_id"_s).toString(), userId);
    QCOMPARE(users(), before);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_identities WHERE user_id = ?"_s, {userId}), 1);

    r = oauthLogin(u"not-a-confirmation"_s);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), u"invalid_confirmation"_s);
}

void TestOAuth::reusedStateIsRefused()
{
    startServer();
    m_google->setUser(googleUser(u"re@example.com"_s));
    const QString authorizeUrl = init(u"google"_s).value(u"authorize_url"_s).toString();
    const HttpResult atProvider =
        httpRequest(m_google->port(), "GET", pathAndQuery(QUrl(authorizeUrl)));
    QCOMPARE(atProvider.status, 302);
    const QByteArray callback =
        pathAndQuery(QUrl::fromEncoded(atProvider.headers.value("location")));
    HttpResult r = httpRequest(port(), "GET", callback);
    QVERIFY(locationQuery(r).hasQueryItem(u"confirmation"_s));
    QCOMPARE(m_google->tokenRequests(), 1);
    r = httpRequest(port(), "GET", callback);
    QCOMPARE(r.status, 302);
    QCOMPARE(locationQuery(r).queryItemValue(u"error"_s), u"invalid_state"_s);
    QCOMPARE(m_google->tokenRequests(), 1); // refused before any provider call
}

void TestOAuth::stateOfTheOtherProviderIsRefused()
{
    startServer();
    const QString state = init(u"github"_s).value(u"state"_s).toString();
    QUrlQuery q;
    q.addQueryItem(u"code"_s, u"whatever"_s);
    q.addQueryItem(u"state"_s, state);
    HttpResult r = httpRequest(
        port(), "GET", "/oauth/callback/from/google?" + q.toString(QUrl::FullyEncoded).toLatin1());
    QCOMPARE(r.status, 302);
    QCOMPARE(locationQuery(r).queryItemValue(u"error"_s), u"invalid_state"_s);
    // Burned by that presentation: no use for its own provider either.
    r = httpRequest(port(), "GET",
                    "/oauth/callback/from/github?" + q.toString(QUrl::FullyEncoded).toLatin1());
    QCOMPARE(locationQuery(r).queryItemValue(u"error"_s), u"invalid_state"_s);
    QCOMPARE(m_github->tokenRequests() + m_google->tokenRequests(), 0);
    QCOMPARE(users(), 0);
}

void TestOAuth::expiredStateIsRefused()
{
    startServer();
    m_github->setUser({u"7"_s, u"late@example.com"_s, true, u"Late"_s, {}});
    const QString authorizeUrl = init(u"github"_s).value(u"authorize_url"_s).toString();
    m_server->clock().advanceSeconds(601);
    const HttpResult r = browse(u"github"_s, authorizeUrl);
    QCOMPARE(r.status, 302);
    QCOMPARE(locationQuery(r).queryItemValue(u"error"_s), u"invalid_state"_s);
    QCOMPARE(m_github->tokenRequests(), 0);
    QCOMPARE(users(), 0);
}

void TestOAuth::unknownProviderCallbackRedirects()
{
    startServer();
    for (const QByteArray &path : {"/oauth/callback/from/twitter?code=a&state=b"_ba,
                                   "/oauth/callback/from/github/extra?code=a&state=b"_ba,
                                   "/oauth/callback/from?code=a"_ba}) {
        const HttpResult r = httpRequest(port(), "GET", path);
        QCOMPARE(r.status, 302);
        QCOMPARE(locationQuery(r).queryItemValue(u"error"_s), u"unknown_provider"_s);
    }
    // HEAD changes nothing: the state stays usable.
    m_github->setUser({u"8"_s, u"head@example.com"_s, true, u"H"_s, {}});
    const QString authorizeUrl = init(u"github"_s).value(u"authorize_url"_s).toString();
    const HttpResult atProvider =
        httpRequest(m_github->port(), "GET", pathAndQuery(QUrl(authorizeUrl)));
    const QByteArray callback =
        pathAndQuery(QUrl::fromEncoded(atProvider.headers.value("location")));
    QCOMPARE(httpRequest(port(), "HEAD", callback).status, 302);
    QVERIFY(locationQuery(httpRequest(port(), "GET", callback)).hasQueryItem(u"confirmation"_s));
}

void TestOAuth::consentDenied()
{
    startServer();
    m_google->setDenyConsent(true);
    QCOMPARE(signIn(u"google"_s, googleUser(u"no@example.com"_s)), u"error:access_denied"_s);
    QCOMPARE(m_google->tokenRequests(), 0);
    QCOMPARE(users(), 0);
}

void TestOAuth::providerServerError()
{
    startServer();
    m_github->setTokenMode(FakeProvider::TokenMode::ServerError);
    QCOMPARE(signIn(u"github"_s, {u"9"_s, u"e@example.com"_s, true, u"E"_s, {}}),
             u"error:provider_error"_s);
    QCOMPARE(users(), 0);
    auto db = m_server->app().database().connection();
    auto entries = sd::core::auditlog::list(*db);
    QVERIFY(entries);
    QVERIFY(std::any_of(entries->cbegin(), entries->cend(), [](const sd::core::AuditEntry &e) {
        return e.action == u"oauth.failed"_s && e.detail.contains(u"HTTP 500"_s);
    }));
}

void TestOAuth::providerTimeout()
{
    startServer([](sd::core::Config &c) { c.oauthTimeoutSeconds = 1; });
    m_google->setTokenMode(FakeProvider::TokenMode::Stall);
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(signIn(u"google"_s, googleUser(u"slow@example.com"_s)), u"error:provider_timeout"_s);
    QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(m_google->tokenRequests(), 1);
    // The server thread was never blocked: it answers while another callback waits.
    QCOMPARE(getJson(port(), "/healthz").status, 200);
    QCOMPARE(users(), 0);
}

void TestOAuth::unverifiedProviderEmail()
{
    startServer();
    QCOMPARE(signIn(u"google"_s, googleUser(u"unv@example.com"_s, false)),
             u"error:unverified_email"_s);
    QCOMPARE(users(), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_identities"_s), 0);
}

void TestOAuth::githubSecondaryVerifiedEmailIsIgnored()
{
    startServer();
    const QString olivia = localSignup(u"olivia"_s, u"olivia@example.com"_s, true);
    QVERIFY(!olivia.isEmpty());
    const QJsonArray secondary{QJsonObject{
        {u"email"_s, u"olivia@example.com"_s}, {u"primary"_s, false}, {u"verified"_s, true}}};
    // The primary address is unverified: a verified secondary one does not stand in for it.
    QCOMPARE(
        signIn(u"github"_s, {u"77"_s, u"mallory@example.com"_s, false, u"Mallory"_s, secondary}),
        u"error:unverified_email"_s);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_identities"_s), 0);
    QCOMPARE(users(), 1);
    // A verified primary address: the secondary one still links nothing.
    const QString confirmation =
        signIn(u"github"_s, {u"78"_s, u"mallory@example.com"_s, true, u"Mallory"_s, secondary});
    QVERIFY2(!confirmation.contains(u':'), qPrintable(confirmation));
    QCOMPARE(users(), 2);
    QCOMPARE(count(u"SELECT COUNT(*) FROM oauth_identities WHERE user_id = ?"_s, {olivia}), 0);
}

void TestOAuth::unverifiedLocalAccountIsNotTakenOver()
{
    startServer([](sd::core::Config &c) {
        c.approvalRequired = false;
        // Deliveries are only queued here (nothing listens on the discard port).
        c.webhookUrls = {u"http://127.0.0.1:9/hook"_s};
        c.webhookSecret = u"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="_s;
    });
    // The attacker signs up with the victim's address and never verifies it.
    const QString attacker = localSignup(u"mallory"_s, u"victim@example.com"_s, false);
    QVERIFY(!attacker.isEmpty());
    const QString confirmation = signIn(u"google"_s, googleUser(u"victim@example.com"_s));
    const HttpResult r = oauthLogin(confirmation);
    QCOMPARE(r.status, 200);
    const QString victim = r.json().value(u"user"_s).toObject().value(u"user_id"_s).toString();
    QVERIFY(victim != attacker);
    QCOMPARE(count(u"SELECT COUNT(*) FROM users WHERE id = ?"_s, {attacker}), 0);
    const HttpResult login =
        postJson(port(), "/api/v1/login",
                 {{u"username"_s, u"victim@example.com"_s}, {u"password"_s, kPassword}});
    QCOMPARE(login.status, 401);
    QCOMPARE(postJson(port(), "/api/v1/login",
                      {{u"username"_s, u"mallory"_s}, {u"password"_s, kPassword}})
                 .status,
             401);
    auto db = m_server->app().database().connection();
    auto entries = sd::core::auditlog::list(*db, attacker);
    QVERIFY(entries);
    QVERIFY(std::any_of(entries->cbegin(), entries->cend(), [](const sd::core::AuditEntry &e) {
        return e.action == u"oauth.replaced_unverified"_s;
    }));
    // Its user.registered went out, so its end does too, in the callback's transaction.
    auto deliveries = m_server->app().core().webhooks().list();
    QVERIFY(deliveries);
    QVERIFY(std::any_of(deliveries->cbegin(), deliveries->cend(), [&](const auto &d) {
        const QJsonObject event = QJsonDocument::fromJson(d.payload).object();
        return d.eventType == u"user.deleted"_s &&
               event[u"data"_s][u"user_id"_s].toString() == attacker &&
               event[u"data"_s][u"username"_s].toString() == u"mallory"_s;
    }));
}

void TestOAuth::linksToVerifiedAccount()
{
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    const QString existing = localSignup(u"linda"_s, u"linda@example.com"_s, true);
    const int before = users();
    const HttpResult r =
        oauthLogin(signIn(u"github"_s, {u"555"_s, u"Linda@Example.com"_s, true, u"Linda"_s, {}}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"user"_s).toObject().value(u"user_id"_s).toString(), existing);
    QCOMPARE(users(), before);
    QCOMPARE(
        count(u"SELECT COUNT(*) FROM oauth_identities WHERE user_id = ? AND provider = 'github'"
              " AND provider_user_id = '555'"_s,
              {existing}),
        1);
    // The password still works: the account was the owner's all along.
    QCOMPARE(
        postJson(port(), "/api/v1/login", {{u"username"_s, u"linda"_s}, {u"password"_s, kPassword}})
            .status,
        200);
}

// Issue 14, SEC-47: with the second factor on, a confirmed OAuth sign-in gives an mfa_token and
// no session; the code then gives the session.
void TestOAuth::secondFactorIsAskedAfterOAuth()
{
    namespace totp = sd::core::totp;
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    const QString id = localSignup(u"mia"_s, u"mia@example.com"_s, true);
    const QString ust =
        postJson(port(), "/api/v1/login", {{u"username"_s, u"mia"_s}, {u"password"_s, kPassword}})
            .json()
            .value(u"ust"_s)
            .toString();
    const QString secret =
        postJson(port(), "/api/v1/user/mfa/totp", {{u"current_password"_s, kPassword}}, ust)
            .json()
            .value(u"secret"_s)
            .toString();
    const auto codeAt = [&](qint64 step) { return totp::code(*totp::fromBase32(secret), step); };
    const qint64 now = totp::stepAt(m_server->clock().nowMs());
    QCOMPARE(
        postJson(port(), "/api/v1/user/mfa/totp/confirm", {{u"code"_s, codeAt(now)}}, ust).status,
        200);

    const HttpResult r =
        oauthLogin(signIn(u"github"_s, {u"808"_s, u"mia@example.com"_s, true, u"Mia"_s, {}}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"mfa_required"_s), QJsonValue(true));
    QVERIFY(!r.json().contains(u"ust"_s));
    const QString token = r.json().value(u"mfa_token"_s).toString();
    QCOMPARE(getJson(port(), "/api/v1/user/me", token).status, 401);
    const HttpResult done = postJson(port(), "/api/v1/login/mfa",
                                     {{u"mfa_token"_s, token}, {u"code"_s, codeAt(now + 1)}});
    QCOMPARE(done.status, 200);
    QCOMPARE(done.json().value(u"user"_s).toObject().value(u"user_id"_s).toString(), id);
    QCOMPARE(getJson(port(), "/api/v1/user/me", done.json().value(u"ust"_s).toString()).status,
             200);
}

// The console's "Close signup now" stops accounts made through OAuth too; known identities and
// verified local accounts still sign in.
void TestOAuth::closedSignupRefusesNewAccountsOnly()
{
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    const QString known = signIn(u"google"_s, googleUser(u"known@example.com"_s));
    QVERIFY2(!known.contains(u':'), qPrintable(known));
    const QString local = localSignup(u"lena"_s, u"lena@example.com"_s, true);
    QVERIFY(m_server->app().core().settings().setSignupOpen(false, {u"console"_s}));

    const int before = users();
    QCOMPARE(signIn(u"google"_s, googleUser(u"new@example.com"_s)), u"error:signup_disabled"_s);
    QCOMPARE(users(), before);
    QCOMPARE(oauthLogin(signIn(u"google"_s, googleUser(u"known@example.com"_s))).status, 200);
    const HttpResult linked =
        oauthLogin(signIn(u"github"_s, {u"77"_s, u"lena@example.com"_s, true, u"Lena"_s, {}}));
    QCOMPARE(linked.status, 200);
    QCOMPARE(linked.json().value(u"user"_s).toObject().value(u"user_id"_s).toString(), local);
}

void TestOAuth::parallelLoginsWithOneConfirmation()
{
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    const QString confirmation = signIn(u"google"_s, googleUser(u"race@example.com"_s));
    QVERIFY2(!confirmation.contains(u':'), qPrintable(confirmation));
    constexpr int kClients = 50;
    std::latch go(kClients);
    std::atomic<int> ok = 0, invalid = 0, other = 0;
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.emplace_back([&] {
            go.arrive_and_wait();
            const HttpResult r = oauthLogin(confirmation);
            if (r.status == 200)
                ++ok;
            else if (r.status == 400 && r.errorCode() == u"invalid_confirmation"_s)
                ++invalid;
            else
                ++other;
        });
    }
    for (auto &t : clients)
        t.join();
    QCOMPARE(ok.load(), 1);
    QCOMPARE(invalid.load(), kClients - 1);
    QCOMPARE(other.load(), 0);
    QCOMPARE(count(u"SELECT COUNT(*) FROM tokens WHERE kind = 'session'"_s), 1);
}

// Issue 18 item 8: a provider's profile name is made to fit the one name rule (names.h) rather
// than refused (that would refuse the account) or kept (a name the login form refuses would lock
// the user out of it): bidi controls and invisible characters go, line breaks become spaces,
// the length is cut to 128 characters.
void TestOAuth::providerNameIsCleaned()
{
    startServer([](sd::core::Config &c) { c.approvalRequired = false; });
    const QList<std::pair<QString, QString>> cases = {
        {u"\u202EGrace\nHopper\u200B"_s, u"Grace Hopper"_s},
        {u"  Ada\u2066 \u2069Lovelace\u0007 "_s, u"Ada Lovelace"_s},
        {QString(300, u'n'), QString(128, u'n')},
        {u"\u202E\u200D"_s, QString()},
    };
    int i = 0;
    for (const auto &[given, stored] : cases) {
        ++i;
        const FakeProvider::User user{
            u"g-name-%1"_s.arg(i), u"name%1@example.com"_s.arg(i), true, given, {}};
        const HttpResult r = oauthLogin(signIn(u"google"_s, user));
        QCOMPARE(r.status, 200);
        const QString name =
            r.json().value(u"user"_s).toObject().value(u"display_name"_s).toString();
        QCOMPARE(name, stored);
        QCOMPARE(sd::core::names::checkDisplayName(name).value_or(u"(refused)"_s), name);
    }
}

QTEST_GUILESS_MAIN(TestOAuth)
#include "tst_oauth.moc"
