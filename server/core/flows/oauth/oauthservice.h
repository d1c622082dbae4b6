#pragma once

#include "accounts/account.h"
#include "flows/login/sessionservice.h"
#include "flows/oauth/oauthprovider.h"
#include "result.h"
#include "vocabulary.h"

#include <optional>

namespace sd::core {

struct Context; // context.h: private to core

// What /oauth/init hands the frontend.
struct OAuthStart
{
    QString state;        // raw: only its digest is stored
    QString authorizeUrl; // where the browser goes next
};

// What GET /oauth/start hands the browser: where to go, and the value of the cookie that binds
// the state to this browser (SEC-26).
struct OAuthBrowserStart
{
    QString state; // as in the authorize URL
    QString authorizeUrl;
    QString binding; // raw: only its digest is stored with the state
};

// The query of a provider's redirect to /oauth/callback/from/<provider>.
struct OAuthCallbackInput
{
    QString code;
    QString state;
    QString error;   // the provider's `error` (e.g. access_denied when consent was refused)
    QString binding; // the browser's binding cookie, if it sent one
};

// How a callback ended: every outcome is a redirect to oauth/frontend_url, with
// `?confirmation=…` or `?error=<code>` (the codes of docs/OAUTH.md).
struct OAuthRedirect
{
    QString location;
    QString error;  // empty on success
    QString userId; // on success: the account the confirmation is for
};

// Sign-in with GitHub or Google (API.md "OAuth", SEC-26, SEC-27).
// init() stores a 256-bit single-use state (digest only) bound to the provider for 10 minutes
// and returns the provider URL with PKCE S256. callback() consumes the state with one guarded
// UPDATE before any network call, trades the code through the injected OAuthProviderClient,
// and requires an email the provider marks verified. Accounts: the identity
// (provider, provider user id) decides; failing that, an account whose email is verified and
// equal is linked; an unverified account with that email is deleted (audited) and replaced, so
// a password set before verification stops working; otherwise a new verified account
// following signup/approval_required. It answers with a single-use confirmation that expires
// in 5 minutes; login() consumes it and starts a session like every other login.
class OAuthService
{
public:
    static constexpr qint64 kStateTtlSeconds = 600;
    static constexpr qint64 kConfirmationTtlSeconds = 300;

    OAuthService(const Context &ctx, OAuthProviderClient *client) : m_ctx(ctx), m_client(client) {}

    // UnknownProvider, NotConfigured, Validation (language).
    Result<OAuthStart> init(const QString &provider, const std::optional<QString> &language,
                            const RequestInfo &request);
    // The browser flow (GET /oauth/start): init() with a state bound to the browser, whose
    // callback is refused without that binding and ends on the embedded done page.
    Result<OAuthBrowserStart> startInBrowser(const QString &provider, const QString &language,
                                             const RequestInfo &request);
    OAuthRedirect callback(const QString &provider, const OAuthCallbackInput &input,
                           const RequestInfo &request);
    // InvalidConfirmation; PendingApproval / AccountDisabled after consuming it.
    Result<LoginResult> login(const QString &confirmation, const RequestInfo &request);

    // Where callbacks send the browser: oauth/frontend_url, default {public_url}/oauth/done.
    QString frontendUrl() const;
    // Where the browser flow's callbacks send it: {public_url}/oauth/done, whatever
    // oauth/frontend_url says (that page sets the session cookie).
    QString donePageUrl() const;
    QString redirectUri(OAuthProvider provider) const;

private:
    struct Failure
    {
        QString code;   // access_denied, invalid_state, …
        QString detail; // for the log and the audit row; never a secret
    };
    std::expected<Account, Failure> signIn(OAuthProvider provider, const ProviderIdentity &identity,
                                           const QString &language, const RequestInfo &request,
                                           QString *confirmation);
    Result<OAuthStart> begin(const QString &provider, const std::optional<QString> &language,
                             const QString &bindingHash);
    QString usernameFor(const QSqlDatabase &db, const QString &email) const;
    QString publicBase() const;

    const Context &m_ctx;
    OAuthProviderClient *m_client;
};

} // namespace sd::core
