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
    if (auto r = runQuery(*db, sql); !r) {
        if (database.dialect() == Dialect::Postgres)
            db->close(); // a dead server connection: reconnect on next use
        return std::unexpected(r.error());
    }
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
}

void Transaction::rollback()
{
    if (m_open)
        rollbackLogged(m_db);
    m_open = false;
}

DbResult<void> Transaction::commit()
{
    m_open = false;
    if (auto r = runQuery(m_db, u"COMMIT"_s); !r) {
        rollbackLogged(m_db);
        return std::unexpected(r.error());
    }
    return {};
}

} // namespace sd::store
