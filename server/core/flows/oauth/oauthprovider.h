#pragma once

#include "config.h"
#include "result.h"

#include <optional>

namespace sd::core {

// The OAuth providers we know. Their names are the path segment of the callback and the
// `provider` field of /oauth/init.
enum class OAuthProvider
{
    GitHub,
    Google
};

QString toString(OAuthProvider provider);
std::optional<OAuthProvider> oauthProviderFromString(const QString &name);
const OAuthProviderSettings &providerSettings(const Config &config, OAuthProvider provider);
// The scope asked for: GitHub "read:user user:email", Google "openid email profile".
QString providerScope(OAuthProvider provider);

// Who the provider says signed in. `email` is the address the provider vouches for: Google's
// `email` with `email_verified`; GitHub's primary address from the emails endpoint, verified
// only when it is both primary and verified there.
struct ProviderIdentity
{
    QString providerUserId;
    QString email;
    bool emailVerified = false;
    QString displayName;
};

// The network half of the OAuth flow: trades an authorization code (with its PKCE verifier)
// for an access token and reads the identity. Core links no network module, so app/ injects
// an implementation (http/oauthhttpclient.h). Blocking from the caller's point of view and
// bounded by oauth/timeout_seconds; callable from any worker thread, never the HTTP thread.
// Fails with ProviderTimeout or ProviderError; never logs codes, tokens or client secrets.
class OAuthProviderClient
{
public:
    virtual ~OAuthProviderClient() = default;
    virtual Result<ProviderIdentity> exchangeCode(OAuthProvider provider,
                                                  const OAuthProviderSettings &settings,
                                                  const QString &code, const QString &verifier,
                                                  const QString &redirectUri) = 0;
};

} // namespace sd::core
