#pragma once

#include "database.h"

#include <QSqlQuery>

#include <functional>

namespace sd::store {

// A batch of a leased queue (the mail outbox, webhook deliveries) to claim: its due rows are
// status 'queued' with next_attempt_at reached, or 'processing' with an expired lease (a
// sender that died holding them).
struct LeasedClaim
{
    QString table;
    QString columns; // returned for each claimed row
    QString owner;   // lease_owner of the claimed rows
    qint64 nowMs = 0;
    qint64 leaseMs = 0;
    int batchSize = 0;
};

// Claims up to batchSize due rows, oldest due first, in one statement committed once, and
// hands each claimed row to `read` (in no particular order). A plain read first finds whether
// anything is due, so a poll that finds nothing takes no write lock. On PostgreSQL rows another
// instance is claiming at this moment are skipped (FOR UPDATE SKIP LOCKED), so the senders of
// several instances split the queue; SQLite has one writer at a time. Returns how many rows
// were claimed.
DbResult<int> claimLeased(Database &database, const LeasedClaim &claim,
                          const std::function<void(const QSqlQuery &)> &read);

} // namespace sd::store
