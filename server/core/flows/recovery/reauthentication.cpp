#include "flows/recovery/reauthentication.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "flows/login/sessionservice.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {
QString loginKey(const Account &a)
{
    return u"login:"_s + a.username.trimmed().toLower();
}
} // namespace

Result<Account> checkCurrentPassword(const Context &ctx, const QString &userId,
                                     const QString &password, const RequestInfo &request,
                                     const QString &what)
{
    const Config &cfg = ctx.config;
    auto db = ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto found = accountstore::findById(*db, userId);
    if (!found)
        return dbFail(found.error());
    if (!*found)
        return fail(ErrorCode::Unauthorized, u"account gone"_s);
    const Account account = **found;
    const QString limitKey = loginKey(account);
    if (cfg.rateLimitEnabled) {
        if (int wait = ctx.limiter.blockedFor(limitKey, cfg.loginFailuresPerWindow,
                                              cfg.loginFailureWindowSeconds))
            return std::unexpected(
                Error{ErrorCode::RateLimited, u"too many failed logins"_s, {}, wait});
    }
    // A locked username is locked here too, right password or not, as at POST /api/v1/login:
    // a guesser holding a session gets no extra tries. The same hash either way (SEC-14).
    const bool lockout = cfg.rateLimitEnabled && cfg.lockoutEnabled;
    const bool locked = lockout && ctx.limiter.lockedFor(limitKey) > 0;
    const bool right = account.passwordHash.isEmpty()
                           ? ctx.hasher.verifyDummy(password)
                           : ctx.hasher.verify(password, account.passwordHash);
    if (right && !locked)
        return account;
    if (cfg.rateLimitEnabled)
        (void)ctx.limiter.hit(limitKey, cfg.loginFailuresPerWindow, cfg.loginFailureWindowSeconds);
    if (lockout && !locked) // attempts during a lock do not extend it
        (void)ctx.limiter.recordFailure(limitKey, SessionService::lockoutPolicy(cfg));
    if (auto r = auditlog::record(*db, ctx.clock.nowMs(), u"user:"_s + userId,
                                  locked ? u"login.locked_out"_s : u"login.failed"_s, userId,
                                  what + u" from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    return fail(ErrorCode::InvalidCredentials, u"wrong current password"_s);
}

void clearLoginFailures(const Context &ctx, const Account &account)
{
    if (ctx.config.rateLimitEnabled)
        ctx.limiter.reset(loginKey(account));
}

} // namespace sd::core
