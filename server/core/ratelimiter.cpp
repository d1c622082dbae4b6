#include "ratelimiter.h"

#include "sharedlimits.h"

using namespace Qt::StringLiterals;

namespace sd::core {

RateLimiter::RateLimiter(const Clock &clock) : m_clock(clock) {}

RateLimiter::~RateLimiter() = default;

void RateLimiter::shareThrough(store::Database &database)
{
    m_shared = std::make_unique<Shared>(database);
}

void RateLimiter::noteFallback(const QString &why)
{
    const qint64 now = m_clock.nowMs();
    QMutexLocker lock(&m_mutex);
    if (m_lastFallbackLogMs != 0 && now - m_lastFallbackLogMs < 10'000)
        return;
    m_lastFallbackLogMs = now;
    qWarning("rate limits: the shared counters did not answer, counting in this instance's "
             "memory meanwhile: %s",
             qPrintable(why));
}

template <typename DbAnswer>
std::optional<int> RateLimiter::fromShared(const DbAnswer &answer, const QString &rule)
{
    if (!answer) {
        noteFallback(answer.error().message);
        return std::nullopt;
    }
    if (*answer > 0 && !rule.isEmpty()) {
        QMutexLocker lock(&m_mutex);
        noteRejectionLocked(rule);
    }
    return *answer;
}

namespace {
int secondsLeft(qint64 endMs, qint64 nowMs)
{
    return int(qMax<qint64>(1, (endMs - nowMs + 999) / 1000));
}
// Past this many remembered identifiers, the failure table forgets unlocked ones first.
constexpr qsizetype kMaxFailureEntries = 200'000;
} // namespace

void RateLimiter::sweepLocked(qint64 now)
{
    if (now - m_lastSweepMs > 60'000 && m_windows.size() > 10'000) {
        // Forget finished windows so the table cannot grow without end.
        m_windows.removeIf(
            [&](const auto &it) { return now - it.value().startMs >= it.value().windowMs; });
        m_lastSweepMs = now;
    }
}

int RateLimiter::hitLocked(const QString &key, int limit, qint64 windowSeconds, qint64 now,
                           bool count)
{
    const qint64 windowMs = windowSeconds * 1000;
    Window &w = m_windows[key];
    if (now - w.startMs >= windowMs)
        w = Window{now, windowMs, 0};
    if (w.count >= limit)
        return secondsLeft(w.startMs + windowMs, now);
    if (count)
        ++w.count;
    return 0;
}

void RateLimiter::noteRejectionLocked(const QString &rule)
{
    // The key's first part names the rule ("login", "address-signup", "mail-to", …): a fixed
    // set, never what a client sent, so the metric's labels stay few.
    ++m_rejections[rule.section(u':', 0, 0)];
}

QHash<QString, quint64> RateLimiter::rejections() const
{
    QMutexLocker lock(&m_mutex);
    return m_rejections;
}

int RateLimiter::hit(const QString &key, int limit, qint64 windowSeconds)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared)
        if (auto wait = fromShared(m_shared->hit(key, limit, windowSeconds, now), key))
            return *wait;
    QMutexLocker lock(&m_mutex);
    sweepLocked(now);
    const int wait = hitLocked(key, limit, windowSeconds, now, true);
    if (wait > 0)
        noteRejectionLocked(key);
    return wait;
}

int RateLimiter::hitAll(const QList<Bucket> &buckets)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared) {
        const Bucket *full = nullptr;
        const auto answer = m_shared->hitAll(buckets, now, &full);
        if (auto wait = fromShared(answer, full ? full->key : QString()))
            return *wait;
    }
    QMutexLocker lock(&m_mutex);
    return hitAllLocked(buckets, now);
}

int RateLimiter::hitAllLocked(const QList<Bucket> &buckets, qint64 now)
{
    sweepLocked(now);
    int wait = 0;
    const Bucket *full = nullptr;
    for (const Bucket &b : buckets) {
        const int bucketWait = hitLocked(b.key, b.limit, b.windowSeconds, now, false);
        if (bucketWait > wait)
            full = &b;
        wait = qMax(wait, bucketWait);
    }
    if (wait > 0) {
        noteRejectionLocked(full->key);
        return wait;
    }
    for (const Bucket &b : buckets)
        (void)hitLocked(b.key, b.limit, b.windowSeconds, now, true);
    return 0;
}

