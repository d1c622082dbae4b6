#include "requestmeter.h"

#include <limits>

namespace sd::core {

namespace {

constexpr int kCountBits = 24; // up to 16.7 million events a second per bucket, then it saturates
constexpr quint64 kCountMask = (quint64(1) << kCountBits) - 1;

quint64 secondOf(qint64 ms)
{
    return ms <= 0 ? 0 : quint64(ms / 1000);
}

} // namespace

void RequestMeter::record()
{
    const quint64 second = secondOf(m_clock.nowMs());
    std::atomic<quint64> &bucket = m_buckets[second % kWindowSeconds];
    quint64 old = bucket.load(std::memory_order_relaxed);
    quint64 next;
    do {
        if ((old >> kCountBits) == second)
            next = (old & kCountMask) == kCountMask ? old : old + 1;
        else // the bucket last counted a second that has left the window: start it over
            next = (second << kCountBits) | 1;
    } while (!bucket.compare_exchange_weak(old, next, std::memory_order_relaxed));
}

int RequestMeter::lastMinute() const
{
    const quint64 now = secondOf(m_clock.nowMs());
    quint64 total = 0;
    for (const std::atomic<quint64> &bucket : m_buckets) {
        const quint64 value = bucket.load(std::memory_order_relaxed);
        const quint64 second = value >> kCountBits;
        if (second <= now && now - second < quint64(kWindowSeconds))
            total += value & kCountMask;
    }
    return int(qMin<quint64>(total, quint64(std::numeric_limits<int>::max())));
}

} // namespace sd::core
