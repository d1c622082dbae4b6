#include "store/transaction.h"

#include "store/sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::store {

DbResult<Transaction> Transaction::begin(Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    const QString sql =
        database.dialect() == Dialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s;
    if (auto r = runQuery(*db, sql); !r) {
        if (database.dialect() == Dialect::Postgres)
            db->close(); // a dead server connection: reconnect on next use
        return std::unexpected(r.error());
    }
    return Transaction(*db);
}

Transaction::Transaction(Transaction &&other) noexcept : m_db(other.m_db), m_open(other.m_open)
{
    other.m_open = false;
}

Transaction::~Transaction()
{
    if (m_open)
        (void)runQuery(m_db, u"ROLLBACK"_s);
}

void Transaction::rollback()
{
    if (m_open)
        (void)runQuery(m_db, u"ROLLBACK"_s);
    m_open = false;
}

DbResult<void> Transaction::commit()
{
    m_open = false;
    if (auto r = runQuery(m_db, u"COMMIT"_s); !r) {
        (void)runQuery(m_db, u"ROLLBACK"_s);
        return std::unexpected(r.error());
    }
    return {};
}

} // namespace sd::store
