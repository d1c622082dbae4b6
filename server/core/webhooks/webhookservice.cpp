#include "webhookservice.h"

#include "context.h"
#include "leasedclaim.h"
#include "sqlquery.h"
#include "transaction.h"
#include "vocabulary.h"
#include "webhooks.h"

#include <QRandomGenerator>

#include <algorithm>
#include <utility>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

const QString kColumns =
    u"id, message_id, event_type, url, payload, status, attempts, last_status, last_error,"
    " created_at, next_attempt_at, delivered_at, seq"_s;

WebhookDelivery rowOf(const QSqlQuery &q)
{
    WebhookDelivery d;
    d.id = q.value(0).toString();
    d.messageId = q.value(1).toString();
    d.eventType = q.value(2).toString();
    d.url = q.value(3).toString();
    d.payload = q.value(4).toString().toUtf8();
    d.status = q.value(5).toString();
    d.attempts = q.value(6).toInt();
    d.lastStatus = q.value(7).toInt();
    d.lastError = q.value(8).toString();
    d.createdAt = q.value(9).toLongLong();
    d.nextAttemptAt = q.value(10).toLongLong();
    d.deliveredAt = q.value(11).toLongLong();
    d.seq = q.value(12).toLongLong();
    return d;
}

} // namespace

Result<QList<WebhookDelivery>> WebhookService::claimDue(const QString &owner,
                                                        const WebhookPolicy &policy)
{
    // As the mail outbox claims (store::claimLeased); the lease brings back the rows of a sender
    // that died holding them.
    QList<WebhookDelivery> claimed;
    auto r = store::claimLeased(m_ctx.database,
                                {u"webhook_deliveries"_s, kColumns, owner, m_ctx.clock.nowMs(),
                                 policy.leaseMs, policy.batchSize},
                                [&](const QSqlQuery &q) { claimed.append(rowOf(q)); });
    if (!r)
        return dbFail(r.error());
    // In queue order: RETURNING gives the claimed rows in no particular order.
    std::ranges::sort(claimed, {},
                      [](const WebhookDelivery &d) { return std::pair(d.nextAttemptAt, d.seq); });
    return claimed;
}

Result<QString> WebhookService::finish(const WebhookDelivery &d, const QString &owner,
                                       const WebhookPolicy &policy, int httpStatus,
                                       const QString &error)
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    const qint64 now = m_ctx.clock.nowMs();
    const int attempts = d.attempts + 1;
    QString status;
    qint64 next = now;
    if (httpStatus >= 200 && httpStatus < 300) {
        status = u"delivered"_s;
    } else if (attempts >= policy.maxAttempts) {
        status = u"dead"_s;
    } else {
        status = u"queued"_s;
        qint64 backoff = policy.baseBackoffMs;
        for (int i = 1; i < attempts && backoff < policy.maxBackoffMs; ++i)
            backoff *= 2;
        backoff = qMin(backoff, policy.maxBackoffMs);
        const qint64 jitter = backoff / 4; // so failed receivers are not hit in lockstep
        if (jitter > 0)
            backoff += QRandomGenerator::global()->bounded(2 * jitter + 1) - jitter;
        next = now + backoff;
    }
    auto r = store::runQuery(
        *db,
        u"UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?,"
        " next_attempt_at = ?, delivered_at = ?, lease_until = NULL, lease_owner = NULL"
        " WHERE id = ? AND lease_owner = ?"_s,
        {status, attempts, httpStatus, error.left(500), next,
         status == u"delivered"_s ? QVariant(now) : QVariant(), d.id, owner});
    if (!r)
        return dbFail(r.error());
    return status;
}

Result<QList<WebhookDelivery>> WebhookService::list(int limit) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db,
                             u"SELECT "_s + kColumns +
                                 u" FROM webhook_deliveries ORDER BY created_at DESC, id LIMIT ?"_s,
                             {limit});
    if (!q)
        return dbFail(q.error());
    QList<WebhookDelivery> out;
    while (q->next())
        out.append(rowOf(*q));
    return out;
}

Result<bool> WebhookService::retry(const QString &id)
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q =
        store::runQuery(*db,
                        u"UPDATE webhook_deliveries SET status = 'queued', next_attempt_at = ?,"
                        " lease_until = NULL, lease_owner = NULL"
                        " WHERE id = ? AND status IN ('dead', 'queued')"_s,
                        {m_ctx.clock.nowMs(), id});
    if (!q)
        return dbFail(q.error());
    return q->numRowsAffected() == 1;
}

Result<void> WebhookService::queueTestEvent()
{
    if (m_ctx.config.webhookUrls.isEmpty())
        return fail(ErrorCode::NotFound, u"webhooks/urls is empty"_s);
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    // Past webhooks/events: a test is asked for by name.
    if (auto r = queueWebhookEvent(m_ctx, tx->db(), u"webhook.test", QJsonObject{{u"test"_s, true}},
                                   WebhookFilter::None);
        !r)
        return r;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return {};
}

} // namespace sd::core
