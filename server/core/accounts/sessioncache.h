#pragma once

#include "accounts/account.h"

#include <QHash>
#include <QMutex>

#include <optional>

namespace sd::core {

// What a session check found, kept for a short time (session/cache_ms, default 1 s) so the
// hot read path (GET /api/v1/user/me) does not query the database on every request.
// Logout, revoking sessions and disabling an account forget entries at once on this instance;
// another instance sharing the database sees such a change within the cache time.
// Expiry and idle limits are still checked against the clock on every hit. Thread-safe.
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
    static constexpr qsizetype kMaxEntries = 100'000;
    const qint64 m_ttlMs;
    mutable QMutex m_mutex;
    QHash<QString, Entry> m_entries; // by token digest
};

} // namespace sd::core
