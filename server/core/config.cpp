#include "config.h"

#include "webhooks/webhooks.h"

#include "settings/settingsrules.h"

#include <QDir>
#include <QSettings>
#include <QUrl>

#include <functional>

#include <arpa/inet.h>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// A server/trusted_proxies entry: an address, or a subnet in the forms the HTTP adapter parses
// it in (QHostAddress::parseSubnet): "10.0.0.0/8", "10.0.0.0/255.0.0.0", "10.0/16", "10.",
// "fd00::/8". Core links no network module, hence the system parser here.
bool isAddressOrSubnet(const QString &entry)
{
    const qsizetype slash = entry.indexOf(u'/');
    const QString address = slash < 0 ? entry : entry.left(slash);
    const QString suffix = slash < 0 ? QString() : entry.mid(slash + 1);
    const auto prefixUpTo = [&](int bits) {
        bool ok = false;
        const int n = suffix.toInt(&ok);
        return ok && n >= 0 && n <= bits;
    };
    if (address.contains(u':')) {
        in6_addr a6{};
        if (inet_pton(AF_INET6, address.toLatin1().constData(), &a6) != 1)
            return false;
        return slash < 0 || prefixUpTo(128);
    }
    QStringList octets = address.split(u'.');
    if (octets.size() > 1 && octets.last().isEmpty())
        octets.removeLast(); // "10.0." is 10.0.0.0/16
    if (octets.isEmpty() || octets.size() > 4)
        return false;
    for (const QString &octet : std::as_const(octets)) {
        bool ok = false;
        const uint value = octet.toUInt(&ok);
        if (!ok || value > 255 || octet.isEmpty() || !octet.front().isDigit())
            return false;
    }
    if (slash < 0)
        return true;
    if (!suffix.contains(u'.'))
        return prefixUpTo(32);
    in_addr mask{}; // a netmask: ones, then zeros
    if (inet_pton(AF_INET, suffix.toLatin1().constData(), &mask) != 1)
        return false;
    const quint32 inverted = ~ntohl(mask.s_addr);
    return (inverted & (inverted + 1)) == 0;
}

struct Reader
{
    const ConfigSources &sources;
    std::unique_ptr<QSettings> ini;
    QStringList errors;

    std::optional<QString> raw(const QString &key) const
    {
        if (auto it = sources.overrides.find(key); it != sources.overrides.end())
            return *it;
        QString envName = u"SIGNUPDESK_"_s + key.toUpper();
        envName.replace(u'/', u'_');
        if (auto it = sources.environment.find(envName); it != sources.environment.end())
            return *it;
        if (ini && ini->contains(key))
            return ini->value(key).toStringList().join(u',');
        return std::nullopt;
    }

    void text(const QString &key, QString &out)
    {
        if (auto v = raw(key))
            out = v->trimmed();
    }
    void list(const QString &key, QStringList &out)
    {
        if (auto v = raw(key)) {
            out.clear();
            for (const QString &part : v->split(u',', Qt::SkipEmptyParts))
                if (!part.trimmed().isEmpty())
                    out.append(part.trimmed());
        }
    }
    void flag(const QString &key, bool &out)
    {
        if (auto v = raw(key)) {
            const QString s = v->trimmed().toLower();
            if (s == u"true"_s || s == u"1"_s || s == u"yes"_s || s == u"on"_s)
                out = true;
            else if (s == u"false"_s || s == u"0"_s || s == u"no"_s || s == u"off"_s)
                out = false;
            else
                errors << u"%1: expected true or false, got \"%2\""_s.arg(key, *v);
        }
    }
    template <typename Int> void number(const QString &key, Int &out, qint64 min, qint64 max)
    {
        if (auto v = raw(key)) {
            bool ok = false;
            const qint64 n = v->trimmed().toLongLong(&ok);
            if (!ok || n < min || n > max)
                errors << u"%1: expected a whole number from %2 to %3, got \"%4\""_s.arg(key)
                              .arg(min)
                              .arg(max)
                              .arg(*v);
            else
                out = Int(n);
        }
    }
};

} // namespace

