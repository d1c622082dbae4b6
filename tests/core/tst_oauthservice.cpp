// OAuthService driven directly (no HTTP, no network): a fake provider client stands in for the
// network half that app/ injects. Init needs a configured provider; the callback burns its
// state, trusts only a verified address, signs up or links, and hands out a one-time
// confirmation that logs in.

#include "coreharness.h"

#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {

class FakeProvider final : public OAuthProviderClient
{
public:
    ProviderIdentity identity{u"gh-1001"_s, u"octo@example.com"_s, true, u"Octo Cat"_s};
    int exchanges = 0;

    Result<ProviderIdentity> exchangeCode(OAuthProvider, const OAuthProviderSettings &,
                                          const QString &code, const QString &verifier,
                                          const QString &) override
    {
        ++exchanges;
        if (code != u"good-code"_s || verifier.isEmpty())
            return fail(ErrorCode::ProviderError, u"bad code"_s);
        return identity;
    }
};

QString queryValue(const QString &url, const QString &key)
{
    return QUrlQuery(QUrl(url)).queryItemValue(key);
}

} // namespace

class TestOAuthService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    std::shared_ptr<FakeProvider> m_provider;

    OAuthRedirect signInWithGithub(const QString &code = u"good-code"_s)
    {
        auto start = h->core().oauth().init(u"github"_s, std::nullopt, {u"192.0.2.5"_s});
        if (!start)
            return {{}, u"init failed: "_s + start.error().detail, {}};
        return h->core().oauth().callback(u"github"_s, {code, start->state, {}}, {u"192.0.2.5"_s});
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.approvalRequired = false;
            c.oauthGithub.clientId = u"client-1"_s;
            c.oauthGithub.clientSecret = u"secret-1"_s;
        });
        QVERIFY2(h->ok(), qPrintable(h->error()));
        m_provider = std::make_shared<FakeProvider>();
        h->core().setOAuthClient(m_provider);
    }

    void initNeedsAKnownConfiguredProvider()
    {
        auto unknown = h->core().oauth().init(u"myspace"_s, std::nullopt, {});
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, ErrorCode::UnknownProvider);
        auto google = h->core().oauth().init(u"google"_s, std::nullopt, {});
        QVERIFY(!google);
        QCOMPARE(google.error().code, ErrorCode::NotConfigured);
        auto github = h->core().oauth().init(u"github"_s, std::nullopt, {});
        QVERIFY2(github, github ? "" : qPrintable(github.error().detail));
        QCOMPARE(queryValue(github->authorizeUrl, u"state"_s), github->state);
        QCOMPARE(queryValue(github->authorizeUrl, u"client_id"_s), u"client-1"_s);
        QCOMPARE(queryValue(github->authorizeUrl, u"code_challenge_method"_s), u"S256"_s);
    }

    void newIdentitySignsUpAndLogsInOnce()
    {
        const OAuthRedirect r = signInWithGithub();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        const QString confirmation = queryValue(r.location, u"confirmation"_s);
        QVERIFY(!confirmation.isEmpty());
        const auto a = h->account(r.userId);
        QVERIFY(a);
        QCOMPARE(a->email, u"octo@example.com"_s);
        QCOMPARE(toString(a->status), toString(AccountStatus::Active));
        QVERIFY(a->verifiedEmail);
        QVERIFY(h->auditActions(a->id).contains(u"oauth.signup"_s));

        auto login = h->core().oauth().login(confirmation, {});
        QVERIFY2(login, login ? "" : qPrintable(login.error().detail));
        QCOMPARE(login->account.id, a->id);
        auto again = h->core().oauth().login(confirmation, {});
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidConfirmation);
    }

    void stateIsBurnedOnFirstUse()
    {
        auto start = h->core().oauth().init(u"github"_s, std::nullopt, {});
        QVERIFY(start);
        const OAuthRedirect bad =
            h->core().oauth().callback(u"github"_s, {u"bad-code"_s, start->state, {}}, {});
        QCOMPARE(bad.error, u"provider_error"_s);
        const OAuthRedirect replay =
            h->core().oauth().callback(u"github"_s, {u"good-code"_s, start->state, {}}, {});
        QCOMPARE(replay.error, u"invalid_state"_s);
        QCOMPARE(m_provider->exchanges, 1); // the replay never reached the provider
        QVERIFY(h->auditActions().contains(u"oauth.failed"_s));
    }

    void stateExpires()
    {
        auto start = h->core().oauth().init(u"github"_s, std::nullopt, {});
        QVERIFY(start);
        h->clock().advanceSeconds(OAuthService::kStateTtlSeconds + 1);
        const OAuthRedirect r =
            h->core().oauth().callback(u"github"_s, {u"good-code"_s, start->state, {}}, {});
        QCOMPARE(r.error, u"invalid_state"_s);
    }

    void onlyAVerifiedAddressCounts()
    {
        m_provider->identity.emailVerified = false;
        const OAuthRedirect r = signInWithGithub();
        QCOMPARE(r.error, u"unverified_email"_s);
        QVERIFY(!h->accountByEmail(u"octo@example.com"_s));
    }

    void verifiedAddressLinksTheExistingAccount()
    {
        const auto a = h->activeAccount(u"octo"_s); // octo@example.com
        QVERIFY(a);
        const OAuthRedirect r = signInWithGithub();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.userId, a->id);
        QVERIFY(h->auditActions(a->id).contains(u"oauth.linked"_s));
    }

    void withoutAClientCallbacksEndNotConfigured()
    {
        h->core().setOAuthClient(nullptr);
        const OAuthRedirect r = signInWithGithub();
        QCOMPARE(r.error, u"not_configured"_s);
    }
};

QTEST_GUILESS_MAIN(TestOAuthService)
#include "tst_oauthservice.moc"