int RateLimiter::blockedFor(const QString &key, int limit, qint64 windowSeconds)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared)
        if (auto wait = fromShared(m_shared->blockedFor(key, limit, windowSeconds, now), key))
            return *wait;
    QMutexLocker lock(&m_mutex);
    auto it = m_windows.constFind(key);
    if (it == m_windows.cend() || now - it->startMs >= windowSeconds * 1000 || it->count < limit)
        return 0;
    noteRejectionLocked(key);
    return secondsLeft(it->startMs + windowSeconds * 1000, now);
}

void RateLimiter::reset(const QString &key)
{
    if (m_shared) {
        if (auto r = m_shared->reset(key); !r)
            noteFallback(r.error().message);
    }
    QMutexLocker lock(&m_mutex);
    m_windows.remove(key);
}

int RateLimiter::lockedFor(const QString &key)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared)
        if (auto wait = fromShared(m_shared->lockedFor(key, now), u"lockout"_s))
            return *wait;
    QMutexLocker lock(&m_mutex);
    auto it = m_failures.constFind(key);
    if (it == m_failures.cend() || it->notBeforeMs <= now)
        return 0;
    noteRejectionLocked(u"lockout"_s);
    return secondsLeft(it->notBeforeMs, now);
}

int RateLimiter::recordFailure(const QString &key, const LockoutPolicy &policy)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared)
        if (auto wait = fromShared(m_shared->recordFailure(key, policy, now), QString()))
            return *wait;
    QMutexLocker lock(&m_mutex);
    return recordFailureLocked(key, policy, now);
}

int RateLimiter::recordFailureLocked(const QString &key, const LockoutPolicy &policy, qint64 now)
{
    if (m_failures.size() >= kMaxFailureEntries && now - m_lastFailureSweepMs > 1000) {
        m_failures.removeIf([&](const auto &it) { return it.value().forgetAtMs <= now; });
        if (m_failures.size() >= kMaxFailureEntries) // still full: keep only the locked ones
            m_failures.removeIf([&](const auto &it) { return it.value().notBeforeMs <= now; });
        m_lastFailureSweepMs = now;
    }
    Failures &f = m_failures[key];
    const bool hadFailure = f.count > 0;
    if (hadFailure && now - f.lastFailureMs > policy.resetSeconds * 1000)
        f = Failures{};
    const qint64 sincePrevious = now - f.lastFailureMs;
    const bool quick = f.count > 0 && sincePrevious < policy.quickCheckMs;
    ++f.count;
    f.lastFailureMs = now;
    qint64 wait = policy.waitIncrementSeconds * (f.count / qMax(1, policy.failures));
    if (quick)
        wait = qMax(wait, policy.quickMinWaitSeconds);
    wait = qMin(wait, policy.maxWaitSeconds);
    if (wait > 0)
        f.notBeforeMs = qMax(f.notBeforeMs, now + wait * 1000);
    f.forgetAtMs = qMax(f.notBeforeMs, now + policy.resetSeconds * 1000);
    return int(wait);
}

void RateLimiter::clearFailures(const QString &key)
{
    if (m_shared) {
        if (auto r = m_shared->clearFailures(key); !r)
            noteFallback(r.error().message);
    }
    QMutexLocker lock(&m_mutex);
    m_failures.remove(key);
}

int RateLimiter::failureCount(const QString &key)
{
    const qint64 now = m_clock.nowMs();
    if (m_shared)
        if (auto count = fromShared(m_shared->failureCount(key, now), QString()))
            return *count;
    QMutexLocker lock(&m_mutex);
    auto it = m_failures.constFind(key);
    return it == m_failures.cend() || it->forgetAtMs <= now ? 0 : it->count;
}

} // namespace sd::core
