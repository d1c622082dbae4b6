// The console dashboard's read model (server/core/console/dashboardservice) with a fake clock
// and signups at known local times: signups per day in the console's time zone (a fixed
// +02:00, and Europe/Berlin across its spring DST change), the signup → verified → approved
// funnel with rejections, and the exact median, p90 and histogram of the time to verify.
// Built for SQLite and (SD_TEST_BACKEND_PG) PostgreSQL.

#include "testenv.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "console/dashboardservice.h"
#include "console/signupadminservice.h"
#include "coreservices.h"
#include "transaction.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {

const Actor kConsole{u"console"_s};
constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;

QList<qint64> perDay(const DashboardStats &s)
{
    QList<qint64> out;
    for (const DayCount &d : s.perDay)
        out << d.signups;
    return out;
}

QList<qint64> histogram(const DashboardStats &s)
{
    QList<qint64> out;
    for (const DurationBucket &b : s.timeToVerify.histogram)
        out << b.count;
    return out;
}

} // namespace

class TestDashboardService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Config m_config;
    FakeClock m_clock{0};
    std::unique_ptr<sd::store::Database> m_db;
    std::unique_ptr<CoreServices> m_core;
    QTimeZone m_zone{2 * 3600}; // UTC+02:00, no DST

    qint64 local(int month, int day, int hour, int minute) const
    {
        return QDateTime(QDate(2026, month, day), QTime(hour, minute), m_zone).toMSecsSinceEpoch();
    }
    void setClock(qint64 ms) { m_clock.advanceMs(ms - m_clock.nowMs()); }
    DashboardStats stats(int days)
    {
        auto s = m_core->dashboard().stats(days, m_zone);
        if (!s)
            qWarning("stats: %s", qPrintable(s.error().detail));
        return s.value_or(DashboardStats{});
    }

    SignupResult signUp(const QString &name, qint64 atMs)
    {
        setClock(atMs);
        SignupInput input;
        input.username = name;
        input.password = u"correct battery staple horse"_s;
        input.email = name + u"@example.com"_s;
        auto r = m_core->signup().signUp(input, {u"203.0.113.9"_s});
        if (!r)
            qWarning("signUp %s: %s", qPrintable(name), qPrintable(r.error().detail));
        return r.value_or(SignupResult{});
    }
    bool verify(const SignupResult &s, qint64 atMs)
    {
        setClock(atMs);
        return m_core->verification().confirm(s.confirmToken).has_value();
    }
    bool approve(const SignupResult &s, qint64 atMs)
    {
        setClock(atMs);
        return m_core->approval().approve(s.userId, kConsole).has_value();
    }
    bool reject(const SignupResult &s, qint64 atMs)
    {
        setClock(atMs);
        return m_core->approval().reject(s.userId, u"No."_s, kConsole).has_value();
    }
    // As OAuthService does for a new account: active at once, verified by the provider.
    bool oauthSignUp(const QString &name, qint64 atMs)
    {
        setClock(atMs);
        auto tx = sd::store::Transaction::begin(*m_db);
        if (!tx)
            return false;
        Account a;
        a.id = u"usr_oauth_"_s + name;
        a.username = name;
        a.email = name + u"@example.org"_s;
        a.status = AccountStatus::Active;
        a.verifiedEmail = true;
        a.signUpTimeMs = atMs;
        return accountstore::insert(tx->db(), a) &&
               auditlog::record(tx->db(), atMs, u"system"_s, u"oauth.signup"_s, a.id,
                                u"via github"_s) &&
               tx->commit();
    }

    // Signups at known local times (+02:00), now being 10 March 2026, 10:00.
    void seed()
    {
        const auto a = signUp(u"anna"_s, local(3, 3, 23, 30)); // the day before a 7-day range
        QVERIFY(verify(a, local(3, 3, 23, 31)));
        QVERIFY(approve(a, local(3, 4, 0, 31)));
        const auto b = signUp(u"ben"_s, local(3, 4, 0, 10)); // 3 March in UTC
        QVERIFY(verify(b, local(3, 4, 0, 12)));
        QVERIFY(approve(b, local(3, 4, 0, 40)));
        const auto i = signUp(u"ines"_s, local(3, 5, 10, 0));
        QVERIFY(verify(i, local(3, 7, 14, 0))); // 52 hours later
        const auto c = signUp(u"carl"_s, local(3, 6, 9, 0));
        QVERIFY(verify(c, local(3, 6, 9, 10)));
        QVERIFY(approve(c, local(3, 6, 10, 10)));
        const auto d = signUp(u"dora"_s, local(3, 6, 23, 50));
        QVERIFY(verify(d, local(3, 7, 2, 50)));
        QVERIFY(reject(d, local(3, 7, 3, 50)));
        setClock(local(3, 7, 12, 0));
        QVERIFY(m_core->signup().createSuperuser(u"root"_s, u"root@example.com"_s,
                                                 u"correct battery staple horse"_s, kConsole));
        QVERIFY(oauthSignUp(u"jo"_s, local(3, 8, 15, 0)));
        const auto e = signUp(u"emil"_s, local(3, 9, 12, 0));
        QVERIFY(verify(e, local(3, 9, 12, 30)));
        const auto f = signUp(u"fay"_s, local(3, 10, 8, 0));
        setClock(local(3, 10, 8, 5));
        QVERIFY(m_core->signupAdmin().markVerified(f.userId, u"Known."_s, kConsole));
        const auto g = signUp(u"gus"_s, local(3, 10, 9, 0));
        QVERIFY(reject(g, local(3, 10, 9, 10)));
        QVERIFY(!signUp(u"hal"_s, local(3, 10, 9, 30)).userId.isEmpty());
        setClock(local(3, 10, 10, 0));
    }

