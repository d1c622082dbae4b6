#pragma once

#include "flows/oauth/oauthprovider.h"

#include <QThread>

#include <chrono>

class QNetworkAccessManager;

namespace sd::http {

// OAuthProviderClient over QNetworkAccessManager. The manager lives in a thread of its own
// (never the GUI or HTTP server thread); exchangeCode() posts the work there and waits for the
// answer, so from the calling worker it is synchronous, and bounded by `timeout` for the whole
// exchange (token, user info and, for GitHub, emails). Every answer is checked: HTTP status,
// JSON shape, size. Nothing secret is logged: not the code, the verifier, the access token or
// the client secret. Must not be called from its own thread.
class NetworkOAuthClient final : public core::OAuthProviderClient
{
public:
    explicit NetworkOAuthClient(std::chrono::milliseconds timeout);
    ~NetworkOAuthClient() override;
    NetworkOAuthClient(const NetworkOAuthClient &) = delete;
    NetworkOAuthClient &operator=(const NetworkOAuthClient &) = delete;

    core::Result<core::ProviderIdentity> exchangeCode(core::OAuthProvider provider,
                                                      const core::OAuthProviderSettings &settings,
                                                      const QString &code, const QString &verifier,
                                                      const QString &redirectUri) override;

private:
    std::chrono::milliseconds m_timeout;
    QThread m_thread;
    QObject *m_home = nullptr; // lives in m_thread; parent of the manager and of each exchange
    QNetworkAccessManager *m_manager = nullptr;
};

} // namespace sd::http
