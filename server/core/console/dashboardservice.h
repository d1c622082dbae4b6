#pragma once

#include "result.h"

#include <QDate>
#include <QList>
#include <QTimeZone>

namespace sd::core {

struct Context; // context.h: private to core

// Signups taken on one calendar day of the console's time zone.
struct DayCount
{
    QDate day;
    qint64 signups = 0;
};

// What became of the signups of a range, whenever it happened. Verified counts an email
// verified by the user or by an admin, and OAuth signups (verified by their provider);
// approved counts accounts approved by an admin or activated without approval.
struct SignupFunnel
{
    qint64 signups = 0;
    qint64 verified = 0;
    qint64 approved = 0;
    qint64 rejected = 0;
};

// Durations in [fromMs, toMs); toMs 0 means no upper bound.
struct DurationBucket
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    qint64 count = 0;
};

// Time from signup to the user's own verification (link, code or signed link) of the signups
// of a range. Admin verifications and OAuth signups are left out: no one waited on an email.
// The median of an even count is the mean of the two middle values; p90 is the nearest rank
// (the smallest duration that at least 90 % of them do not exceed). Both are 0 when count is.
struct VerifyTimes
{
    qint64 count = 0;
    qint64 medianMs = 0;
    qint64 p90Ms = 0;
    QList<DurationBucket> histogram; // every bucket of histogramEdgesMs(), in order
};

// The console's dashboard over the last `days` days: today (in the time zone given) and
// the days before it. The range is [fromMs, toMs): from the start of the first day to the
// start of the day after today.
struct DashboardStats
{
    int days = 0;
    QDate firstDay;
    QDate lastDay; // today
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QList<DayCount> perDay; // one entry per day, oldest first, zeros included
    SignupFunnel funnel;
    VerifyTimes timeToVerify;

    bool isEmpty() const { return funnel.signups == 0; }
};

// The console's dashboard: signups per day, the signup → verified → approved funnel and the
// time to verify, read from the audit log (which keeps the signups that were rejected and
// deleted since). Counted in SQL on SQLite and PostgreSQL alike; days are bucketed in C++ from
// counts per quarter of an hour, so they follow the time zone's daylight-saving changes.
// Read-only and thread-safe: call from a worker thread (never the GUI thread).
class DashboardService
{
public:
    static constexpr int kMaxDays = 366;

    explicit DashboardService(const Context &ctx) : m_ctx(ctx) {}

    // Validation unless 1 <= days <= kMaxDays; Unavailable when the database fails.
    Result<DashboardStats> stats(int days,
                                 const QTimeZone &zone = QTimeZone::systemTimeZone()) const;

    // The lower edges of the time-to-verify buckets, from 0; the last bucket is open-ended.
    static QList<qint64> histogramEdgesMs();

private:
    const Context &m_ctx;
};

} // namespace sd::core
