#include "console/outboxadminservice.h"

#include "audit/auditlog.h"
#include "context.h"
#include "outbox.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace sd::core {

Result<QList<OutboxEntry>> OutboxAdminService::list() const
{
    auto rows = mail::Outbox::list(m_ctx.database);
    if (!rows)
        return dbFail(rows.error());
    QList<OutboxEntry> out;
    out.reserve(rows->size());
    for (const mail::OutboxEntry &e : std::as_const(*rows))
        out.append({e.id, e.userId, e.kind, e.message.from, e.message.to, e.message.subject,
                    e.status, e.attempts, e.lastError, e.serverReply, e.createdAt, e.nextAttemptAt,
                    e.sentAt, e.message.previewText});
    return out;
}

namespace {

using Change = store::DbResult<bool> (*)(const QSqlDatabase &, const QString &, qint64);

Result<void> change(const Context &ctx, const QString &outboxId, const Actor &actor, Change apply,
                    const QString &action)
{
    const qint64 now = ctx.clock.nowMs();
    auto tx = store::Transaction::begin(ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto status = mail::Outbox::statusOf(tx->db(), outboxId);
    if (!status)
        return dbFail(status.error());
    if (status->isEmpty())
        return fail(ErrorCode::NotFound, u"no such email"_s);
    auto changed = apply(tx->db(), outboxId, now);
    if (!changed)
        return dbFail(changed.error());
    if (!*changed)
        return fail(ErrorCode::Conflict, u"email is "_s + *status);
    if (auto r = auditlog::record(tx->db(), now, actor.name, action, outboxId, u"was="_s + *status);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return {};
}

} // namespace

Result<void> OutboxAdminService::retry(const QString &outboxId, const Actor &actor)
{
    auto r = change(m_ctx, outboxId, actor, &mail::Outbox::retry, u"mail.retried"_s);
    if (r)
        emit m_ctx.events.mailQueued();
    return r;
}

Result<void> OutboxAdminService::hold(const QString &outboxId, const Actor &actor)
{
    return change(
        m_ctx, outboxId, actor,
        [](const QSqlDatabase &db, const QString &id, qint64) {
            return mail::Outbox::hold(db, id);
        },
        u"mail.held"_s);
}

} // namespace sd::core