QStringList knownConfigKeys()
{
    return {u"server/listen"_s,
            u"server/port"_s,
            u"server/public_url"_s,
            u"server/max_connections"_s,
            u"server/max_connections_per_address"_s,
            u"server/tls_cert"_s,
            u"server/tls_key"_s,
            u"server/threads"_s,
            u"server/workers"_s,
            u"server/max_inflight"_s,
            u"server/max_body_bytes"_s,
            u"server/max_header_bytes"_s,
            u"server/header_timeout_seconds"_s,
            u"server/idle_timeout_seconds"_s,
            u"database/url"_s,
            u"mail/transport"_s,
            u"mail/folder"_s,
            u"mail/smtp_url"_s,
            u"mail/smtp_ca_file"_s,
            u"mail/from"_s,
            u"mail/welcome"_s,
            u"mail/rejection"_s,
            u"mail/max_attempts"_s,
            u"mail/retry_seconds"_s,
            u"signup/enabled"_s,
            u"signup/approval_required"_s,
            u"signup/return_confirm_token"_s,
            u"signup/apps"_s,
            u"signup/default_group"_s,
            u"signup/reserved_usernames"_s,
            u"verification/style"_s,
            u"verification/url"_s,
            u"verification/ttl_seconds"_s,
            u"login_link/ttl_seconds"_s,
            u"recovery/ttl_seconds"_s,
            u"session/ttl_seconds"_s,
            u"session/idle_seconds"_s,
            u"session/cache_ms"_s,
            u"invite/ttl_seconds"_s,
            u"ratelimit/enabled"_s,
            u"ratelimit/login_failures"_s,
            u"ratelimit/login_window_seconds"_s,
            u"ratelimit/requests_per_minute"_s,
            u"ratelimit/resend_cooldown_seconds"_s,
            u"ratelimit/resend_per_hour"_s,
            u"ratelimit/verify_failures"_s,
            u"ratelimit/verify_window_seconds"_s,
            u"ratelimit/lockout_enabled"_s,
            u"ratelimit/lockout_failures"_s,
            u"ratelimit/lockout_wait_increment_seconds"_s,
            u"ratelimit/lockout_max_wait_seconds"_s,
            u"ratelimit/lockout_reset_seconds"_s,
            u"ratelimit/quick_login_check_ms"_s,
            u"ratelimit/quick_login_min_wait_seconds"_s,
            u"server/trusted_proxies"_s,
            u"tos/version"_s,
            u"redirect/allowed_hosts"_s,
            u"admin/api_enabled"_s,
            u"password/memory_kib"_s,
            u"password/iterations"_s,
            u"password/parallelism"_s,
            u"security/secret"_s,
            u"mfa/issuer"_s,
            u"oauth/frontend_url"_s,
            u"oauth/timeout_seconds"_s,
            u"oauth_github/client_id"_s,
            u"oauth_github/client_secret"_s,
            u"oauth_github/authorize_url"_s,
            u"oauth_github/token_url"_s,
            u"oauth_github/userinfo_url"_s,
            u"oauth_github/emails_url"_s,
            u"oauth_google/client_id"_s,
            u"oauth_google/client_secret"_s,
            u"oauth_google/authorize_url"_s,
            u"oauth_google/token_url"_s,
            u"oauth_google/userinfo_url"_s,
            u"log/format"_s,
            u"metrics/allowed_addresses"_s,
            u"webhooks/urls"_s,
            u"webhooks/secret"_s,
            u"webhooks/events"_s,
            u"webhooks/max_attempts"_s,
            u"webhooks/retry_seconds"_s,
            u"webhooks/timeout_seconds"_s};
}

