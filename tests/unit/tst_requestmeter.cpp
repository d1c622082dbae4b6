// The console's "requests in the last minute": sixty one-second buckets over core's clock.

#include "clock.h"
#include "requestmeter.h"

#include <QTest>

#include <thread>
#include <vector>

using sd::core::FakeClock;
using sd::core::RequestMeter;

namespace {
constexpr qint64 kStartMs = 1'700'000'000'000; // on a second boundary: runs are reproducible
}

class TestRequestMeter : public QObject
{
    Q_OBJECT

private slots:
    void startsAtZero()
    {
        FakeClock clock(kStartMs);
        RequestMeter meter(clock);
        QCOMPARE(meter.lastMinute(), 0);
    }

    void countsWithinTheMinute()
    {
        FakeClock clock(kStartMs);
        RequestMeter meter(clock);
        for (int i = 0; i < 3; ++i)
            meter.record();
        clock.advanceMs(999); // same second
        meter.record();
        clock.advanceSeconds(30);
        meter.record();
        QCOMPARE(meter.lastMinute(), 5);
    }

    void windowSlides()
    {
        FakeClock clock(kStartMs);
        RequestMeter meter(clock);
        for (int i = 0; i < 3; ++i)
            meter.record(); // second 0
        clock.advanceSeconds(20);
        meter.record(); // second 20
        clock.advanceSeconds(39);
        QCOMPARE(meter.lastMinute(), 4); // second 59: both still in
        clock.advanceSeconds(1);
        QCOMPARE(meter.lastMinute(), 1); // second 60: second 0 left the window
        meter.record();                  // reuses second 0's bucket
        meter.record();
        QCOMPARE(meter.lastMinute(), 3);
        clock.advanceSeconds(20);
        QCOMPARE(meter.lastMinute(), 2); // second 80: second 20 left too
        clock.advanceSeconds(3600);
        QCOMPARE(meter.lastMinute(), 0); // an hour of silence: every bucket is stale
        meter.record();
        QCOMPARE(meter.lastMinute(), 1);
    }

    // A steady rate for two minutes: the count is always exactly the last sixty seconds'.
    void steadyRateOverTwoMinutes_data()
    {
        QTest::addColumn<int>("perSecond");
        QTest::newRow("1/s") << 1;
        QTest::newRow("7/s") << 7;
        QTest::newRow("250/s") << 250;
    }

    void steadyRateOverTwoMinutes()
    {
        QFETCH(int, perSecond);
        FakeClock clock(kStartMs + 500); // mid-second
        RequestMeter meter(clock);
        for (int second = 0; second < 120; ++second) {
            for (int i = 0; i < perSecond; ++i)
                meter.record();
            QCOMPARE(meter.lastMinute(),
                     perSecond * qMin(second + 1, RequestMeter::kWindowSeconds));
            clock.advanceSeconds(1);
        }
    }

    void countsFromManyThreads()
    {
        FakeClock clock(kStartMs);
        RequestMeter meter(clock);
        constexpr int kThreads = 4, kEach = 25'000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&meter] {
                for (int i = 0; i < kEach; ++i)
                    meter.record();
            });
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(meter.lastMinute(), kThreads * kEach);
    }

    // Threads recording while the clock moves on: nothing counted twice, nothing lost from the
    // seconds still in the window.
    void countsWhileTheClockMoves()
    {
        FakeClock clock(kStartMs);
        RequestMeter meter(clock);
        constexpr int kThreads = 3, kEach = 20'000;
        std::atomic_bool go{false};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&] {
                while (!go.load()) {
                }
                for (int i = 0; i < kEach; ++i)
                    meter.record();
            });
        go = true;
        for (int s = 0; s < 30; ++s) { // half a minute goes by while they record
            clock.advanceSeconds(1);
            std::this_thread::yield();
        }
        for (std::thread &t : threads)
            t.join();
        QCOMPARE(meter.lastMinute(), kThreads * kEach);
    }
};

QTEST_APPLESS_MAIN(TestRequestMeter)
#include "tst_requestmeter.moc"
