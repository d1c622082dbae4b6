#include "flows/login/sessionservice.h"

#include "flows/login/sessionreader.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "flows/mfa/mfaservice.h"
#include "sqlquery.h"

#include "transaction.h"
#include <QSqlError>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {
constexpr qint64 kTouchIntervalMs = 60'000;

// RateLimited when the identifier's failed logins reached ratelimit/login_failures.
std::optional<Error> loginBlocked(const Context &ctx, const QString &limitKey)
{
    const Config &cfg = ctx.config;
    if (!cfg.rateLimitEnabled)
        return std::nullopt;
    if (int wait = ctx.limiter.blockedFor(limitKey, cfg.loginFailuresPerWindow,
                                          cfg.loginFailureWindowSeconds))
        return Error{
            ErrorCode::RateLimited, u"too many failed logins for this identifier"_s, {}, wait};
    return std::nullopt;
}
} // namespace

RateLimiter::LockoutPolicy SessionService::lockoutPolicy(const Config &cfg)
{
    return {cfg.lockoutFailures,     cfg.lockoutWaitIncrementSeconds, cfg.lockoutMaxWaitSeconds,
            cfg.lockoutResetSeconds, cfg.quickLoginCheckMs,           cfg.quickLoginMinWaitSeconds};
}

Result<LoginResult> SessionService::login(const QString &identifier, const QString &password,
                                          const RequestInfo &request)
{
    const Config &cfg = m_ctx.config;
    // Keyed on what was submitted, whether or not such an account exists.
    const QString limitKey = u"login:"_s + identifier.trimmed().toLower();
    if (auto blocked = loginBlocked(m_ctx, limitKey))
        return std::unexpected(*blocked);
    const bool lockout = cfg.rateLimitEnabled && cfg.lockoutEnabled;
    const bool locked = lockout && m_ctx.limiter.lockedFor(limitKey) > 0;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto found = accountstore::findByLogin(*db, identifier.trimmed());
    if (!found)
        return dbFail(found.error());

    // The same hash whether or not the identifier is locked (SEC-14): a locked attempt must
    // not answer faster, or the timing would tell which guesses were never checked.
    const bool passwordOk = (*found && !(*found)->passwordHash.isEmpty())
                                ? m_ctx.hasher.verify(password, (*found)->passwordHash)
                                : m_ctx.hasher.verifyDummy(password);
    const qint64 now = m_ctx.clock.nowMs();
    // Issue 18 item 1: an address is a login identifier only once it is verified. Otherwise a
    // stranger who signed up with someone's address could log in with it and the password he
    // chose: not_verified if the address was new, invalid_credentials if it had an account
    // (its placeholder is not found by address). Counted and answered like a wrong password.
    const bool unprovenAddress = *found && identifier.contains(u'@') &&
                                 (*found)->status == AccountStatus::PendingVerification;
    if (!passwordOk || locked || unprovenAddress) {
        if (cfg.rateLimitEnabled)
            (void)m_ctx.limiter.hit(limitKey, cfg.loginFailuresPerWindow,
                                    cfg.loginFailureWindowSeconds);
        const QString subject = *found ? (*found)->id : QString();
        // An audit entry that cannot be written fails the request: the database is unavailable.
        if (locked) {
            // Not counted as a failure: attempts during a lock do not extend it.
            if (auto r = auditlog::record(*db, now, u"system"_s, u"login.locked_out"_s, subject,
                                          u"from "_s + request.remoteIp);
                !r)
                return dbFail(r.error());
        } else {
            int lockSeconds = 0;
            if (lockout)
                lockSeconds = m_ctx.limiter.recordFailure(limitKey, lockoutPolicy(cfg));
            if (auto r = auditlog::record(*db, now, u"system"_s, u"login.failed"_s, subject,
                                          u"from "_s + request.remoteIp);
                !r)
                return dbFail(r.error());
            if (lockSeconds > 0) {
                if (auto r = auditlog::record(*db, now, u"system"_s, u"login.lockout"_s, subject,
                                              u"%1 s after %2 failures"_s.arg(lockSeconds)
                                                  .arg(m_ctx.limiter.failureCount(limitKey)));
                    !r)
                    return dbFail(r.error());
            }
        }
        return fail(ErrorCode::InvalidCredentials, u"unknown identifier or wrong password"_s);
    }
    Account account = **found;
    switch (account.status) {
    case AccountStatus::PendingVerification:
        return fail(ErrorCode::NotVerified, account.id);
    case AccountStatus::PendingApproval:
        return fail(ErrorCode::PendingApproval, account.id);
    case AccountStatus::Disabled:
        return fail(ErrorCode::AccountDisabled, account.id);
    case AccountStatus::Active:
        break;
    }

    // The configured cost rose since this hash was made: upgrade it now that we know the
    // password (hashed before the transaction, so no write lock is held while hashing).
    const bool rehash = m_ctx.hasher.needsRehash(account.passwordHash);
    if (rehash)
        account.passwordHash = m_ctx.hasher.hash(password);
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    if (rehash) {
        if (auto r = accountstore::setPasswordHash(tx->db(), account.id, account.passwordHash); !r)
            return dbFail(r.error());
    }
    auto result = admit(tx->db(), account, u"from "_s + request.remoteIp, request, limitKey);
    if (!result)
        return result;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    // The password alone proves nothing yet with a second factor on: its failures (and those
    // of the codes to come) keep counting until the code is right (SEC-45).
    if (result->mfaRequired())
        return result;
    if (cfg.rateLimitEnabled) {
        m_ctx.limiter.reset(limitKey);
        m_ctx.limiter.clearFailures(limitKey);
    }
    emit m_ctx.events.userLoggedIn(account.id);
    return result;
}

