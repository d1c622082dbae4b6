#include "transaction.h"

#include "sqlquery.h"

#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QSet>

#include <utility>

using namespace Qt::StringLiterals;

namespace sd::store {

namespace {

// SQLite lets one writer in at a time. Left to SQLite alone, a writer that finds the lock taken
// waits in the busy handler, which sleeps 1, 2, 5, 10 … 100 ms between tries: the lock stands
// free while the writers wanting it sleep, and under 16 connections a login's p99 was
// 110-470 ms (bench_datascale.sh, both sizes). So the writers of one process queue on this
// mutex, one per database file, and each is woken the moment the one before it ends (p99
// 70-120 ms, and no fewer logins a second). A single write outside a transaction takes the
// gate too (detail::AutocommitWriteGate, in runQuery). Writers of other processes (an `admin`
// command) still meet the busy handler.
std::shared_ptr<QMutex> writerGateFor(const QString &sqlitePath)
{
    static QMutex gatesMutex;
    static QHash<QString, std::shared_ptr<QMutex>> gates;
    QMutexLocker lock(&gatesMutex);
    auto &gate = gates[QFileInfo(sqlitePath).absoluteFilePath()];
    if (!gate)
        gate = std::make_shared<QMutex>();
    return gate;
}

// The gates this thread holds. A second BEGIN on a thread whose transaction is open fails at
// once in SQLite ("within a transaction"); it must not wait for the gate its own thread holds.
thread_local QSet<const QMutex *> gatesHeldHere;

// Takes the writer gate of the SQLite file `sqlitePath` for the calling thread: nullptr with
// no error when this thread holds it already.
DbResult<std::shared_ptr<QMutex>> enterWriterGate(const QString &sqlitePath)
{
    auto gate = writerGateFor(sqlitePath);
    if (gatesHeldHere.contains(gate.get()))
        return nullptr;
    if (!gate->tryLock(kSqliteBusyTimeoutMs))
        return std::unexpected(
            DbError{u"database is locked: another write of this process held it for %1 s"_s.arg(
                kSqliteBusyTimeoutMs / 1000)});
    gatesHeldHere.insert(gate.get());
    return gate;
}

void leaveWriterGate(const std::shared_ptr<QMutex> &gate)
{
    gatesHeldHere.remove(gate.get());
    gate->unlock();
}

bool isWrite(const QString &sql)
{
    const QStringView head = QStringView(sql).trimmed().left(7);
    for (const auto verb : {u"INSERT", u"UPDATE", u"DELETE", u"REPLACE"}) {
        if (head.startsWith(QStringView(verb), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

namespace detail {

AutocommitWriteGate::AutocommitWriteGate(const QSqlDatabase &db, const QString &sql)
{
    if (db.driverName() != u"QSQLITE"_s || !isWrite(sql))
        return;
    auto gate = enterWriterGate(db.databaseName());
    m_entered = gate.has_value();
    if (gate)
        m_gate = std::move(*gate);
}

AutocommitWriteGate::~AutocommitWriteGate()
{
    if (m_gate)
        leaveWriterGate(m_gate);
}

} // namespace detail

DbResult<Transaction> Transaction::begin(Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    DbResult<std::shared_ptr<QMutex>> gate = nullptr; // none on PostgreSQL
    if (database.dialect() == Dialect::Sqlite)
        gate = enterWriterGate(database.url().sqlitePath);
    if (!gate)
        return std::unexpected(gate.error());
    const QString sql = database.dialect() == Dialect::Sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s;
    // runQuery runs BEGIN once more on a reopened connection when the old one had died.
    if (auto r = runQuery(*db, sql); !r) {
        if (database.dialect() == Dialect::Postgres)
            db->close(); // still failing: reconnect on next use
        if (*gate)
            leaveWriterGate(*gate);
        return std::unexpected(r.error());
    }
    ++detail::openTransactions();
    return Transaction(*db, std::move(*gate));
}

Transaction::Transaction(QSqlDatabase db, std::shared_ptr<QMutex> writerGate)
    : m_db(std::move(db)), m_writerGate(std::move(writerGate))
{
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

Transaction::Transaction(Transaction &&other) noexcept
    : m_db(other.m_db), m_writerGate(std::move(other.m_writerGate)), m_open(other.m_open)
{
    other.m_open = false;
}

void Transaction::ended()
{
    if (m_open) {
        m_open = false;
        --detail::openTransactions();
        if (m_writerGate)
            leaveWriterGate(std::exchange(m_writerGate, nullptr));
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
