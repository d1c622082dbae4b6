#include "sharedlimits.h"

#include "sqlquery.h"
#include "transaction.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

int secondsLeft(qint64 endMs, qint64 nowMs)
{
    return int(qMax<qint64>(1, (endMs - nowMs + 999) / 1000));
}

// A piece of SQL with the values of its `?`, in order, so that an expression used twice
// brings its values twice.
struct Sql
{
    QString text;
    QVariantList params;
};
Sql operator+(Sql a, const Sql &b)
{
    a.text += b.text;
    a.params += b.params;
    return a;
}
Sql text(const QString &s)
{
    return {s, {}};
}
Sql value(qint64 v)
{
    return {u"CAST(? AS BIGINT)"_s, {v}};
}

// One fixed window: renewed when over, else one more, never past limit + 1 ("full").
const QString kHitSql =
    u"INSERT INTO rate_windows AS w (key, start_ms, window_ms, count, expires_at)"
    " VALUES (?, CAST(? AS BIGINT), CAST(? AS BIGINT), 1, CAST(? AS BIGINT))"
    " ON CONFLICT (key) DO UPDATE SET"
    " count = CASE WHEN EXCLUDED.start_ms - w.start_ms >= EXCLUDED.window_ms THEN 1"
    "  ELSE LEAST(w.count + 1, CAST(? AS INTEGER)) END,"
    " start_ms = CASE WHEN EXCLUDED.start_ms - w.start_ms >= EXCLUDED.window_ms"
    "  THEN EXCLUDED.start_ms ELSE w.start_ms END,"
    " window_ms = EXCLUDED.window_ms,"
    " expires_at = CASE WHEN EXCLUDED.start_ms - w.start_ms >= EXCLUDED.window_ms"
    "  THEN EXCLUDED.expires_at ELSE w.start_ms + EXCLUDED.window_ms END"
    " RETURNING count, start_ms"_s;

QVariantList hitParams(const QString &key, int limit, qint64 windowSeconds, qint64 now)
{
    const qint64 windowMs = windowSeconds * 1000;
    return {key, now, windowMs, now + windowMs, qMax(0, limit) + 1};
}

// The answer of kHitSql's row: 0 when counted within the limit, else the wait.
int hitWait(QSqlQuery &q, int limit, qint64 windowSeconds, qint64 now)
{
    const int count = q.value(0).toInt();
    const qint64 start = q.value(1).toLongLong();
    q.finish();
    return count <= limit ? 0 : secondsLeft(start + windowSeconds * 1000, now);
}

// The failed-login upsert: RateLimiter::recordFailureLocked's schedule in SQL, computed from
// the row as it is when this statement holds its lock.
Sql recordFailureSql(const QString &key, const RateLimiter::LockoutPolicy &policy, qint64 now)
{
    const qint64 resetMs = policy.resetSeconds * 1000;
    const qint64 failures = qMax(1, policy.failures);
    // A key seen for the first time: one failure, never quick.
    const qint64 firstWait =
        qMin(policy.waitIncrementSeconds * (1 / failures), policy.maxWaitSeconds);
    const qint64 firstNotBefore = firstWait > 0 ? now + firstWait * 1000 : 0;
    const qint64 firstForget = qMax(firstNotBefore, now + resetMs);

    const Sql over = text(u"("_s) + value(now) + text(u" - f.last_failure_at > "_s) +
                     value(resetMs) + text(u")"_s);
    const Sql count = text(u"(CASE WHEN "_s) + over + text(u" THEN 1 ELSE f.count + 1 END)"_s);
    const Sql quick = text(u"(NOT "_s) + over + text(u" AND "_s) + value(now) +
                      text(u" - f.last_failure_at < "_s) + value(policy.quickCheckMs) +
                      text(u")"_s);
    const Sql wait = text(u"LEAST(GREATEST("_s) + value(policy.waitIncrementSeconds) +
                     text(u" * ("_s) + count + text(u" / "_s) + value(failures) +
                     text(u"), CASE WHEN "_s) + quick + text(u" THEN "_s) +
                     value(policy.quickMinWaitSeconds) + text(u" ELSE 0 END), "_s) +
                     value(policy.maxWaitSeconds) + text(u")"_s);
    const Sql oldNotBefore =
        text(u"(CASE WHEN "_s) + over + text(u" THEN 0 ELSE f.not_before END)"_s);
    const Sql notBefore = text(u"(CASE WHEN "_s) + wait + text(u" > 0 THEN GREATEST("_s) +
                          oldNotBefore + text(u", "_s) + value(now) + text(u" + 1000 * "_s) + wait +
                          text(u") ELSE "_s) + oldNotBefore + text(u" END)"_s);
    return Sql{u"INSERT INTO login_failures AS f"
               " (key, count, last_failure_at, not_before, forget_at)"
               " VALUES (?, 1, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
               " ON CONFLICT (key) DO UPDATE SET count = "_s,
               {key, now, firstNotBefore, firstForget}} +
           count + text(u", last_failure_at = "_s) + value(now) + text(u", not_before = "_s) +
           notBefore + text(u", forget_at = GREATEST("_s) + notBefore + text(u", "_s) +
           value(now + resetMs) + text(u") RETURNING not_before"_s);
}

} // namespace

store::Database &RateLimiter::Shared::pick()
{
    if (store::detail::openTransactions() == 0)
        return database;
    QMutexLocker lock(&ownMutex);
    if (!own)
        own = std::make_unique<store::Database>(database.url());
    return *own;
}

