#pragma once

#include "database.h"

namespace sd::core {

// The audit log as a hash chain (tamper evidence). Entries are written unsealed inside the
// transactions that cause them (so writers never queue on a chain head); a sealer then gives
// each new entry, in order of time, its place `seq`, the previous entry's hash and its own:
// SHA-256 over the previous hash and the entry's fields. Changing, removing or reordering a
// sealed entry breaks the chain at that entry, which verify() names.
//
// Erasure (issue 13): when an account is deleted, the details of its entries (addresses,
// usernames) are emptied and the entries marked redacted_at. verify() then checks such an
// entry's place and link but not its content, and only if the log records `account.deleted`
// for its subject; any other changed entry still breaks the chain.
namespace auditchain {

// Seals every unsealed entry; returns how many. Serialized across threads and instances
// (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL).
store::DbResult<int> seal(store::Database &database);

struct Verification
{
    bool intact = true;
    qint64 entries = 0;  // sealed entries checked
    qint64 unsealed = 0; // written but not sealed yet
    qint64 brokenSeq = 0;
    QString brokenId;
    QString problem;  // what is wrong with the first broken entry
    QString headHash; // the newest sealed entry's hash: keep it elsewhere to anchor the chain
};

store::DbResult<Verification> verify(store::Database &database);

// The hash of one entry, as stored in entry_hash.
QString entryHash(const QString &previousHash, qint64 seq, const QString &id, qint64 at,
                  const QString &actor, const QString &action, const QString &subjectId,
                  const QString &detail);

} // namespace auditchain
} // namespace sd::core
