#include "clock.h"
#include "ratelimiter.h"

#include <QTest>

using namespace Qt::StringLiterals;
using sd::core::FakeClock;
using sd::core::RateLimiter;

namespace {
constexpr qint64 kStartMs = 1'700'000'000'000; // a fixed instant: runs are reproducible
}

class TestRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void limitReachedGivesSecondsUntilWindowEnd_data();
    void limitReachedGivesSecondsUntilWindowEnd();
    void windowPassingAllowsAgain_data();
    void windowPassingAllowsAgain();
    void keysAreIndependent();
    void blockedForDoesNotCount();
    void resetForgetsTheKey();
    void manyKeysStillCountCorrectly();
};

void TestRateLimiter::limitReachedGivesSecondsUntilWindowEnd_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<qint64>("windowSeconds");
    QTest::addColumn<qint64>("elapsedMs"); // from the first hit to the blocked one
    QTest::addColumn<int>("expectedSeconds");
    QTest::newRow("60/min, at once") << 60 << qint64(60) << qint64(0) << 60;
    QTest::newRow("60/min, after 20 s") << 60 << qint64(60) << qint64(20'000) << 40;
    QTest::newRow("rounds up a part second") << 60 << qint64(60) << qint64(20'500) << 40;
    QTest::newRow("last millisecond is one second") << 60 << qint64(60) << qint64(59'999) << 1;
    QTest::newRow("10 per 15 min") << 10 << qint64(900) << qint64(100'000) << 800;
    QTest::newRow("limit 1") << 1 << qint64(30) << qint64(0) << 30;
}

void TestRateLimiter::limitReachedGivesSecondsUntilWindowEnd()
{
    QFETCH(int, limit);
    QFETCH(qint64, windowSeconds);
    QFETCH(qint64, elapsedMs);
    QFETCH(int, expectedSeconds);

    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    const QString key = u"203.0.113.7"_s;
    for (int i = 0; i < limit; ++i)
        QCOMPARE(limiter.hit(key, limit, windowSeconds), 0);
    clock.advanceMs(elapsedMs);
    QCOMPARE(limiter.hit(key, limit, windowSeconds), expectedSeconds);
    QCOMPARE(limiter.blockedFor(key, limit, windowSeconds), expectedSeconds);
    // Blocked hits do not extend the window.
    QCOMPARE(limiter.hit(key, limit, windowSeconds), expectedSeconds);
}

void TestRateLimiter::windowPassingAllowsAgain_data()
{
    QTest::addColumn<qint64>("advanceMs");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("1 ms before the end") << qint64(59'999) << false;
    QTest::newRow("at the end") << qint64(60'000) << true;
    QTest::newRow("long after") << qint64(3'600'000) << true;
}

void TestRateLimiter::windowPassingAllowsAgain()
{
    QFETCH(qint64, advanceMs);
    QFETCH(bool, allowed);

    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    const QString key = u"alice"_s;
    for (int i = 0; i < 3; ++i)
        QCOMPARE(limiter.hit(key, 3, 60), 0);
    QVERIFY(limiter.hit(key, 3, 60) > 0);
    clock.advanceMs(advanceMs);
    QCOMPARE(limiter.blockedFor(key, 3, 60) == 0, allowed);
    QCOMPARE(limiter.hit(key, 3, 60) == 0, allowed);
    if (allowed) {
        // A fresh window: the full limit again, then blocked for a whole window.
        QCOMPARE(limiter.hit(key, 3, 60), 0);
        QCOMPARE(limiter.hit(key, 3, 60), 0);
        QCOMPARE(limiter.hit(key, 3, 60), 60);
    }
}

void TestRateLimiter::keysAreIndependent()
{
    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(limiter.hit(u"a"_s, 2, 60), 0);
    QVERIFY(limiter.hit(u"a"_s, 2, 60) > 0);
    QCOMPARE(limiter.blockedFor(u"b"_s, 2, 60), 0);
    QCOMPARE(limiter.hit(u"b"_s, 2, 60), 0);
    QCOMPARE(limiter.hit(u"A"_s, 2, 60), 0); // keys are exact: callers normalise
    QCOMPARE(limiter.hit(u"b"_s, 2, 60), 0);
    QVERIFY(limiter.hit(u"b"_s, 2, 60) > 0);
    QVERIFY(limiter.hit(u"a"_s, 2, 60) > 0);
}

void TestRateLimiter::blockedForDoesNotCount()
{
    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    const QString key = u"bob"_s;
    for (int i = 0; i < 100; ++i)
        QCOMPARE(limiter.blockedFor(key, 3, 60), 0);
    QCOMPARE(limiter.hit(key, 3, 60), 0);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(limiter.blockedFor(key, 3, 60), 0);
    QCOMPARE(limiter.hit(key, 3, 60), 0);
    QCOMPARE(limiter.hit(key, 3, 60), 0);
    QCOMPARE(limiter.blockedFor(key, 3, 60), 60);
    QCOMPARE(limiter.hit(key, 3, 60), 60);
}

void TestRateLimiter::resetForgetsTheKey()
{
    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(limiter.hit(u"carol"_s, 2, 900), 0);
        QCOMPARE(limiter.hit(u"dave"_s, 2, 900), 0);
    }
    QCOMPARE(limiter.blockedFor(u"carol"_s, 2, 900), 900);
    limiter.reset(u"carol"_s);
    QCOMPARE(limiter.blockedFor(u"carol"_s, 2, 900), 0);
    QCOMPARE(limiter.hit(u"carol"_s, 2, 900), 0);
    QCOMPARE(limiter.hit(u"carol"_s, 2, 900), 0);
    QCOMPARE(limiter.hit(u"carol"_s, 2, 900), 900);
    QCOMPARE(limiter.blockedFor(u"dave"_s, 2, 900), 900); // other keys untouched
    limiter.reset(u"nobody"_s);                           // unknown keys are fine
}

void TestRateLimiter::manyKeysStillCountCorrectly()
{
    // Enough keys to trigger the sweep of finished windows; live windows must survive it.
    FakeClock clock(kStartMs);
    RateLimiter limiter(clock);
    QCOMPARE(limiter.hit(u"live"_s, 1, 3600), 0);
    for (int i = 0; i < 10'050; ++i)
        QCOMPARE(limiter.hit(u"old-%1"_s.arg(i), 1, 60), 0);
    clock.advanceSeconds(120); // the "old" windows (60 s) are over, "live" (1 h) is not
    QCOMPARE(limiter.hit(u"fresh"_s, 1, 60), 0);
    QCOMPARE(limiter.hit(u"live"_s, 1, 3600), 3600 - 120);
    QCOMPARE(limiter.hit(u"old-5"_s, 1, 60), 0);
}

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