private slots:
    void init()
    {
        m_core.reset();
        m_db.reset();
#ifdef SD_TEST_BACKEND_PG
        QString error;
        QVERIFY2(!testenv::postgresUrl().isEmpty(), "SIGNUPDESK_TEST_PG_URL is not set");
        QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
        const QString url = testenv::postgresUrl();
#else
        static int n = 0;
        const QString url = u"sqlite:"_s + m_dir.filePath(u"dash%1.db"_s.arg(++n));
#endif
        m_config = *loadConfig({});
        m_config.password = {64, 1, 1};
        m_config.rateLimitEnabled = false;
        m_config.returnConfirmToken = true;
        m_config.verificationTtlSeconds = 7 * 24 * 3600;
        m_zone = QTimeZone(2 * 3600);
        m_db = std::make_unique<sd::store::Database>(*sd::store::DatabaseUrl::parse(url));
        auto core = CoreServices::create(m_config, *m_db, m_clock);
        QVERIFY2(core, core ? "" : qPrintable(core.error().detail));
        m_core = std::move(*core);
        m_core->setPublicUrl(u"http://127.0.0.1:1"_s);
    }
    void cleanup()
    {
        m_core.reset();
        m_db.reset();
    }

    void emptyDatabase()
    {
        setClock(local(3, 10, 10, 0));
        const DashboardStats s = stats(30);
        QVERIFY(s.isEmpty());
        QCOMPARE(s.days, 30);
        QCOMPARE(s.lastDay, QDate(2026, 3, 10));
        QCOMPARE(s.firstDay, QDate(2026, 2, 9));
        QCOMPARE(perDay(s), QList<qint64>(30, 0));
        QCOMPARE(s.timeToVerify.count, qint64(0));
        QCOMPARE(s.timeToVerify.medianMs, qint64(0));
        QCOMPARE(histogram(s), QList<qint64>(7, 0));
    }

    void lastSevenDays()
    {
        seed();
        const DashboardStats s = stats(7);
        QCOMPARE(s.firstDay, QDate(2026, 3, 4));
        QCOMPARE(s.lastDay, QDate(2026, 3, 10));
        QCOMPARE(s.fromMs, local(3, 4, 0, 0));
        QCOMPARE(s.toMs, local(3, 11, 0, 0));
        QCOMPARE(s.perDay.first().day, QDate(2026, 3, 4));
        // 4: ben (3 March in UTC); 5: ines; 6: carl, dora; 7: only root, a super-user;
        // 8: jo (OAuth); 9: emil; 10: fay, gus, hal.
        QCOMPARE(perDay(s), (QList<qint64>{1, 1, 2, 0, 1, 1, 3}));
        QCOMPARE(s.funnel.signups, qint64(9));
        // Verified: all but gus and hal (fay by an admin, jo by GitHub). Approved: ben, carl, and
        // jo (active without approval). Rejected: dora (verified) and gus (not).
        QCOMPARE(s.funnel.verified, qint64(7));
        QCOMPARE(s.funnel.approved, qint64(3));
        QCOMPARE(s.funnel.rejected, qint64(2));
        // Verified by the user: ben 2 min, carl 10 min, emil 30 min, dora 3 h, ines 52 h.
        QCOMPARE(s.timeToVerify.count, qint64(5));
        QCOMPARE(s.timeToVerify.medianMs, 30 * kMinute);
        QCOMPARE(s.timeToVerify.p90Ms, 52 * kHour); // rank ceil(4.5) = 5
        QCOMPARE(histogram(s), (QList<qint64>{1, 1, 1, 1, 0, 0, 1}));
        QCOMPARE(s.timeToVerify.histogram.at(1).fromMs, 5 * kMinute);
        QCOMPARE(s.timeToVerify.histogram.at(1).toMs, 15 * kMinute);
        QCOMPARE(s.timeToVerify.histogram.last().fromMs, 48 * kHour);
        QCOMPARE(s.timeToVerify.histogram.last().toMs, qint64(0));
    }

    void lastThirtyDays()
    {
        seed();
        const DashboardStats s = stats(30);
        QCOMPARE(s.firstDay, QDate(2026, 2, 9));
        QList<qint64> expected(30, 0);
        expected[22] = 1; // 3 March: anna
        for (int i = 0; i < 7; ++i)
            expected[23 + i] = QList<qint64>{1, 1, 2, 0, 1, 1, 3}.at(i);
        QCOMPARE(perDay(s), expected);
        QCOMPARE(s.funnel.signups, qint64(10));
        QCOMPARE(s.funnel.verified, qint64(8));
        QCOMPARE(s.funnel.approved, qint64(4));
        QCOMPARE(s.funnel.rejected, qint64(2));
        // anna 1 min joins: an even count, the median is the mean of 10 and 30 minutes.
        QCOMPARE(s.timeToVerify.count, qint64(6));
        QCOMPARE(s.timeToVerify.medianMs, 20 * kMinute);
        QCOMPARE(s.timeToVerify.p90Ms, 52 * kHour); // rank ceil(5.4) = 6
        QCOMPARE(histogram(s), (QList<qint64>{2, 1, 1, 1, 0, 0, 1}));
    }

    void todayOnly()
    {
        seed();
        const DashboardStats s = stats(1);
        QCOMPARE(perDay(s), QList<qint64>{3});
        QCOMPARE(s.funnel.signups, qint64(3));
        QCOMPARE(s.funnel.verified, qint64(1));
        QCOMPARE(s.funnel.approved, qint64(0));
        QCOMPARE(s.funnel.rejected, qint64(1));
        QCOMPARE(s.timeToVerify.count, qint64(0)); // fay was verified by an admin
        QCOMPARE(s.timeToVerify.medianMs, qint64(0));
        QCOMPARE(s.timeToVerify.p90Ms, qint64(0));
    }

    void outcomesAfterTheRangeCount()
    {
        // A signup late on the last day of the range counts with what happened after it.
        const auto late = signUp(u"late"_s, local(3, 10, 23, 59));
        QVERIFY(verify(late, local(3, 11, 0, 20)));
        setClock(local(3, 11, 0, 30));
        const DashboardStats s = stats(2);
        QCOMPARE(perDay(s), (QList<qint64>{1, 0}));
        QCOMPARE(s.funnel.verified, qint64(1));
        QCOMPARE(s.timeToVerify.medianMs, 21 * kMinute);
        QCOMPARE(s.timeToVerify.p90Ms, 21 * kMinute);
    }

    void daysFollowDaylightSaving()
    {
        // Europe/Berlin moves from +01:00 to +02:00 at 02:00 on 29 March 2026: that day has
        // 23 hours. A fixed offset (or UTC) would put these signups on other days.
        m_zone = QTimeZone("Europe/Berlin");
        QVERIFY2(m_zone.isValid(), "no time zone data (package tzdata)");
        QVERIFY(!signUp(u"xena"_s, local(3, 28, 23, 30)).userId.isEmpty()); // 22:30 UTC on the 28th
        QVERIFY(!signUp(u"yves"_s, local(3, 29, 0, 30)).userId.isEmpty());  // 23:30 UTC on the 28th
        QVERIFY(!signUp(u"zoe"_s, local(3, 29, 23, 30)).userId.isEmpty());  // 21:30 UTC
        QVERIFY(!signUp(u"walt"_s, local(3, 30, 0, 15)).userId.isEmpty());  // 22:15 UTC on the 29th
        setClock(local(3, 30, 12, 0));
        const DashboardStats s = stats(7);
        QCOMPARE(s.firstDay, QDate(2026, 3, 24));
        QCOMPARE(perDay(s), (QList<qint64>{0, 0, 0, 0, 1, 2, 1}));
        QCOMPARE(s.fromMs, local(3, 24, 0, 0));
    }

    void rejectsBadRanges()
    {
        DashboardService service = m_core->dashboard();
        QCOMPARE(service.stats(0, m_zone).error().code, ErrorCode::Validation);
        QCOMPARE(service.stats(DashboardService::kMaxDays + 1, m_zone).error().code,
                 ErrorCode::Validation);
        QVERIFY(service.stats(DashboardService::kMaxDays, m_zone));
    }
};

QTEST_GUILESS_MAIN(TestDashboardService)
#include "tst_dashboardservice.moc"
