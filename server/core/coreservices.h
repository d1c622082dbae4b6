#pragma once

#include "accounts/sessioncache.h"
#include "afteranswer.h"
#include "audit/linkhits.h"
#include "clock.h"
#include "config.h"
#include "console/auditlogservice.h"
#include "console/dashboardservice.h"
#include "console/outboxadminservice.h"
#include "console/signupadminservice.h"
#include "console/signupoverview.h"
#include "console/useradminservice.h"
#include "crypto/passwordhasher.h"
#include "crypto/secretbox.h"
#include "crypto/tokendigest.h"
#include "database.h"
#include "events.h"
#include "flows/account/accountdeletion.h"
#include "flows/account/accountsessions.h"
#include "flows/approval/approvalservice.h"
#include "flows/emaillogin/emailloginservice.h"
#include "flows/invitation/invitationservice.h"
#include "flows/login/sessionservice.h"
#include "flows/mfa/mfaservice.h"
#include "flows/oauth/oauthservice.h"
#include "flows/recovery/emailchangeservice.h"
#include "flows/recovery/recoveryservice.h"
#include "flows/signup/signupservice.h"
#include "flows/verification/verificationservice.h"
#include "livesettings.h"
#include "operations/metricsservice.h"
#include "ratelimiter.h"
#include "reversedns.h"
#include "settings/settingsservice.h"
#include "validation/signupvalidator.h"
#include "webhooks/webhookservice.h"

#include <chrono>
#include <memory>

namespace sd::core {

struct Context;      // context.h: what the flows share, private to core
class SessionReader; // flows/login/sessionreader.h
class ExternalChanges;

// Owns what the flows share (hasher, token digest, rate limiter, validator, events) and hands
// out the flow services. Built by the composition root with a config, a database and a clock.
// The services are stateless and thread-safe: call them from any worker thread.
class CoreServices
{
public:
    // Migrates the database and loads (or creates, once, in the database) the token secret.
    static Result<std::unique_ptr<CoreServices>>
    create(const Config &config, store::Database &database, const Clock &clock);
    ~CoreServices();

    // The flows' shared parts, for white-box tests only: the front ends (server/http, ui/,
    // app/) use the services and operations below and never name Context.
    const Context &context() const { return *m_context; }
    Events &events() { return m_events; }
    const PasswordHasher &hasher() const { return m_hasher; }
    // Returns once the work started by earlier requests has run (tests, shutdown).
    void waitForAfterAnswer() { m_afterAnswer.waitForIdle(); }
    // Set once, after the server bound its port and before it takes requests.
    void setPublicUrl(const QString &url);

    SignupService signup() const { return SignupService(*m_context, m_reverseDns.get()); }
    VerificationService verification() const { return VerificationService(*m_context); }
    ApprovalService approval() const { return ApprovalService(*m_context); }
    SessionService sessions() const { return SessionService(*m_context); }
    EmailLoginService emailLogin() const { return EmailLoginService(*m_context); }
    LinkHitLog linkHits() const;
    SettingsService settings() const { return SettingsService(*m_context); }
    OAuthService oauth() const { return OAuthService(*m_context, m_oauthClient.get()); }
    RecoveryService recovery() const { return RecoveryService(*m_context); }
    EmailChangeService emailChange() const { return EmailChangeService(*m_context); }
    // Issue 13, accounts: a user's own sessions, account deletion, invitations.
    AccountSessionService accountSessions() const { return AccountSessionService(*m_context); }
    AccountDeletionService accountDeletion() const { return AccountDeletionService(*m_context); }
    InvitationService invitations() const { return InvitationService(*m_context); }
    // Issue 14: the second factor (TOTP and recovery codes) and its step of every login.
    MfaService mfa() const { return MfaService(*m_context); }

