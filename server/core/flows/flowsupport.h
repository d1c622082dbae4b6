#pragma once

#include "accounts/account.h"
#include "context.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

// SEC-10, issue 18 item 4: one budget per recipient address (normalized) for every mail a
// stranger can trigger: a new signup's verification mail, the "already registered" notice,
// resend, email-link (and recovery, when it comes). All of them share the hourly cap
// (ratelimit/resend_per_hour); each `kind` ("signup", "resend", "email-link", …) has its own
// cooldown (ratelimit/resend_cooldown_seconds), so that a resend right after a signup still
// replaces the signup's token (API.md) while thirty signups in a row mail once. Keyed on what
// was submitted whether or not it exists, and never on the client's address, so rotating
// addresses does not help; a known and a new address spend it alike. Returns 0 and counts one
// mail when the budget allows it, else the seconds until it does.
inline int spendMailBudget(const Context &ctx, const QString &kind, const QString &email)
{
    const Config &cfg = ctx.config;
    if (!cfg.rateLimitEnabled)
        return 0;
    const QString key = emailKey(email);
    QList<RateLimiter::Bucket> buckets{
        {QStringLiteral("mail-to:hour:") + key, cfg.resendPerHour, 3600}};
    if (cfg.resendCooldownSeconds > 0)
        buckets.append({QStringLiteral("mail-to:") + kind + QStringLiteral(":cooldown:") + key, 1,
                        cfg.resendCooldownSeconds});
    return ctx.limiter.hitAll(buckets);
}

// For requests that only send mail (resend, email-link): RateLimited with Retry-After when
// the address's budget is spent, the same for known and unknown addresses.
inline Result<void> limitMailsTo(const Context &ctx, const QString &kind, const QString &email)
{
    if (int wait = spendMailBudget(ctx, kind, email))
        return std::unexpected(Error{
            ErrorCode::RateLimited, kind + QStringLiteral(" limit for this address"), {}, wait});
    return {};
}

} // namespace sd::core