void RateLimiter::Shared::purgeIfDue(store::Database &db, qint64 now)
{
    qint64 due = nextPurgeMs.load();
    if (now < due || !nextPurgeMs.compare_exchange_strong(due, now + 60'000))
        return;
    auto connection = db.connection();
    if (!connection)
        return;
    // Whatever fails here is tried again in a minute: nothing depends on it but the size.
    for (const QString &sql : {u"DELETE FROM rate_windows WHERE expires_at <= ?"_s,
                               u"DELETE FROM login_failures WHERE forget_at <= ?"_s}) {
        if (auto r = store::runQuery(*connection, sql, {now}); !r)
            qInfo("rate limits: purging expired rows failed: %s", qPrintable(r.error().message));
    }
}

store::DbResult<int> RateLimiter::Shared::hit(const QString &key, int limit, qint64 windowSeconds,
                                              qint64 now)
{
    store::Database &db = pick();
    purgeIfDue(db, now);
    auto q = db.runPrepared(kHitSql, hitParams(key, limit, windowSeconds, now));
    if (!q)
        return std::unexpected(q.error());
    if (!(*q)->next()) {
        (*q)->finish();
        return std::unexpected(store::DbError{u"the rate-window upsert returned no row"_s});
    }
    return hitWait(**q, limit, windowSeconds, now);
}

store::DbResult<int> RateLimiter::Shared::hitAll(const QList<Bucket> &buckets, qint64 now,
                                                 const Bucket **full)
{
    // All or nothing: every bucket counted in one transaction, rolled back when one is full.
    // In the order of their keys, so two requests sharing buckets never wait on each other
    // in a circle.
    QList<const Bucket *> ordered;
    for (const Bucket &b : buckets)
        ordered.append(&b);
    std::sort(ordered.begin(), ordered.end(),
              [](const Bucket *a, const Bucket *b) { return a->key < b->key; });
    store::Database &db = pick();
    purgeIfDue(db, now);
    auto tx = store::Transaction::begin(db);
    if (!tx)
        return std::unexpected(tx.error());
    int wait = 0;
    for (const Bucket *b : std::as_const(ordered)) {
        auto q = db.runPrepared(kHitSql, hitParams(b->key, b->limit, b->windowSeconds, now));
        if (!q)
            return std::unexpected(q.error());
        if (!(*q)->next()) {
            (*q)->finish();
            return std::unexpected(store::DbError{u"the rate-window upsert returned no row"_s});
        }
        const int bucketWait = hitWait(**q, b->limit, b->windowSeconds, now);
        if (bucketWait > wait && full)
            *full = b;
        wait = qMax(wait, bucketWait);
    }
    if (wait > 0) {
        tx->rollback(); // nothing counted
        return wait;
    }
    if (auto r = tx->commit(); !r)
        return std::unexpected(r.error());
    return 0;
}

store::DbResult<int> RateLimiter::Shared::blockedFor(const QString &key, int limit,
                                                     qint64 windowSeconds, qint64 now)
{
    auto q = pick().runPrepared(u"SELECT start_ms, count FROM rate_windows WHERE key = ?"_s, {key});
    if (!q)
        return std::unexpected(q.error());
    int wait = 0;
    if ((*q)->next()) {
        const qint64 start = (*q)->value(0).toLongLong();
        const int count = (*q)->value(1).toInt();
        const qint64 windowMs = windowSeconds * 1000;
        if (now - start < windowMs && count >= limit)
            wait = secondsLeft(start + windowMs, now);
    }
    (*q)->finish();
    return wait;
}

store::DbResult<void> RateLimiter::Shared::reset(const QString &key)
{
    auto q = pick().runPrepared(u"DELETE FROM rate_windows WHERE key = ?"_s, {key});
    if (!q)
        return std::unexpected(q.error());
    (*q)->finish();
    return {};
}

store::DbResult<int> RateLimiter::Shared::lockedFor(const QString &key, qint64 now)
{
    auto q = pick().runPrepared(u"SELECT not_before FROM login_failures WHERE key = ?"_s, {key});
    if (!q)
        return std::unexpected(q.error());
    int wait = 0;
    if ((*q)->next()) {
        const qint64 notBefore = (*q)->value(0).toLongLong();
        if (notBefore > now)
            wait = secondsLeft(notBefore, now);
    }
    (*q)->finish();
    return wait;
}

store::DbResult<int> RateLimiter::Shared::recordFailure(const QString &key,
                                                        const LockoutPolicy &policy, qint64 now)
{
    store::Database &db = pick();
    purgeIfDue(db, now);
    const Sql sql = recordFailureSql(key, policy, now);
    auto q = db.runPrepared(sql.text, sql.params);
    if (!q)
        return std::unexpected(q.error());
    if (!(*q)->next()) {
        (*q)->finish();
        return std::unexpected(store::DbError{u"the login-failure upsert returned no row"_s});
    }
    // Called only when the key was not locked, so a lock ending in the future is this one.
    const qint64 notBefore = (*q)->value(0).toLongLong();
    (*q)->finish();
    return notBefore > now ? int((notBefore - now) / 1000) : 0;
}

store::DbResult<void> RateLimiter::Shared::clearFailures(const QString &key)
{
    auto q = pick().runPrepared(u"DELETE FROM login_failures WHERE key = ?"_s, {key});
    if (!q)
        return std::unexpected(q.error());
    (*q)->finish();
    return {};
}

store::DbResult<int> RateLimiter::Shared::failureCount(const QString &key, qint64 now)
{
    auto q =
        pick().runPrepared(u"SELECT count, forget_at FROM login_failures WHERE key = ?"_s, {key});
    if (!q)
        return std::unexpected(q.error());
    int count = 0;
    if ((*q)->next() && (*q)->value(1).toLongLong() > now)
        count = (*q)->value(0).toInt();
    (*q)->finish();
    return count;
}

} // namespace sd::core