    // What the front ends read of the settings: the start-up ones, and one consistent snapshot
    // of the live ones per call.
    const Config &config() const;
    std::shared_ptr<const LiveSettings> liveSettings() const { return m_live.current(); }
    const LiveConfig &liveConfig() const { return m_live; }
    // The base of every link in an email, and the pages' own origin.
    const QString &publicUrl() const;

    // The per-address limit of API.md (server/requests_per_address_per_minute a minute) on the
    // endpoints that log in, mail or verify, one `bucket` per kind. RateLimited with its
    // Retry-After when over; always allowed with ratelimit/enabled=false.
    Result<void> limitAddress(const QString &bucket, const RequestInfo &request) const;
    // GET /healthz: Unavailable (retry after 5 s) when the database does not answer.
    Result<void> checkHealth() const;
    // A form's CSRF token, bound to the pre-session cookie: HMAC(server secret, cookie).
    QString csrfToken(const QString &cookieValue) const;
    bool csrfTokenMatches(const QString &cookieValue, const QString &token) const;

    // The console's read models and admin operations.
    SignupOverview signupOverview() const { return SignupOverview(*m_context); }
    SignupAdminService signupAdmin() const { return SignupAdminService(*m_context); }
    UserAdminService userAdmin() const { return UserAdminService(*m_context); }
    OutboxAdminService outboxAdmin() const { return OutboxAdminService(*m_context); }
    AuditLogService auditLog() const { return AuditLogService(*m_context); }
    DashboardService dashboard() const { return DashboardService(*m_context); }
    // What /metrics reports from core.
    MetricsService metrics() const { return MetricsService(*m_context); }
    // Webhook deliveries: the sender's claims, the console's list, retry and test event.
    WebhookService webhooks() const { return WebhookService(*m_context); }
    // The clock every service uses.
    const Clock &clock() const;
    // Whether the database answers a trivial query (it waits on the network: a worker thread).
    bool pingDatabase() const;
    // On SQLite, starts (once; stopped with this object) noticing what other processes commit,
    // every `interval` off the calling thread: Events::accountsChanged. Nothing on PostgreSQL,
    // where ClusterEvents tells. For the console, whose list would go stale after a CLI change.
    void watchExternalChanges(std::chrono::milliseconds interval = std::chrono::seconds(1));
    // The database product ("SQLite", "PostgreSQL"), for status displays.
    QString databaseName() const;
    // Whether a query waits on a network round trip (PostgreSQL), not on a local file: reads
    // then belong on a pool of threads that may wait, never on a server thread.
    bool databaseAcrossNetwork() const;
    // The network half of OAuth, from the composition root; set before the server takes
    // requests. Without one, OAuth callbacks end in not_configured.
    void setOAuthClient(std::shared_ptr<OAuthProviderClient> client)
    {
        m_oauthClient = std::move(client);
    }
    // The reverse-DNS lookup of signups' addresses, from the composition root; set before the
    // server takes requests. Without one, no name is looked up.
    void setReverseDns(std::shared_ptr<const ReverseDns> dns) { m_reverseDns = std::move(dns); }

private:
    CoreServices(const Config &config, store::Database &database, const Clock &clock,
                 QByteArray secret);

    PasswordHasher m_hasher;
    TokenDigest m_digest;
    SecretBox m_secrets;
    RateLimiter m_limiter;
    SignupValidator m_validator;
    Events m_events;
    SessionCache m_sessionCache;
    LiveConfig m_live;
    std::unique_ptr<Context> m_context;
    // After m_context: its threads stop (answering what still waits) before the rest goes.
    std::unique_ptr<SessionReader> m_sessionReader;
    std::shared_ptr<OAuthProviderClient> m_oauthClient;
    std::shared_ptr<const ReverseDns> m_reverseDns;
    std::unique_ptr<ExternalChanges> m_externalChanges; // emits into m_events: after it
    // Last: destroyed (and so waited for) first, while what its jobs use still exists.
    AfterAnswer m_afterAnswer;
};

} // namespace sd::core
