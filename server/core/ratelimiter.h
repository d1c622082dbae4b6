#pragma once

#include "clock.h"

#include <QHash>
#include <QList>
#include <QMutex>

#include <memory>
#include <optional>

namespace sd::store {
class Database;
}

namespace sd::core {

// Fixed-window counters and the progressive lockout, per key (an address, or an account
// identifier whether or not it exists). Thread-safe. In memory (SQLite: one instance), or,
// after shareThrough(), in the database (PostgreSQL: every instance sharing it counts into the
// same rows, so they enforce one limit together; issue 16). Each check is then one statement
// (one round trip), and a database that does not answer falls back to this instance's memory
// for that check (the request's own statements fail next and answer 503 anyway).
class RateLimiter
{
public:
    explicit RateLimiter(const Clock &clock);
    ~RateLimiter();

    // Keeps every counter and lock in `database` (tables rate_windows and login_failures,
    // migration 13) from now on. For PostgreSQL; `database` must outlive this limiter.
    void shareThrough(store::Database &database);
    bool isShared() const { return m_shared != nullptr; }

    // Counts one hit; returns 0 if allowed, else the seconds until the window ends.
    int hit(const QString &key, int limit, qint64 windowSeconds);
    // Seconds until `key` may try again (0: it may), without counting.
    int blockedFor(const QString &key, int limit, qint64 windowSeconds);
    void reset(const QString &key);

    // One fixed window of hit() for hitAll().
    struct Bucket
    {
        QString key;
        int limit = 0;
        qint64 windowSeconds = 0;
    };
    // All or nothing: counts one hit in every bucket if none is full, else counts nothing and
    // returns the longest wait among the full ones.
    int hitAll(const QList<Bucket> &buckets);

    // Keycloak-like progressive lockout (SEC-15), keyed like the windows above.
    struct LockoutPolicy
    {
        int failures = 30; // the wait grows by `increment` every `failures` failures
        qint64 waitIncrementSeconds = 60;
        qint64 maxWaitSeconds = 900;
        qint64 resetSeconds = 43200;     // a failure this long after the previous one starts over
        qint64 quickCheckMs = 1000;      // two failures closer than this …
        qint64 quickMinWaitSeconds = 60; // … lock for at least this long
    };
    // Seconds the key stays locked (0: not locked).
    int lockedFor(const QString &key);
    // Counts a failed password check; returns the lock it starts (0: none). Call it only when
    // the key was not locked: attempts during a lock do not extend it.
    int recordFailure(const QString &key, const LockoutPolicy &policy);
    // A successful login forgets the failures.
    void clearFailures(const QString &key);
    int failureCount(const QString &key);
    // Refusals since start, by rule (the key's first part, or "lockout"): /metrics.
    QHash<QString, quint64> rejections() const;

private:
    struct Shared; // sharedlimits.cpp
    std::unique_ptr<Shared> m_shared;
    // Logs (at most every 10 s) that a shared check fell back to memory, and why.
    void noteFallback(const QString &why);
    // A shared check's answer (its refusal counted under `rule` when not empty), or nullopt
    // when the database did not answer and memory must. Defined and used in ratelimiter.cpp.
    template <typename DbAnswer>
    std::optional<int> fromShared(const DbAnswer &answer, const QString &rule);
    qint64 m_lastFallbackLogMs = 0;

    struct Window
    {
        qint64 startMs = 0;
        qint64 windowMs = 0; // each key's own window: the sweep must not cut longer ones short
        int count = 0;
    };
    const Clock &m_clock;
    mutable QMutex m_mutex;
    struct Failures
    {
        int count = 0;
        qint64 lastFailureMs = 0;
        qint64 notBeforeMs = 0;
        qint64 forgetAtMs = 0; // after the reset time and the lock: nothing left to remember
    };
    int hitLocked(const QString &key, int limit, qint64 windowSeconds, qint64 now, bool count);
    int hitAllLocked(const QList<Bucket> &buckets, qint64 now);
    int recordFailureLocked(const QString &key, const LockoutPolicy &policy, qint64 now);
    void sweepLocked(qint64 now);

    void noteRejectionLocked(const QString &rule);
    QHash<QString, quint64> m_rejections;
    QHash<QString, Window> m_windows;
    QHash<QString, Failures> m_failures;
    qint64 m_lastSweepMs = 0;
    qint64 m_lastFailureSweepMs = 0;
};

} // namespace sd::core
