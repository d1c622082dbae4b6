#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <QVariantList>

#include <expected>
#include <functional>
#include <memory>

class QMutex;

namespace sd::store {

// A failed database operation: the driver's text, for logs (never shown to end users).
struct DbError
{
    QString message;
};

template <typename T> using DbResult = std::expected<T, DbError>;

// A driver error as text for logs; never empty (a dead PostgreSQL connection may report none).
QString describeError(const QSqlError &error);

namespace detail {
// See Database::reopenIfDead(); for code that holds only the QSqlDatabase (runQuery).
bool reopenIfDead(QSqlDatabase db);
// How many transactions the calling thread has open: a statement inside one is never run
// twice (the transaction ended with the connection).
int &openTransactions();
// For tests only (tst_queryplans: EXPLAIN of every statement a hot path runs): when set, sees
// every statement run through runQuery and Database::runPrepared, with its values, on the
// thread that runs it. Set it while no statement runs; null unsets. Costs one atomic load.
using StatementObserver = std::function<void(const QString &sql, const QVariantList &params)>;
void setStatementObserver(const StatementObserver *observer);
const StatementObserver *statementObserver();

// Holds, for one statement run outside a transaction, the SQLite writer gate of the statement's
// database file (see transaction.cpp) when the statement writes (INSERT, UPDATE, DELETE,
// REPLACE), so a lone write queues with the transactions of its process instead of meeting
// them in SQLite's busy handler. Nothing on PostgreSQL, for reads, or when this thread holds
// the gate already (inside a Transaction).
class AutocommitWriteGate
{
public:
    AutocommitWriteGate(const QSqlDatabase &db, const QString &sql);
    ~AutocommitWriteGate();
    AutocommitWriteGate(const AutocommitWriteGate &) = delete;
    AutocommitWriteGate &operator=(const AutocommitWriteGate &) = delete;
    // False when the gate stayed taken for the whole busy timeout: the statement must not run.
    bool entered() const { return m_entered; }

private:
    std::shared_ptr<QMutex> m_gate;
    bool m_entered = true;
};
} // namespace detail

enum class Dialect
{
    Sqlite,
    Postgres
};

// Where the data lives: `sqlite:/path/file.db` or `postgresql://user:pass@host:port/db`.
struct DatabaseUrl
{
    Dialect dialect = Dialect::Sqlite;
    QString sqlitePath;
    QString host, user, password, name;
    int port = 5432;

    static std::expected<DatabaseUrl, QString> parse(const QString &url);
    QString redacted() const; // for logs: never the password
};

// Hands out one QSqlDatabase connection per thread (QtSql connections must not cross
// threads). SQLite connections run in WAL mode with synchronous=FULL, foreign keys on and a
// busy timeout; PostgreSQL connections use the driver defaults (READ COMMITTED).
// Thread-safe; connections are closed when their thread ends or the Database is destroyed.
// How long a SQLite writer waits for the write lock (the busy timeout, and the writer gate of
// Transaction) before it fails as busy.
inline constexpr int kSqliteBusyTimeoutMs = 10000;

class Database
{
public:
    explicit Database(DatabaseUrl url);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    Dialect dialect() const { return m_url.dialect; }
    const DatabaseUrl &url() const { return m_url; }

    // The calling thread's connection, opened on first use (and re-opened after a failure).
    DbResult<QSqlDatabase> connection();

    // A statement of the calling thread's connection, prepared once and kept for the hot
    // paths (session checks). Valid until the connection closes; bind and exec it at once,
    // and finish() it after reading.
    DbResult<QSqlQuery *> prepared(const QString &sql);
    // prepared(sql) bound to `params` and run: one round trip on PostgreSQL. Outside a
    // transaction it runs once more on a reopened connection when the old one had died. Read
    // its rows at once, then finish() it.
    DbResult<QSqlQuery *> runPrepared(const QString &sql, const QVariantList &params);

    // Applies every migration that has not run yet. Safe to call from several instances.
    DbResult<int> migrate();

    // True when a trivial query answers.
    bool ping();

    // After a statement failed on the calling thread's connection: when the connection itself
    // is dead (PostgreSQL restarted, or pg_terminate_backend ended it), it is reopened and true
    // is returned, so the caller may run a read, or the first statement of a transaction, once
    // more. False when the connection still answers (the failure was the statement's own) or
    // could not be reopened.
    bool reopenIfDead();

private:
    struct ThreadConnections;
    static DbResult<void> enterWalMode(const QSqlDatabase &db);
    DatabaseUrl m_url;
    QString m_prefix; // unique per Database object, so several can live in one process
    std::shared_ptr<ThreadConnections> m_connections;
};

} // namespace sd::store
