#include "ratelimiter.h"

namespace sd::core {

namespace {
int secondsLeft(qint64 endMs, qint64 nowMs)
{
    return int(qMax<qint64>(1, (endMs - nowMs + 999) / 1000));
}
} // namespace

int RateLimiter::hit(const QString &key, int limit, qint64 windowSeconds)
{
    const qint64 now = m_clock.nowMs();
    const qint64 windowMs = windowSeconds * 1000;
    QMutexLocker lock(&m_mutex);
    if (now - m_lastSweepMs > 60'000 && m_windows.size() > 10'000) {
        // Forget finished windows so the table cannot grow without end.
        m_windows.removeIf(
            [&](const auto &it) { return now - it.value().startMs >= it.value().windowMs; });
        m_lastSweepMs = now;
    }
    Window &w = m_windows[key];
    if (now - w.startMs >= windowMs)
        w = Window{now, windowMs, 0};
    if (w.count >= limit)
        return secondsLeft(w.startMs + windowMs, now);
    ++w.count;
    return 0;
}

int RateLimiter::blockedFor(const QString &key, int limit, qint64 windowSeconds)
{
    const qint64 now = m_clock.nowMs();
    QMutexLocker lock(&m_mutex);
    auto it = m_windows.constFind(key);
    if (it == m_windows.cend() || now - it->startMs >= windowSeconds * 1000 || it->count < limit)
        return 0;
    return secondsLeft(it->startMs + windowSeconds * 1000, now);
}

void RateLimiter::reset(const QString &key)
{
    QMutexLocker lock(&m_mutex);
    m_windows.remove(key);
}

} // namespace sd::core
