#include "outbox.h"

#include "sqlquery.h"

#include <QUuid>

using namespace Qt::StringLiterals;

namespace sd::mail {

QString toString(OutboxStatus status)
{
    switch (status) {
    case OutboxStatus::Queued:
        return u"queued"_s;
    case OutboxStatus::Processing:
        return u"processing"_s;
    case OutboxStatus::Sent:
        return u"sent"_s;
    case OutboxStatus::Dead:
        return u"dead"_s;
    case OutboxStatus::Held:
        return u"held"_s;
    }
    return {};
}

store::DbResult<QString> Outbox::enqueue(const QSqlDatabase &db, const QString &kind,
                                         const QString &userId, const Message &message,
                                         qint64 nowMs)
{
    const QString id = u"msg_"_s + QUuid::createUuid().toString(QUuid::Id128);
    auto r = store::runQuery(
        db,
        u"INSERT INTO outbox (id, message_id, user_id, kind, sender, recipient, subject,"
        " body_text, body_html, body_preview, status, attempts, created_at, next_attempt_at, seq)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?,"
        " (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox))"_s,
        {id, message.messageId, userId.isEmpty() ? QVariant() : userId, kind, message.from,
         message.to, message.subject, message.textBody, message.htmlBody, message.previewText,
         nowMs, nowMs});
    if (!r)
        return std::unexpected(r.error());
    return id;
}

store::DbResult<QList<OutboxEntry>> Outbox::list(store::Database &database, const QString &userId)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    const QString columns =
        u"SELECT id, user_id, kind, message_id, sender, recipient, subject, body_text, body_html,"
        " status, attempts, last_error, server_reply, created_at, next_attempt_at, sent_at,"
        " body_preview FROM outbox"_s;
    auto q =
        userId.isEmpty()
            ? store::runQuery(*db, columns + u" ORDER BY created_at, seq, id"_s)
            : store::runQuery(*db, columns + u" WHERE user_id = ? ORDER BY created_at, seq, id"_s,
                              {userId});
    if (!q)
        return std::unexpected(q.error());
    QList<OutboxEntry> out;
    while (q->next()) {
        OutboxEntry e;
        e.id = q->value(0).toString();
        e.userId = q->value(1).toString();
        e.kind = q->value(2).toString();
        e.message.messageId = q->value(3).toString();
        e.message.from = q->value(4).toString();
        e.message.to = q->value(5).toString();
        e.message.subject = q->value(6).toString();
        e.message.textBody = q->value(7).toString();
        e.message.htmlBody = q->value(8).toString();
        e.message.date = QDateTime::fromMSecsSinceEpoch(q->value(13).toLongLong(), Qt::UTC);
        e.status = q->value(9).toString();
        e.attempts = q->value(10).toInt();
        e.lastError = q->value(11).toString();
        e.serverReply = q->value(12).toString();
        e.createdAt = q->value(13).toLongLong();
        e.nextAttemptAt = q->value(14).toLongLong();
        e.sentAt = q->value(15).toLongLong();
        e.message.previewText = q->value(16).toString();
        out.append(e);
    }
    return out;
}

store::DbResult<QString> Outbox::statusOf(const QSqlDatabase &db, const QString &id)
{
    auto q = store::runQuery(db, u"SELECT status FROM outbox WHERE id = ?"_s, {id});
    if (!q)
        return std::unexpected(q.error());
    return q->next() ? q->value(0).toString() : QString();
}

store::DbResult<bool> Outbox::retry(const QSqlDatabase &db, const QString &id, qint64 nowMs)
{
    auto q = store::runQuery(db,
                             u"UPDATE outbox SET status = 'queued', next_attempt_at = ?,"
                             " lease_until = NULL, lease_owner = NULL"
                             " WHERE id = ? AND status IN ('dead', 'queued', 'held')"_s,
                             {nowMs, id});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

store::DbResult<bool> Outbox::hold(const QSqlDatabase &db, const QString &id)
{
    auto q = store::runQuery(
        db, u"UPDATE outbox SET status = 'held' WHERE id = ? AND status = 'queued'"_s, {id});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

} // namespace sd::mail
