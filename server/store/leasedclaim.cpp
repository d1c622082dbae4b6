#include "leasedclaim.h"

#include "sqlquery.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace sd::store {

DbResult<int> claimLeased(Database &database, const LeasedClaim &claim,
                          const std::function<void(const QSqlQuery &)> &read)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    const QString due = u" WHERE (status = 'queued' AND next_attempt_at <= ?)"
                        " OR (status = 'processing' AND lease_until < ?)"_s;
    auto anyDue = runQuery(*db, u"SELECT 1 FROM "_s + claim.table + due + u" LIMIT 1"_s,
                           {claim.nowMs, claim.nowMs});
    if (!anyDue)
        return std::unexpected(anyDue.error());
    if (!anyDue->next())
        return 0;
    anyDue->finish();
    // In a transaction: a statement with RETURNING keeps SQLite's write lock until its rows are
    // read, and the transaction holds the writer gate as long.
    auto tx = Transaction::begin(database);
    if (!tx)
        return std::unexpected(tx.error());
    auto q = runQuery(
        tx->db(),
        u"UPDATE "_s + claim.table +
            u" SET status = 'processing', lease_until = ?, lease_owner = ?"
            " WHERE id IN (SELECT id FROM "_s +
            claim.table + due + u" ORDER BY next_attempt_at, seq LIMIT ?"_s +
            (database.dialect() == Dialect::Postgres ? u" FOR UPDATE SKIP LOCKED"_s : QString()) +
            u") RETURNING "_s + claim.columns,
        {claim.nowMs + claim.leaseMs, claim.owner, claim.nowMs, claim.nowMs, claim.batchSize});
    if (!q)
        return std::unexpected(q.error());
    int claimed = 0;
    while (q->next()) {
        read(*q);
        ++claimed;
    }
    q->finish();
    if (auto r = tx->commit(); !r)
        return std::unexpected(r.error());
    return claimed;
}

} // namespace sd::store
