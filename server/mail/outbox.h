#pragma once

#include "database.h"
#include "message.h"

#include <QList>

namespace sd::mail {

// Held: put aside by an admin; the sender claims only queued (and expired processing) rows,
// so it skips a held one until it is retried.
enum class OutboxStatus
{
    Queued,
    Processing,
    Sent,
    Dead,
    Held
};
QString toString(OutboxStatus status);

// One row of the outbox, as the console and the tests see it.
struct OutboxEntry
{
    QString id;
    QString userId; // empty when the message is not about an account (or it was deleted)
    QString kind;   // verification, already_registered, welcome, rejection, …
    Message message;
    QString status;
    int attempts = 0;
    QString lastError;
    QString serverReply;
    qint64 createdAt = 0;
    qint64 nextAttemptAt = 0;
    qint64 sentAt = 0;
};

// The outbox table: a message is written in the same transaction as the state change that
// caused it, and sent later by the OutboxSender, at least once.
class Outbox
{
public:
    // Queues a message inside the caller's open transaction (db is the transaction's
    // connection). Returns the row id.
    static store::DbResult<QString> enqueue(const QSqlDatabase &db, const QString &kind,
                                            const QString &userId, const Message &message,
                                            qint64 nowMs);

    static store::DbResult<QList<OutboxEntry>> list(store::Database &database,
                                                    const QString &userId = {});

    // The row's status, or empty when there is no such row.
    static store::DbResult<QString> statusOf(const QSqlDatabase &db, const QString &id);
    // Guarded: a dead, queued or held row becomes queued, due at `nowMs`, with its lease
    // cleared. False when the row is processing, sent or gone.
    static store::DbResult<bool> retry(const QSqlDatabase &db, const QString &id, qint64 nowMs);
    // Guarded: a queued row becomes held. False otherwise (claimed meanwhile, sent, gone).
    static store::DbResult<bool> hold(const QSqlDatabase &db, const QString &id);
};

} // namespace sd::mail
