#include "metricsservice.h"

#include "context.h"
#include "sqlquery.h"
#include "vocabulary.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Every status a row of `table` may have, counted, zeros included: a series that disappears
// when it reaches zero breaks rate() and alerts on it.
store::DbResult<QList<std::pair<QString, qint64>>>
countByStatus(const QSqlDatabase &db, const QString &table, const QStringList &statuses)
{
    auto q = store::runQuery(db, u"SELECT status, COUNT(*) FROM %1 GROUP BY status"_s.arg(table));
    if (!q)
        return std::unexpected(q.error());
    QHash<QString, qint64> counts;
    while (q->next())
        counts.insert(q->value(0).toString(), q->value(1).toLongLong());
    QList<std::pair<QString, qint64>> out;
    for (const QString &status : statuses)
        out.append({status, counts.take(status)});
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) // a status added later
        out.append({it.key(), it.value()});
    return out;
}

} // namespace

Result<MetricsSnapshot> MetricsService::snapshot() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    MetricsSnapshot s;
    auto accounts = countByStatus(
        *db, u"users"_s,
        {u"pending_verification"_s, u"pending_approval"_s, u"active"_s, u"disabled"_s});
    if (!accounts)
        return dbFail(accounts.error());
    s.accounts = *accounts;
    auto outbox = countByStatus(*db, u"outbox"_s,
                                {u"queued"_s, u"processing"_s, u"sent"_s, u"dead"_s, u"held"_s});
    if (!outbox)
        return dbFail(outbox.error());
    s.outboxMessages = *outbox;
    auto webhooks = countByStatus(*db, u"webhook_deliveries"_s,
                                  {u"queued"_s, u"processing"_s, u"delivered"_s, u"dead"_s});
    if (!webhooks)
        return dbFail(webhooks.error());
    s.webhookDeliveries = *webhooks;
    s.rateLimitRejections = m_ctx.limiter.rejections();
    s.passwordHashQueue = qint64(m_ctx.hasher.inProgress());
    return s;
}

} // namespace sd::core
