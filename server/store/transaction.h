#pragma once

#include "database.h"

#include <memory>

class QMutex;

namespace sd::store {

// An RAII write transaction: rolls back unless commit() succeeded. On SQLite it starts with
// BEGIN IMMEDIATE, so two writers queue instead of failing on upgrade: the writers of one
// process on a mutex (the writer gate, see transaction.cpp), other processes on the busy
// timeout.
class Transaction
{
public:
    static DbResult<Transaction> begin(Database &database);
    // Like begin(), and no other instance sharing the database runs a transaction begun with the
    // same `lockKey` until this one ends: on PostgreSQL a transaction-scoped advisory lock; on
    // SQLite every write transaction is already exclusive (BEGIN IMMEDIATE).
    static DbResult<Transaction> beginExclusive(Database &database, qint64 lockKey);
    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&) = delete;
    ~Transaction();

    const QSqlDatabase &db() const { return m_db; }
    DbResult<void> commit();
    void rollback(); // early, e.g. before reading on the same connection after a failure

private:
    Transaction(QSqlDatabase db, std::shared_ptr<QMutex> writerGate);
    void ended(); // no longer open: counted out of detail::openTransactions(), gate released
    QSqlDatabase m_db;
    std::shared_ptr<QMutex> m_writerGate; // SQLite: held by this thread from BEGIN to the end
    bool m_open = true;
};

} // namespace sd::store
