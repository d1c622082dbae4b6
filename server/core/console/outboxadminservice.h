#pragma once

#include "outbox.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// The console's hand on the outbox: every email, and Retry / Hold. Each change is one guarded
// UPDATE in a transaction with its audit entry (subject: the outbox row's id). Call from a
// worker thread.
class OutboxAdminService
{
public:
    explicit OutboxAdminService(const Context &ctx) : m_ctx(ctx) {}

    // Every email, oldest first. Bodies of sent emails read "[redacted after sending]".
    Result<QList<mail::OutboxEntry>> list() const;
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
