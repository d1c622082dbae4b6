#pragma once

#include "accounts/account.h"

#include <QHash>
#include <QMutex>

#include <array>
#include <optional>

namespace sd::core {

// What a session check found, kept for a short time (session/cache_ms, default 1 s) so the
// hot read path (GET /api/v1/user/me) does not query the database on every request.
// Logout, revoking sessions and disabling an account forget entries at once on this instance;
// another instance sharing the database sees such a change within the cache time.
// Expiry and idle limits are still checked against the clock on every hit. Thread-safe, in
// shards by digest with a lock each, so the HTTP server threads checking sessions at the same
// time rarely wait for one another.
class SessionCache
{
public:
    struct Entry
    {
        Account account;
        QString tokenId;
        qint64 expiresAtMs = 0;
        qint64 lastUsedAtMs = 0;
        qint64 cachedAtMs = 0;
    };

    explicit SessionCache(qint64 ttlMs) : m_ttlMs(ttlMs) {}

    std::optional<Entry> find(const QString &digest, qint64 nowMs) const;
    void store(const QString &digest, Entry entry);
    void markUsed(const QString &digest, qint64 nowMs);
    void forget(const QString &digest);
    void forgetUser(const QString &userId);

private:
    static constexpr int kShards = 16;
    static constexpr qsizetype kMaxEntriesPerShard = 100'000 / kShards;
    struct alignas(64) Shard // a cache line of its own: no false sharing between locks
    {
        mutable QMutex mutex;
        QHash<QString, Entry> entries; // by token digest
    };
    Shard &shardOf(const QString &digest) const;

    const qint64 m_ttlMs;
    mutable std::array<Shard, kShards> m_shards;
};

} // namespace sd::core
