#pragma once

#include "accounts/account.h"
#include "context.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

// SEC-10: a cooldown and an hourly cap per normalized address on mails a client can trigger
// (resend, email-link), keyed on what was submitted whether or not it exists. `bucket` keeps
// the kinds apart. RateLimited with Retry-After when over.
inline Result<void> limitMailsTo(const Context &ctx, const QString &bucket, const QString &email)
{
    const Config &cfg = ctx.config;
    if (!cfg.rateLimitEnabled)
        return {};
    const QString key = emailKey(email);
    QList<RateLimiter::Bucket> buckets{{bucket + QStringLiteral(":hour:") + key, cfg.resendPerHour, 3600}};
    if (cfg.resendCooldownSeconds > 0)
        buckets.append({bucket + QStringLiteral(":cooldown:") + key, 1, cfg.resendCooldownSeconds});
    if (int wait = ctx.limiter.hitAll(buckets))
        return std::unexpected(Error{ErrorCode::RateLimited, bucket + QStringLiteral(" limit for this address"), {}, wait});
    return {};
}

} // namespace sd::core
