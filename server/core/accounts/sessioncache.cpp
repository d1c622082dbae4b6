#include "accounts/sessioncache.h"

namespace sd::core {

std::optional<SessionCache::Entry> SessionCache::find(const QString &digest, qint64 nowMs) const
{
    if (m_ttlMs <= 0)
        return std::nullopt;
    QMutexLocker lock(&m_mutex);
    auto it = m_entries.constFind(digest);
    if (it == m_entries.cend() || nowMs - it->cachedAtMs >= m_ttlMs || nowMs < it->cachedAtMs)
        return std::nullopt;
    return *it;
}

void SessionCache::store(const QString &digest, Entry entry)
{
    if (m_ttlMs <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    if (m_entries.size() >= kMaxEntries)
        m_entries.clear(); // a burst of distinct sessions: start over rather than grow
    m_entries.insert(digest, std::move(entry));
}

void SessionCache::markUsed(const QString &digest, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(digest); it != m_entries.end())
        it->lastUsedAtMs = nowMs;
}

void SessionCache::forget(const QString &digest)
{
    QMutexLocker lock(&m_mutex);
    m_entries.remove(digest);
}

void SessionCache::forgetUser(const QString &userId)
{
    QMutexLocker lock(&m_mutex);
    m_entries.removeIf([&](const auto &it) { return it.value().account.id == userId; });
}

} // namespace sd::core
