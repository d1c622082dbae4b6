#pragma once

#include "clock.h"

#include <QHash>
#include <QMutex>

namespace sd::core {

// Fixed-window counters in memory, per key (an address, or an account identifier whether or
// not it exists). Thread-safe. Per instance: instances sharing a database each count alone.
class RateLimiter
{
public:
    explicit RateLimiter(const Clock &clock) : m_clock(clock) {}

    // Counts one hit; returns 0 if allowed, else the seconds until the window ends.
    int hit(const QString &key, int limit, qint64 windowSeconds);
    // Seconds until `key` may try again (0: it may), without counting.
    int blockedFor(const QString &key, int limit, qint64 windowSeconds);
    void reset(const QString &key);

private:
    struct Window
    {
        qint64 startMs = 0;
        qint64 windowMs = 0; // each key's own window: the sweep must not cut longer ones short
        int count = 0;
    };
    const Clock &m_clock;
    QMutex m_mutex;
    QHash<QString, Window> m_windows;
    qint64 m_lastSweepMs = 0;
};

} // namespace sd::core
