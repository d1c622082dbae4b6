#pragma once

#include "accounts/account.h"
#include "config.h"
#include "ratelimiter.h"
#include "result.h"
#include "vocabulary.h"

#include <functional>

namespace sd::core {

struct Context; // context.h: private to core

struct LoginResult
{
    QString ust; // the raw session token: returned once, stored only as a digest
    // With the second factor on: no session yet, but this raw mfa_token (flows/mfa), and
    // expiresAtMs is the token's end.
    QString mfaToken;
    qint64 expiresAtMs = 0;
    Account account;

    bool mfaRequired() const { return !mfaToken.isEmpty(); }
};

struct SessionCheck
{
    Account account;
    QString tokenId;
    qint64 expiresAtMs = 0;
    bool needsTouch = false; // last use is over a minute old: record it (off the hot path)
};

// Password login, session tokens (absolute and idle expiry), logout.
// Every login attempt spends exactly one password hash, whatever the branch: unknown user,
// wrong password, correct password of a pending or disabled account, locked identifier.
// Failures are limited per submitted identifier (429 past ratelimit/login_failures) and lock
// it progressively (ratelimit/lockout_*: the generic 401 even for the right password).
class SessionService
{
public:
    explicit SessionService(const Context &ctx) : m_ctx(ctx) {}

    Result<LoginResult> login(const QString &identifier, const QString &password,
                              const RequestInfo &request);
    Result<void> logout(const QString &ust);
    // Read-only: safe on the HTTP thread. Unauthorized for unknown, expired or idle sessions.
    Result<SessionCheck> check(const QString &ust) const;
    // check() from memory alone: the answer when it needs no database (no token, or a session
    // in the cache), nullopt when only check() can tell. Never waits on the network: for the
    // server thread, before checkLater() or check() runs (issue 16).
    std::optional<Result<SessionCheck>> checkCached(const QString &ust) const;
    // check() that never waits on the network (issue 16): `done` gets the answer at once on
    // the calling thread when memory or a local file can tell (the cache; SQLite), else later
    // on a reader thread (PostgreSQL: SessionReader batches the checks that miss the cache).
    // False when too many checks wait already: `done` is then never called (answer busy).
    bool checkLater(const QString &ust, std::function<void(Result<SessionCheck>)> done) const;
    void touch(const QString &tokenId);
    // A session of a super-user, or Unauthorized / Forbidden.
    Result<Account> requireSuperuser(const QString &ust) const;
    // Inside an open transaction, after the first factor of any way in (password, email link,
    // OAuth): a session (startSession) or, when the account's second factor is on, the
    // challenge of MfaService (an mfa_token, no session). `limitKey`: the identifier's login
    // rate-limit key, also charged for wrong codes (empty: the username's).
    Result<LoginResult> admit(const QSqlDatabase &db, const Account &account,
                              const QString &auditDetail, const RequestInfo &request = {},
                              const QString &limitKey = {});
    // Inside an open transaction: a new session for an active account, with its audit entry
    // (action login.succeeded). Every way of logging in ends here (through admit, or
    // MfaService::completeLogin after the second factor).
    // The request's address and user agent are kept with the session for the user's list.
    Result<LoginResult> startSession(const QSqlDatabase &db, const Account &account,
                                     const QString &auditDetail, const RequestInfo &request = {});
    // Revokes every session of an account; returns how many.
    Result<int> revokeAll(const QString &userId);
    // The ratelimit/lockout_* settings (SEC-15).
    static RateLimiter::LockoutPolicy lockoutPolicy(const Config &cfg);

private:
    const Context &m_ctx;
};

} // namespace sd::core
