#include "flows/oauth/oauthprovider.h"

using namespace Qt::StringLiterals;

namespace sd::core {

QString toString(OAuthProvider provider)
{
    switch (provider) {
    case OAuthProvider::GitHub:
        return u"github"_s;
    case OAuthProvider::Google:
        return u"google"_s;
    }
    return {};
}

std::optional<OAuthProvider> oauthProviderFromString(const QString &name)
{
    if (name == u"github"_s)
        return OAuthProvider::GitHub;
    if (name == u"google"_s)
        return OAuthProvider::Google;
    return std::nullopt;
}

const OAuthProviderSettings &providerSettings(const Config &config, OAuthProvider provider)
{
    return provider == OAuthProvider::GitHub ? config.oauthGithub : config.oauthGoogle;
}

QString providerScope(OAuthProvider provider)
{
    return provider == OAuthProvider::GitHub ? u"read:user user:email"_s
                                             : u"openid email profile"_s;
}

} // namespace sd::core
