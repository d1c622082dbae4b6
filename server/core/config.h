#pragma once

#include "crypto/passwordhasher.h"
#include "result.h"

#include <QHash>
#include <QStringList>

namespace sd::core {

// One OAuth provider's client registration and endpoints ([oauth_github], [oauth_google]).
// Without a client id the provider is not configured and /oauth/init refuses it.
struct OAuthProviderSettings
{
    QString clientId;
    QString clientSecret; // never logged
    QString authorizeUrl;
    QString tokenUrl;
    QString userinfoUrl;
    QString emailsUrl; // GitHub only
    bool isConfigured() const { return !clientId.isEmpty(); }
};

// Every setting, with the defaults of API.md. Loaded from an INI file, overridden by
// SIGNUPDESK_<SECTION>_<KEY> environment variables, overridden by the command line.
// The keys of LiveSettings (livesettings.h) may change while running: flows read
// those through Context::live; the copies here are only their start-up values.
struct Config
{
    // [server]
    QString listen = QStringLiteral("127.0.0.1");
    int port = 8080;
    QString publicUrl; // empty: http://ADDR:PORT as actually bound
    int maxConnections = 10000;
    int maxConnectionsPerAddress = 512;
    QString tlsCert, tlsKey;
    int threads = 0;       // HTTP server threads; 0: the number of cores
    int workers = 0;       // 0: the number of cores (at least 2)
    int maxInflight = 256; // jobs queued or running on the worker pool; over it: 503 busy
    int maxBodyBytes = 64 * 1024;
    int maxHeaderBytes = 16 * 1024; // request line + header fields; over it: 431
    int headerTimeoutSeconds = 10;  // to send a request's header block (and again its body)
    int idleTimeoutSeconds = 15;    // keep-alive idle between an answer and the next request
    QStringList trustedProxies;     // addresses or subnets whose X-Forwarded-For is believed
    // [database]
    QString databaseUrl; // empty: sqlite:<dataDir>/signupdesk.db
    // [mail]
    QString mailTransport = QStringLiteral("file");
    QString mailFolder; // empty: <dataDir>/mail
    QString smtpUrl;
    QString smtpCaFile; // PEM certificates to trust for the SMTP server instead of the system's
    QString mailFrom = QStringLiteral("SignupDesk <noreply@localhost>");
    bool mailWelcome = true;
    bool mailRejection = true;
    int mailMaxAttempts = 8;
    int mailRetrySeconds = 30;
    // [signup]
    bool signupEnabled = true;
    bool approvalRequired = true;
    bool returnConfirmToken = false;
    QStringList apps = {QStringLiteral("default")};
    QString defaultGroup = QStringLiteral("users");
    QStringList reservedUsernames; // empty: the shipped list
    // [verification]
    QString verificationStyle = QStringLiteral("token"); // token | signed
    QString verificationUrl;                             // empty: the embedded page
    qint64 verificationTtlSeconds = 172800;
    // [login_link], [session]
    qint64 loginLinkTtlSeconds = 900;
    // recovery/ttl_seconds: password reset and email change tokens.
    qint64 recoveryTtlSeconds = 3600;
    qint64 sessionTtlSeconds = 43200;
    qint64 sessionIdleSeconds = 1800;
    qint64 sessionCacheMs = 1000; // how long a session check may be answered from memory; 0: never
    // How often the live settings are re-read from the database (not a file key). With
    // PostgreSQL a change reaches the other instances at once over NOTIFY and this is only a
    // safety net; SQLite has no NOTIFY, so a command-line change is seen at the next read.
    qint64 settingsPollMsSqlite = 1000;
    qint64 settingsPollMsPostgres = 30'000;
    // [invite]
    qint64 inviteTtlSeconds = 604800;
    // [ratelimit]
    bool rateLimitEnabled = true;
    int loginFailuresPerWindow = 10;
    qint64 loginFailureWindowSeconds = 900;
    int requestsPerAddressPerMinute = 60;
    // Mails to one (normalized) address, resend and email-link alike, whether or not it exists.
    int resendCooldownSeconds = 60; // 0: no cooldown
    int resendPerHour = 5;
    // Failed verification submissions (wrong token, code or signature), per email and per address.
    int verifyFailuresPerWindow = 10;
    qint64 verifyFailureWindowSeconds = 900;
    // Keycloak-like progressive lockout per submitted login identifier (SEC-15).
    bool lockoutEnabled = true;
    int lockoutFailures = 30;
    int lockoutWaitIncrementSeconds = 60;
    int lockoutMaxWaitSeconds = 900;
    qint64 lockoutResetSeconds = 43200;
    int quickLoginCheckMs = 1000;
    int quickLoginMinWaitSeconds = 60;
    // [tos], [redirect], [admin]
    QString tosVersion;
    QStringList allowedRedirectHosts;
    bool adminApiEnabled = false;
    // [oauth], [oauth_github], [oauth_google]
    QString oauthFrontendUrl; // empty: {public_url}/oauth/done
    int oauthTimeoutSeconds = 10;
    OAuthProviderSettings oauthGithub{{},
                                      {},
                                      QStringLiteral("https://github.com/login/oauth/authorize"),
                                      QStringLiteral("https://github.com/login/oauth/access_token"),
                                      QStringLiteral("https://api.github.com/user"),
                                      QStringLiteral("https://api.github.com/user/emails")};
    OAuthProviderSettings oauthGoogle{
        {},
        {},
        QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth"),
        QStringLiteral("https://oauth2.googleapis.com/token"),
        QStringLiteral("https://openidconnect.googleapis.com/v1/userinfo"),
        {}};
    // [log], [metrics], [webhooks] (API.md "Operations" and "Webhooks")
    QString logFormat = QStringLiteral("text"); // text | json
    QStringList metricsAllowedAddresses = {QStringLiteral("127.0.0.0/8"), QStringLiteral("::1")};
    QStringList webhookUrls;
    QString webhookSecret;     // whsec_<base64>; required when webhookUrls is set; never logged
    QStringList webhookEvents; // empty: every type
    int webhookMaxAttempts = 8;
    int webhookRetrySeconds = 30;
    int webhookTimeoutSeconds = 10;
    // [password]
    Argon2Params password;
    // [mfa]
    QString mfaIssuer = QStringLiteral("SignupDesk"); // the issuer in otpauth:// URIs
    // [security]
    QString secret; // HMAC key for tokens; empty: generated once and kept in the database

    QString dataDir; // where the defaults put the database and the mail folder

    // Languages that ship.
    static QStringList languages()
    {
        return {QStringLiteral("en"), QStringLiteral("fr"), QStringLiteral("de")};
    }
};

struct ConfigSources
{
    QString iniPath;                     // may be empty
    QHash<QString, QString> environment; // usually the process environment
    QHash<QString, QString> overrides;   // "section/key" → value, from the command line
    QString defaultDataDir;
};

// Reads every key; a value that does not parse is an error naming the key.
Result<Config> loadConfig(const ConfigSources &sources);

// The keys loadConfig knows, "section/key".
QStringList knownConfigKeys();

} // namespace sd::core
