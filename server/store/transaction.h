#pragma once

#include "database.h"

namespace sd::store {

// An RAII write transaction: rolls back unless commit() succeeded. On SQLite it starts with
// BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of failing on upgrade.
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
    explicit Transaction(QSqlDatabase db) : m_db(std::move(db)) {}
    void ended(); // no longer open: counted out of detail::openTransactions()
    QSqlDatabase m_db;
    bool m_open = true;
};

} // namespace sd::store
