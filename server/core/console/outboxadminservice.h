#pragma once

#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// One email as the console's Outbox tab shows it. Not its body (it holds a link with a live
// token until it is sent, and is redacted after): its preview, the text with every token and
// code masked.
struct OutboxEntry
{
    QString id;
    QString userId; // empty when the email is not about an account (or it was deleted)
    QString kind;   // verification, already_registered, welcome, rejection, …
    QString from;
    QString to;
    QString subject;
    QString status; // queued, processing, sent, dead, held
    int attempts = 0;
    QString lastError;
    QString serverReply;
    qint64 createdAt = 0;
    qint64 nextAttemptAt = 0;
    qint64 sentAt = 0;
    QString preview; // empty for emails queued before previews were kept
};

// The console's hand on the outbox: every email, and Retry / Hold. Each change is one guarded
// UPDATE in a transaction with its audit entry (subject: the outbox row's id). Call from a
// worker thread.
class OutboxAdminService
{
public:
    explicit OutboxAdminService(const Context &ctx) : m_ctx(ctx) {}

    // Every email, oldest first.
    Result<QList<OutboxEntry>> list() const;
    // A dead, queued or held email is queued again, due now (a dead one gets one more attempt).
    // NotFound; Conflict when it is being sent or was sent meanwhile.
    Result<void> retry(const QString &outboxId, const Actor &actor);
    // A queued email is held: the sender skips it until it is retried. NotFound; Conflict
    // unless queued (a sender may have claimed it meanwhile).
    Result<void> hold(const QString &outboxId, const Actor &actor);

private:
    const Context &m_ctx;
};

} // namespace sd::core
