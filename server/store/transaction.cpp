#include "transaction.h"

#include "sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::store {

DbResult<Transaction> Transaction::begin(Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    const QString sql = database.dialect() == Dialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s;
    // runQuery runs BEGIN once more on a reopened connection when the old one had died.
    if (auto r = runQuery(*db, sql); !r) {
        if (database.dialect() == Dialect::Postgres)
            db->close(); // still failing: reconnect on next use
        return std::unexpected(r.error());
    }
    ++detail::openTransactions();
    return Transaction(*db);
}

DbResult<Transaction> Transaction::beginExclusive(Database &database, qint64 lockKey)
{
    auto tx = begin(database);
    if (!tx || database.dialect() != Dialect::Postgres)
        return tx;
    if (auto r = runQuery(tx->db(), u"SELECT pg_advisory_xact_lock(?)"_s, {lockKey}); !r)
        return std::unexpected(r.error());
    return tx;
}

Transaction::Transaction(Transaction &&other) noexcept : m_db(other.m_db), m_open(other.m_open)
{
    other.m_open = false;
}

void Transaction::ended()
{
    if (m_open) {
        m_open = false;
        --detail::openTransactions();
    }
}

namespace {

// A ROLLBACK that fails leaves nothing to undo for the caller (the server ends the transaction
// when the connection goes), so it is not an error of the operation: it is logged, once.
void rollbackLogged(const QSqlDatabase &db)
{
    if (auto r = runQuery(db, u"ROLLBACK"_s); !r)
        qWarning("database: ROLLBACK failed: %s", qPrintable(r.error().message));
}

} // namespace

Transaction::~Transaction()
{
    if (m_open)
        rollbackLogged(m_db);
    ended();
}

void Transaction::rollback()
{
    if (m_open)
        rollbackLogged(m_db);
    ended();
}

DbResult<void> Transaction::commit()
{
    if (!m_open)
        return std::unexpected(DbError{u"COMMIT of a transaction that has ended"_s});
    // Counted open until COMMIT has answered: a COMMIT is never sent twice.
    auto r = runQuery(m_db, u"COMMIT"_s);
    if (!r)
        rollbackLogged(m_db);
    ended();
    if (!r)
        return std::unexpected(r.error());
    return {};
}

} // namespace sd::store
