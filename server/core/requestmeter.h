#pragma once

#include "clock.h"

#include <array>
#include <atomic>

namespace sd::core {

// Counts events (the HTTP server's answered requests) over the last minute, for the console's
// status bar. Sixty one-second buckets, each one atomic word holding its second and its count:
// record() is lock-free (one load and one compare-and-swap, uncontended) and safe from any
// thread; lastMinute() sums the buckets whose second is within the window. Time comes from
// core's Clock, so tests move it. Per instance, in memory.
class RequestMeter
{
public:
    static constexpr int kWindowSeconds = 60;

    explicit RequestMeter(const Clock &clock) : m_clock(clock) {}
    RequestMeter(const RequestMeter &) = delete;
    RequestMeter &operator=(const RequestMeter &) = delete;

    void record();
    // Events in the current second and the 59 before it (so between 59 and 60 seconds' worth).
    int lastMinute() const;

private:
    const Clock &m_clock;
    // second << kCountBits | count; a bucket whose second is older than the window is stale.
    std::array<std::atomic<quint64>, kWindowSeconds> m_buckets{};
};

} // namespace sd::core