Result<LoginResult> SessionService::admit(const QSqlDatabase &db, const Account &account,
                                          const QString &auditDetail, const RequestInfo &request,
                                          const QString &limitKey)
{
    if (account.mfaEnabled)
        return MfaService(m_ctx).challenge(db, account, limitKey, auditDetail);
    return startSession(db, account, auditDetail, request);
}

Result<LoginResult> SessionService::startSession(const QSqlDatabase &db, const Account &account,
                                                 const QString &auditDetail,
                                                 const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    LoginResult result;
    result.ust = crypto::newToken();
    result.expiresAtMs = now + m_ctx.live.current()->sessionTtlSeconds * 1000;
    result.account = account;
    TokenRow row;
    row.id = crypto::newId(u"ses_");
    row.userId = account.id;
    row.kind = toString(TokenKind::Session);
    row.createdAt = now;
    row.expiresAt = result.expiresAtMs;
    row.lastUsedAt = now;
    row.ip = request.remoteIp;
    row.userAgent = request.userAgent;
    if (auto r = tokenstore::insert(db, row, m_ctx.digest.digest(result.ust)); !r)
        return dbFail(r.error());
    if (auto r = accountstore::recordLogin(db, account.id, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(db, now, u"user:"_s + account.id, u"login.succeeded"_s,
                                  account.id, auditDetail);
        !r)
        return dbFail(r.error());
    return result;
}

namespace {
// A session check's answer from what is known of the session (cached or just read).
Result<SessionCheck> answerFor(const Context &ctx, const QString &digest,
                               const SessionCache::Entry &e, qint64 now)
{
    const qint64 idleMs = ctx.live.current()->sessionIdleSeconds * 1000;
    if (e.expiresAtMs <= now || e.lastUsedAtMs + idleMs <= now)
        return fail(ErrorCode::Unauthorized, u"expired or idle session"_s);
    const bool needsTouch = now - e.lastUsedAtMs >= kTouchIntervalMs;
    if (needsTouch)
        ctx.sessionCache.markUsed(digest, now); // the caller records the use in the database
    return SessionCheck{e.account, e.tokenId, e.expiresAtMs, needsTouch};
}
} // namespace

std::optional<Result<SessionCheck>> SessionService::checkCached(const QString &ust) const
{
    if (ust.isEmpty())
        return fail(ErrorCode::Unauthorized, u"no session token"_s);
    const qint64 now = m_ctx.clock.nowMs();
    const QString digest = m_ctx.digest.digest(ust);
    if (auto hit = m_ctx.sessionCache.find(digest, now))
        return answerFor(m_ctx, digest, *hit, now);
    return std::nullopt;
}

namespace {
// A session check's answer from the session's row as just read (nullopt: no such session),
// kept in the cache when it admits.
Result<SessionCheck> answerFromRecord(const Context &ctx, const QString &digest,
                                      const std::optional<SessionRecord> &record, qint64 now)
{
    if (!record)
        return fail(ErrorCode::Unauthorized, u"unknown session"_s);
    if (record->revoked)
        return fail(ErrorCode::Unauthorized, u"revoked session"_s);
    if (record->account.status != AccountStatus::Active)
        return fail(ErrorCode::Unauthorized, u"account not active"_s);
    SessionCache::Entry entry{record->account, record->tokenId, record->expiresAtMs,
                              record->lastUsedAtMs, now};
    ctx.sessionCache.store(digest, entry);
    return answerFor(ctx, digest, entry, now);
}
} // namespace

Result<SessionCheck> SessionService::check(const QString &ust) const
{
    if (ust.isEmpty())
        return fail(ErrorCode::Unauthorized, u"no session token"_s);
    const qint64 now = m_ctx.clock.nowMs();
    const QString digest = m_ctx.digest.digest(ust);
    if (auto hit = m_ctx.sessionCache.find(digest, now))
        return answerFor(m_ctx, digest, *hit, now);

    // The database: one prepared JOIN on the calling thread's own connection, no writes.
    static const QString sql = u"SELECT "_s + SessionRecord::columns() +
                               u" FROM tokens t JOIN users u ON u.id = t.user_id"
                               " WHERE t.token_hash = ? AND t.kind = 'session'"_s;
    auto query = m_ctx.database.runPrepared(sql, {digest});
    if (!query)
        return dbFail(query.error());
    QSqlQuery &q = **query;
    std::optional<SessionRecord> record;
    if (q.next())
        record = SessionRecord::read(q, 0);
    q.finish(); // ends SQLite's read snapshot at once
    return answerFromRecord(m_ctx, digest, record, now);
}

bool SessionService::checkLater(const QString &ust,
                                std::function<void(Result<SessionCheck>)> done) const
{
    if (ust.isEmpty() || !m_ctx.sessionReader) { // SQLite: a local file answers at once
        done(check(ust));
        return true;
    }
    const Context &ctx = m_ctx;
    const qint64 now = ctx.clock.nowMs();
    QString digest = ctx.digest.digest(ust);
    if (auto hit = ctx.sessionCache.find(digest, now)) {
        done(answerFor(ctx, digest, *hit, now));
        return true;
    }
    return ctx.sessionReader->submit(
        digest, [&ctx, digest, done = std::move(done)](const SessionReader::Answer &read) {
            if (!read)
                return done(dbFail(read.error()));
            done(answerFromRecord(ctx, digest, *read, ctx.clock.nowMs()));
        });
}

void SessionService::touch(const QString &tokenId)
{
    // Never moves backwards: touches may run out of order on the pool. Prepared once per
    // connection: one round trip.
    const qint64 now = m_ctx.clock.nowMs();
    auto r = m_ctx.database.runPrepared(
        u"UPDATE tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?"_s,
        {now, tokenId, now});
    if (!r) {
        qWarning("session touch: %s", qPrintable(r.error().message));
        return;
    }
    (*r)->finish();
}

Result<Account> SessionService::requireSuperuser(const QString &ust) const
{
    auto session = check(ust);
    if (!session)
        return std::unexpected(session.error());
    if (!session->account.isSuperuser)
        return fail(ErrorCode::Forbidden, u"not a super-user"_s);
    return session->account;
}

Result<void> SessionService::logout(const QString &ust)
{
    auto session = check(ust);
    if (!session)
        return std::unexpected(session.error());
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto r = store::runQuery(tx->db(), u"DELETE FROM tokens WHERE id = ? AND kind = 'session'"_s,
                             {session->tokenId});
    if (!r)
        return dbFail(r.error());
    if (r->numRowsAffected() != 1)
        return fail(ErrorCode::Unauthorized, u"session ended concurrently"_s);
    if (auto a = auditlog::record(tx->db(), m_ctx.clock.nowMs(), u"user:"_s + session->account.id,
                                  u"logout"_s, session->account.id);
        !a)
        return dbFail(a.error());
    if (auto c = tx->commit(); !c)
        return dbFail(c.error());
    m_ctx.sessionCache.forget(m_ctx.digest.digest(ust));
    emit m_ctx.events.sessionsEnded(session->account.id); // other instances' caches too
    return {};
}

Result<int> SessionService::revokeAll(const QString &userId)
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto r = store::runQuery(*db, u"DELETE FROM tokens WHERE user_id = ? AND kind = 'session'"_s,
                             {userId});
    if (!r)
        return dbFail(r.error());
    m_ctx.sessionCache.forgetUser(userId);
    emit m_ctx.events.sessionsEnded(userId);
    return r->numRowsAffected();
}

} // namespace sd::core
