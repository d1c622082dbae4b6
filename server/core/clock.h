#pragma once

#include <QDateTime>

#include <atomic>

namespace sd::core {

// The one source of time for expiry, lockouts and timestamps, so tests can move it.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0; // Unix milliseconds, UTC
    QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC); }
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock
{
public:
    explicit FakeClock(qint64 startMs = QDateTime::currentMSecsSinceEpoch()) : m_now(startMs) {}
    qint64 nowMs() const override { return m_now.load(); }
    void advanceMs(qint64 ms) { m_now += ms; }
    void advanceSeconds(qint64 s) { m_now += s * 1000; }

private:
    std::atomic<qint64> m_now;
};

} // namespace sd::core
