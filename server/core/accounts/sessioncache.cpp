#include "accounts/sessioncache.h"

namespace sd::core {

SessionCache::Shard &SessionCache::shardOf(const QString &digest) const
{
    return m_shards[qHash(digest) % kShards];
}

std::optional<SessionCache::Entry> SessionCache::find(const QString &digest, qint64 nowMs) const
{
    if (m_ttlMs <= 0)
        return std::nullopt;
    Shard &shard = shardOf(digest);
    QMutexLocker lock(&shard.mutex);
    auto it = shard.entries.constFind(digest);
    if (it == shard.entries.cend() || nowMs - it->cachedAtMs >= m_ttlMs || nowMs < it->cachedAtMs)
        return std::nullopt;
    return *it;
}

void SessionCache::store(const QString &digest, Entry entry)
{
    if (m_ttlMs <= 0)
        return;
    Shard &shard = shardOf(digest);
    QMutexLocker lock(&shard.mutex);
    if (shard.entries.size() >= kMaxEntriesPerShard)
        shard.entries.clear(); // a burst of distinct sessions: start over rather than grow
    shard.entries.insert(digest, std::move(entry));
}

void SessionCache::markUsed(const QString &digest, qint64 nowMs)
{
    Shard &shard = shardOf(digest);
    QMutexLocker lock(&shard.mutex);
    if (auto it = shard.entries.find(digest); it != shard.entries.end())
        it->lastUsedAtMs = nowMs;
}

void SessionCache::forget(const QString &digest)
{
    Shard &shard = shardOf(digest);
    QMutexLocker lock(&shard.mutex);
    shard.entries.remove(digest);
}

void SessionCache::forgetUser(const QString &userId)
{
    for (Shard &shard : m_shards) {
        QMutexLocker lock(&shard.mutex);
        shard.entries.removeIf([&](const auto &it) { return it.value().account.id == userId; });
    }
}

} // namespace sd::core