Result<Config> loadConfig(const ConfigSources &sources)
{
    Reader r{sources, nullptr, {}};
    if (!sources.iniPath.isEmpty()) {
        if (!QFileInfo::exists(sources.iniPath))
            return fail(ErrorCode::Validation, u"config file not found: "_s + sources.iniPath);
        r.ini = std::make_unique<QSettings>(sources.iniPath, QSettings::IniFormat);
        if (r.ini->status() != QSettings::NoError)
            return fail(ErrorCode::Validation, u"config file cannot be read: "_s + sources.iniPath);
    }
    Config c;
    c.dataDir = sources.defaultDataDir;
    constexpr qint64 maxSeconds = 10LL * 365 * 24 * 3600;
    r.text(u"server/listen"_s, c.listen);
    r.number(u"server/port"_s, c.port, 0, 65535);
    r.text(u"server/public_url"_s, c.publicUrl);
    r.number(u"server/max_connections"_s, c.maxConnections, 1, 1'000'000);
    r.number(u"server/max_connections_per_address"_s, c.maxConnectionsPerAddress, 1, 1'000'000);
    r.text(u"server/tls_cert"_s, c.tlsCert);
    r.text(u"server/tls_key"_s, c.tlsKey);
    r.number(u"server/threads"_s, c.threads, 0, 256);
    r.number(u"server/workers"_s, c.workers, 0, 256);
    r.number(u"server/max_inflight"_s, c.maxInflight, 1, 100'000);
    r.number(u"server/max_body_bytes"_s, c.maxBodyBytes, 1024, 64 * 1024 * 1024);
    r.number(u"server/max_header_bytes"_s, c.maxHeaderBytes, 1024, 1024 * 1024);
    r.number(u"server/header_timeout_seconds"_s, c.headerTimeoutSeconds, 1, 3600);
    r.number(u"server/idle_timeout_seconds"_s, c.idleTimeoutSeconds, 1, 3600);
    r.text(u"database/url"_s, c.databaseUrl);
    r.text(u"mail/transport"_s, c.mailTransport);
    r.text(u"mail/folder"_s, c.mailFolder);
    r.text(u"mail/smtp_url"_s, c.smtpUrl);
    r.text(u"mail/smtp_ca_file"_s, c.smtpCaFile);
    r.text(u"mail/from"_s, c.mailFrom);
    r.flag(u"mail/welcome"_s, c.mailWelcome);
    r.flag(u"mail/rejection"_s, c.mailRejection);
    r.number(u"mail/max_attempts"_s, c.mailMaxAttempts, 1, 1000);
    r.number(u"mail/retry_seconds"_s, c.mailRetrySeconds, 1, 86400);
    r.flag(u"signup/enabled"_s, c.signupEnabled);
    r.flag(u"signup/approval_required"_s, c.approvalRequired);
    r.flag(u"signup/return_confirm_token"_s, c.returnConfirmToken);
    r.list(u"signup/apps"_s, c.apps);
    r.text(u"signup/default_group"_s, c.defaultGroup);
    r.list(u"signup/reserved_usernames"_s, c.reservedUsernames);
    r.text(u"verification/style"_s, c.verificationStyle);
    r.text(u"verification/url"_s, c.verificationUrl);
    r.number(u"verification/ttl_seconds"_s, c.verificationTtlSeconds, 1, maxSeconds);
    r.number(u"login_link/ttl_seconds"_s, c.loginLinkTtlSeconds, 1, maxSeconds);
    r.number(u"recovery/ttl_seconds"_s, c.recoveryTtlSeconds, 1, maxSeconds);
    r.number(u"session/ttl_seconds"_s, c.sessionTtlSeconds, 1, maxSeconds);
    r.number(u"session/idle_seconds"_s, c.sessionIdleSeconds, 1, maxSeconds);
    r.number(u"session/cache_ms"_s, c.sessionCacheMs, 0, 60'000);
    r.number(u"invite/ttl_seconds"_s, c.inviteTtlSeconds, 1, maxSeconds);
    r.flag(u"ratelimit/enabled"_s, c.rateLimitEnabled);
    r.number(u"ratelimit/login_failures"_s, c.loginFailuresPerWindow, 1, 1'000'000);
    r.number(u"ratelimit/login_window_seconds"_s, c.loginFailureWindowSeconds, 1, maxSeconds);
    r.number(u"ratelimit/requests_per_minute"_s, c.requestsPerAddressPerMinute, 1, 1'000'000);
    r.number(u"ratelimit/resend_cooldown_seconds"_s, c.resendCooldownSeconds, 0, 86400);
    r.number(u"ratelimit/resend_per_hour"_s, c.resendPerHour, 1, 1'000'000);
    r.number(u"ratelimit/verify_failures"_s, c.verifyFailuresPerWindow, 1, 1'000'000);
    r.number(u"ratelimit/verify_window_seconds"_s, c.verifyFailureWindowSeconds, 1, maxSeconds);
    r.flag(u"ratelimit/lockout_enabled"_s, c.lockoutEnabled);
    r.number(u"ratelimit/lockout_failures"_s, c.lockoutFailures, 1, 1'000'000);
    r.number(u"ratelimit/lockout_wait_increment_seconds"_s, c.lockoutWaitIncrementSeconds, 1,
             86400);
    r.number(u"ratelimit/lockout_max_wait_seconds"_s, c.lockoutMaxWaitSeconds, 1, 86400);
    r.number(u"ratelimit/lockout_reset_seconds"_s, c.lockoutResetSeconds, 1, maxSeconds);
    r.number(u"ratelimit/quick_login_check_ms"_s, c.quickLoginCheckMs, 0, 3'600'000);
    r.number(u"ratelimit/quick_login_min_wait_seconds"_s, c.quickLoginMinWaitSeconds, 0, 86400);
    r.list(u"server/trusted_proxies"_s, c.trustedProxies);
    r.text(u"tos/version"_s, c.tosVersion);
    r.list(u"redirect/allowed_hosts"_s, c.allowedRedirectHosts);
    r.flag(u"admin/api_enabled"_s, c.adminApiEnabled);
    r.number(u"password/memory_kib"_s, c.password.memoryKib, 8, 4 * 1024 * 1024);
    r.number(u"password/iterations"_s, c.password.iterations, 1, 100);
    r.number(u"password/parallelism"_s, c.password.parallelism, 1, 64);
    r.text(u"security/secret"_s, c.secret);
    r.text(u"mfa/issuer"_s, c.mfaIssuer);
    r.text(u"oauth/frontend_url"_s, c.oauthFrontendUrl);
    r.number(u"oauth/timeout_seconds"_s, c.oauthTimeoutSeconds, 1, 300);
    for (auto [section, settings] : {std::pair{u"oauth_github/"_s, &c.oauthGithub},
                                     std::pair{u"oauth_google/"_s, &c.oauthGoogle}}) {
        r.text(section + u"client_id"_s, settings->clientId);
        r.text(section + u"client_secret"_s, settings->clientSecret);
        r.text(section + u"authorize_url"_s, settings->authorizeUrl);
        r.text(section + u"token_url"_s, settings->tokenUrl);
        r.text(section + u"userinfo_url"_s, settings->userinfoUrl);
    }
    r.text(u"oauth_github/emails_url"_s, c.oauthGithub.emailsUrl);
    r.text(u"log/format"_s, c.logFormat);
    r.list(u"metrics/allowed_addresses"_s, c.metricsAllowedAddresses);
    r.list(u"webhooks/urls"_s, c.webhookUrls);
    r.text(u"webhooks/secret"_s, c.webhookSecret);
    r.list(u"webhooks/events"_s, c.webhookEvents);
    r.number(u"webhooks/max_attempts"_s, c.webhookMaxAttempts, 1, 100);
    r.number(u"webhooks/retry_seconds"_s, c.webhookRetrySeconds, 1, 86400);
    r.number(u"webhooks/timeout_seconds"_s, c.webhookTimeoutSeconds, 1, 300);

    if (c.verificationStyle != u"token"_s && c.verificationStyle != u"signed"_s)
        r.errors << u"verification/style: expected token or signed"_s;
    if (c.mailTransport != u"file"_s && c.mailTransport != u"smtp"_s)
        r.errors << u"mail/transport: expected file or smtp"_s;
    // Start-up refuses webhooks it could not sign or send (API.md "Webhooks").
    if (!c.webhookUrls.isEmpty())
        if (auto key = webhookKey(c.webhookSecret); !key)
            r.errors << key.error().detail;
    for (const QString &url : std::as_const(c.webhookUrls)) {
        const QUrl parsed(url, QUrl::StrictMode);
        if (!parsed.isValid() || parsed.host().isEmpty() ||
            (parsed.scheme() != u"https"_s && parsed.scheme() != u"http"_s))
            r.errors << u"webhooks/urls: not an http(s) URL: \"%1\""_s.arg(url);
    }
    for (const QString &type : std::as_const(c.webhookEvents))
        if (!webhookEventTypes().contains(type))
            r.errors << u"webhooks/events: unknown event type \"%1\""_s.arg(type);
    if (c.logFormat != u"text"_s && c.logFormat != u"json"_s)
        r.errors << u"log/format: expected text or json"_s;
    for (const QString &address : std::as_const(c.metricsAllowedAddresses))
        if (!isAddressOrSubnet(address))
            r.errors << u"metrics/allowed_addresses: not an address or subnet: \"%1\""_s.arg(
                address);
    // The rules of the settings a console edits too (settingsrules: one place for both).
    for (const SettingIssue &issue : settingsrules::check(c))
        r.errors << issue.message();
    for (const QString &url :
         {c.oauthFrontendUrl, c.oauthGithub.authorizeUrl, c.oauthGithub.tokenUrl,
          c.oauthGithub.userinfoUrl, c.oauthGithub.emailsUrl, c.oauthGoogle.authorizeUrl,
          c.oauthGoogle.tokenUrl, c.oauthGoogle.userinfoUrl}) {
        const QUrl parsed(url, QUrl::StrictMode);
        if (!url.isEmpty() &&
            (!parsed.isValid() || (parsed.scheme() != u"https"_s && parsed.scheme() != u"http"_s)))
            r.errors << u"oauth: not an http(s) URL: \"%1\""_s.arg(url);
    }
    for (const QString &proxy : std::as_const(c.trustedProxies)) {
        // An address ("10.0.0.1") or a subnet ("10.0.0.0/8", "fd00::/8").
        if (!isAddressOrSubnet(proxy))
            r.errors << u"server/trusted_proxies: not an address or subnet: \"%1\""_s.arg(proxy);
    }
    if (c.password.memoryKib < 8 * c.password.parallelism)
        r.errors << u"password/memory_kib: at least 8 KiB per lane"_s;
    if (!r.errors.isEmpty())
        return fail(ErrorCode::Validation, r.errors.join(u"; "_s));

    if (c.databaseUrl.isEmpty())
        c.databaseUrl = u"sqlite:"_s + QDir(c.dataDir).filePath(u"signupdesk.db"_s);
    if (c.mailFolder.isEmpty())
        c.mailFolder = QDir(c.dataDir).filePath(u"mail"_s);
    return c;
}

} // namespace sd::core
