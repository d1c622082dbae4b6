#pragma once

#include "database.h"
#include "ratelimiter.h"

#include <QMutex>

#include <atomic>

namespace sd::core {

// RateLimiter's counters in the database (issue 16): every instance sharing a PostgreSQL
// database counts into the same rows, so they enforce one limit together. Each check is one
// prepared statement, one round trip: a fixed window is one upsert that renews an expired
// window or counts one more (never past limit + 1, which means "full"), a failed login one
// upsert that computes the lockout schedule in SQL under the row's lock, so concurrent
// instances never lose a count. Times come from the instance's clock (keep the instances'
// clocks in sync, NTP). Rows whose window and lock are over are purged once a minute, by
// whichever instance notices first.
//
// Runs on the calling thread's own connection, unless that connection is inside a transaction
// (a flow that checks a limit mid-transaction): then on a connection of its own, so a count
// never waits for, nor rolls back with, the request's transaction.
struct RateLimiter::Shared
{
    explicit Shared(store::Database &database) : database(database) {}

    store::DbResult<int> hit(const QString &key, int limit, qint64 windowSeconds, qint64 now);
    store::DbResult<int> hitAll(const QList<Bucket> &buckets, qint64 now, const Bucket **full);
    store::DbResult<int> blockedFor(const QString &key, int limit, qint64 windowSeconds,
                                    qint64 now);
    store::DbResult<void> reset(const QString &key);
    store::DbResult<int> lockedFor(const QString &key, qint64 now);
    store::DbResult<int> recordFailure(const QString &key, const LockoutPolicy &policy, qint64 now);
    store::DbResult<void> clearFailures(const QString &key);
    store::DbResult<int> failureCount(const QString &key, qint64 now);

private:
    // The database to run on: the request's, or (inside its transaction) this limiter's own.
    store::Database &pick();
    void purgeIfDue(store::Database &db, qint64 now);

    store::Database &database;
    QMutex ownMutex;
    std::unique_ptr<store::Database> own; // made on first need
    std::atomic<qint64> nextPurgeMs{0};
};

} // namespace sd::core
