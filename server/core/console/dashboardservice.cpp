#include "console/dashboardservice.h"

#include "accounts/account.h"
#include "context.h"
#include "sqlquery.h"
#include "vocabulary.h"

#include <QHash>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Signups are counted per quarter of an hour in SQL and summed into days in C++: every time
// zone's offset is a multiple of 15 minutes, so no quarter straddles a local midnight, and a
// 90-day range is at most 8,640 rows whatever the number of signups.
constexpr qint64 kSlotMs = 15 * 60 * 1000;

// The signups of [?, ?) per slot, with what became of them. A signup is an audit entry
// (signup.created, or oauth.signup: verified by its provider); its account may be gone since
// (rejected). Approved: approved by an admin, or active (or disabled, which only an active
// account can become) without one. The sub-selects use the audit_subject index.
const QString kFunnelSql =
    u"SELECT c.at / 900000, COUNT(*),"
    " SUM(CASE WHEN c.action = 'oauth.signup' OR EXISTS (SELECT 1 FROM audit_log v"
    "   WHERE v.subject_id = c.subject_id AND v.action IN ('email.verified',"
    "   'email.verified_by_admin')) THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN EXISTS (SELECT 1 FROM audit_log a WHERE a.subject_id = c.subject_id"
    "   AND a.action = 'signup.approved') OR EXISTS (SELECT 1 FROM users u"
    "   WHERE u.id = c.subject_id AND u.status IN (?, ?)) THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN EXISTS (SELECT 1 FROM audit_log r WHERE r.subject_id = c.subject_id"
    "   AND r.action = 'signup.rejected') THEN 1 ELSE 0 END)"
    " FROM audit_log c"
    " WHERE c.action IN ('signup.created', 'oauth.signup') AND c.at >= ? AND c.at < ?"
    " GROUP BY c.at / 900000"_s;
static_assert(kSlotMs == 900000, "kFunnelSql spells the slot length out");

// For each signup of [?, ?) that the user verified: the time it took.
const QString kDurationsSql =
    u"SELECT MIN(v.at) - c.at AS d FROM audit_log c"
    " JOIN audit_log v ON v.subject_id = c.subject_id AND v.action = 'email.verified'"
    " WHERE c.action = 'signup.created' AND c.at >= ? AND c.at < ?"
    " GROUP BY c.id, c.at"_s;

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

// CASE WHEN d < edge1 THEN 0 WHEN d < edge2 THEN 1 … ELSE n-1 END, from the edges (constants of
// this file, never input).
QString bucketCase(const QList<qint64> &edges)
{
    QString sql = u"CASE"_s;
    for (int i = 1; i < edges.size(); ++i)
        sql += u" WHEN d < %1 THEN %2"_s.arg(edges.at(i)).arg(i - 1);
    return sql + u" ELSE %1 END"_s.arg(edges.size() - 1);
}

} // namespace

QList<qint64> DashboardService::histogramEdgesMs()
{
    return {0, 5 * kMinute, 15 * kMinute, kHour, 6 * kHour, 24 * kHour, 48 * kHour};
}

Result<DashboardStats> DashboardService::stats(int days, const QTimeZone &zone) const
{
    if (days < 1 || days > kMaxDays)
        return fail(ErrorCode::Validation, u"days must be 1 to %1"_s.arg(kMaxDays));
    if (!zone.isValid())
        return fail(ErrorCode::Validation, u"invalid time zone"_s);

    DashboardStats s;
    s.days = days;
    s.lastDay = QDateTime::fromMSecsSinceEpoch(m_ctx.clock.nowMs(), zone).date();
    s.firstDay = s.lastDay.addDays(-(days - 1));
    // Where each day starts (startOfDay copes with a midnight skipped by a DST change), and
    // where the day after today starts.
    QList<qint64> starts;
    for (int i = 0; i <= days; ++i) {
        const QDate day = s.firstDay.addDays(i);
        starts.append(day.startOfDay(zone).toMSecsSinceEpoch());
        if (i < days)
            s.perDay.append({day, 0});
    }
    s.fromMs = starts.constFirst();
    s.toMs = starts.constLast();

    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());

    auto funnel = store::runQuery(
        *db, kFunnelSql,
        {toString(AccountStatus::Active), toString(AccountStatus::Disabled), s.fromMs, s.toMs});
    if (!funnel)
        return dbFail(funnel.error());
    while (funnel->next()) {
        const qint64 slotMs = funnel->value(0).toLongLong() * kSlotMs;
        const qint64 count = funnel->value(1).toLongLong();
        // The day whose start is the last one at or before the slot's start.
        const auto next = std::upper_bound(starts.cbegin(), starts.cend(), slotMs);
        const qsizetype day = std::distance(starts.cbegin(), next) - 1;
        if (day >= 0 && day < s.perDay.size())
            s.perDay[day].signups += count;
        s.funnel.signups += count;
        s.funnel.verified += funnel->value(2).toLongLong();
        s.funnel.approved += funnel->value(3).toLongLong();
        s.funnel.rejected += funnel->value(4).toLongLong();
    }

    const QList<qint64> edges = histogramEdgesMs();
    for (int i = 0; i < edges.size(); ++i)
        s.timeToVerify.histogram.append(
            {edges.at(i), i + 1 < edges.size() ? edges.at(i + 1) : 0, 0});
    // One pass over the durations, so that the histogram, the count and the ranks agree: a row
    // per bucket (its first) with the bucket's size, and the rows at the ranks of the median
    // (the middle one, or the two middle ones) and of p90 (nearest rank: ceil(0.9 n)).
    auto times = store::runQuery(
        *db,
        u"SELECT b, bn, r, n, d FROM (SELECT d, b, ROW_NUMBER() OVER (ORDER BY d) AS r,"
        " COUNT(*) OVER () AS n, ROW_NUMBER() OVER (PARTITION BY b ORDER BY d) AS br,"
        " COUNT(*) OVER (PARTITION BY b) AS bn FROM (SELECT d, "_s +
            bucketCase(edges) + u" AS b FROM ("_s + kDurationsSql +
            u") s) t) w WHERE br = 1 OR r = (n + 1) / 2 OR r = n / 2 + 1 OR r = (9 * n + 9) / 10"_s,
        {s.fromMs, s.toMs});
    if (!times)
        return dbFail(times.error());
    QHash<qint64, qint64> byRank;
    qint64 n = 0;
    while (times->next()) {
        const int b = times->value(0).toInt();
        if (b >= 0 && b < s.timeToVerify.histogram.size())
            s.timeToVerify.histogram[b].count = times->value(1).toLongLong();
        byRank.insert(times->value(2).toLongLong(), times->value(4).toLongLong());
        n = times->value(3).toLongLong();
    }
    s.timeToVerify.count = n;
    if (n > 0) {
        const qint64 low = byRank.value((n + 1) / 2), high = byRank.value(n / 2 + 1);
        s.timeToVerify.medianMs = n % 2 == 1 ? low : (low + high) / 2;
        s.timeToVerify.p90Ms = byRank.value((9 * n + 9) / 10);
    }
    return s;
}

} // namespace sd::core
