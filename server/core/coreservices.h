#pragma once

#include "audit/linkhits.h"
#include "context.h"
#include "flows/emaillogin/emailloginservice.h"
#include "flows/approval/approvalservice.h"
#include "flows/login/sessionservice.h"
#include "flows/oauth/oauthservice.h"
#include "flows/signup/signupservice.h"
#include "flows/verification/verificationservice.h"
#include "settings/settingsservice.h"

#include <memory>

namespace sd::core {

// Owns what the flows share (hasher, token digest, rate limiter, validator, events) and hands
// out the flow services. Built by the composition root with a config, a database and a clock.
// The services are stateless and thread-safe: call them from any worker thread.
class CoreServices
{
public:
    // Migrates the database and loads (or creates, once, in the database) the token secret.
    static Result<std::unique_ptr<CoreServices>> create(const Config &config,
                                                         store::Database &database,
                                                         const Clock &clock);

    const Context &context() const { return *m_context; }
    Events &events() { return m_events; }
    const PasswordHasher &hasher() const { return m_hasher; }
    // Returns once the work started by earlier requests has run (tests, shutdown).
    void waitForAfterAnswer() { m_afterAnswer.waitForIdle(); }
    // Set once, after the server bound its port and before it takes requests.
    void setPublicUrl(const QString &url) { m_context->publicUrl = url; }

    SignupService signup() const { return SignupService(*m_context); }
    VerificationService verification() const { return VerificationService(*m_context); }
    ApprovalService approval() const { return ApprovalService(*m_context); }
    SessionService sessions() const { return SessionService(*m_context); }
    EmailLoginService emailLogin() const { return EmailLoginService(*m_context); }
    LinkHitLog linkHits() const { return LinkHitLog(*m_context); }
    SettingsService settings() const { return SettingsService(*m_context); }
    OAuthService oauth() const { return OAuthService(*m_context, m_oauthClient.get()); }
    // The network half of OAuth, from the composition root; set before the server takes
    // requests. Without one, OAuth callbacks end in not_configured.
    void setOAuthClient(std::shared_ptr<OAuthProviderClient> client) { m_oauthClient = std::move(client); }

private:
    CoreServices(const Config &config, store::Database &database, const Clock &clock,
                 QByteArray secret);

    PasswordHasher m_hasher;
    TokenDigest m_digest;
    RateLimiter m_limiter;
    SignupValidator m_validator;
    Events m_events;
    SessionCache m_sessionCache;
    LiveConfig m_live;
    std::unique_ptr<Context> m_context;
    std::shared_ptr<OAuthProviderClient> m_oauthClient;
    // Last: destroyed (and so waited for) first, while what its jobs use still exists.
    AfterAnswer m_afterAnswer;
};

} // namespace sd::core
