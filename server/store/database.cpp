#include "database.h"

#include "migrations.h"
#include "sqlquery.h"

#include <QAtomicInteger>
#include <QElapsedTimer>
#include <QMutex>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QThreadStorage>
#include <QUrl>

#include <atomic>

using namespace Qt::StringLiterals;

namespace sd::store {

std::expected<DatabaseUrl, QString> DatabaseUrl::parse(const QString &text)
{
    DatabaseUrl result;
    if (text.startsWith(u"sqlite:"_s)) {
        result.dialect = Dialect::Sqlite;
        result.sqlitePath = text.mid(7);
        if (result.sqlitePath.startsWith(u"//"_s)) // sqlite:///abs/path
            result.sqlitePath = result.sqlitePath.mid(2);
        if (result.sqlitePath.isEmpty())
            return std::unexpected(u"database/url: sqlite: needs a file path"_s);
        return result;
    }
    if (text.startsWith(u"postgresql://"_s) || text.startsWith(u"postgres://"_s)) {
        const QUrl url(text);
        if (!url.isValid() || url.host().isEmpty())
            return std::unexpected(u"database/url: not a valid postgresql:// URL"_s);
        result.dialect = Dialect::Postgres;
        result.host = url.host();
        result.port = url.port(5432);
        result.user = url.userName();
        result.password = url.password();
        result.name = url.path().mid(1);
        if (result.name.isEmpty())
            return std::unexpected(u"database/url: the postgresql:// URL names no database"_s);
        return result;
    }
    return std::unexpected(
        u"database/url: use sqlite:/path/file.db or postgresql://user:pass@host:port/db"_s);
}

QString DatabaseUrl::redacted() const
{
    if (dialect == Dialect::Sqlite)
        return u"sqlite:"_s + sqlitePath;
    return u"postgresql://%1@%2:%3/%4"_s.arg(user, host).arg(port).arg(name);
}

// The names of the connections each thread opened, so they can be removed when the thread
// or the Database goes away.
struct Database::ThreadConnections
{
    QMutex mutex;
    QStringList names;
};

namespace {

// Removes a thread's connection when that thread finishes.
struct ConnectionHandle
{
    ConnectionHandle(QString n, std::weak_ptr<void> o) : name(std::move(n)), owner(std::move(o)) {}
    ConnectionHandle(const ConnectionHandle &) = delete;
    ConnectionHandle &operator=(const ConnectionHandle &) = delete;
    QString name;
    std::weak_ptr<void> owner;
    QHash<QString, std::shared_ptr<QSqlQuery>> prepared; // hot statements, parsed once
    ~ConnectionHandle()
    {
        prepared.clear(); // before the connection goes
        if (!owner.expired() && QSqlDatabase::contains(name)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
    }
};

QThreadStorage<QHash<QString, std::shared_ptr<ConnectionHandle>> *> threadHandles;

QAtomicInteger<quint64> databaseCounter;

} // namespace

Database::Database(DatabaseUrl url)
    : m_url(std::move(url)), m_prefix(u"sd%1_"_s.arg(databaseCounter.fetchAndAddRelaxed(1))),
      m_connections(std::make_shared<ThreadConnections>())
{
}

Database::~Database()
{
    QMutexLocker lock(&m_connections->mutex);
    for (const QString &name : std::as_const(m_connections->names)) {
        if (QSqlDatabase::contains(name)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name);
        }
    }
}

DbResult<QSqlDatabase> Database::connection()
{
    const QString name =
        m_prefix + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
        if (threadHandles.hasLocalData())
            if (auto handle = threadHandles.localData()->value(name))
                handle->prepared.clear(); // they belonged to the closed connection
        if (db.open())
            return db;
        return std::unexpected(DbError{describeError(db.lastError())});
    }

    QSqlDatabase db;
    if (m_url.dialect == Dialect::Sqlite) {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(m_url.sqlitePath);
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=%1"_s.arg(kSqliteBusyTimeoutMs));
    } else {
        db = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.name);
        db.setConnectOptions(u"connect_timeout=5"_s);
    }
    {
        QMutexLocker lock(&m_connections->mutex);
        m_connections->names.append(name);
    }
    if (!threadHandles.hasLocalData())
        threadHandles.setLocalData(new QHash<QString, std::shared_ptr<ConnectionHandle>>);
    threadHandles.localData()->insert(name,
                                      std::make_shared<ConnectionHandle>(name, m_connections));

    if (!db.open())
        return std::unexpected(DbError{describeError(db.lastError())});
    if (m_url.dialect == Dialect::Sqlite) {
        // WAL lets readers run beside the one writer; FULL makes an answered write survive a
        // power cut, not only a crash of the process.
        if (auto r = enterWalMode(db); !r)
            return std::unexpected(r.error());
        for (const QString &pragma : {u"PRAGMA synchronous=FULL"_s, u"PRAGMA foreign_keys=ON"_s}) {
            if (auto r = runQuery(db, pragma); !r)
                return std::unexpected(r.error());
        }
    }
    return db;
}

// PRAGMA journal_mode=WAL on a file that another connection is turning into WAL, or writing in
// the rollback journal it starts with, can answer SQLITE_BUSY at once, without the busy
// handler (several instances, or an `admin` command, opening one new database together). It
// is tried again, a few milliseconds apart, for as long as the busy timeout.
DbResult<void> Database::enterWalMode(const QSqlDatabase &db)
{
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        QSqlQuery query(db);
        if (query.exec(u"PRAGMA journal_mode=WAL"_s))
            return {};
        const QSqlError error = query.lastError();
        const bool busy = error.nativeErrorCode() == u"5"_s     // SQLITE_BUSY
                          || error.nativeErrorCode() == u"6"_s; // SQLITE_LOCKED
        if (!busy || waited.elapsed() >= kSqliteBusyTimeoutMs)
            return std::unexpected(
                DbError{describeError(error) + u" in: PRAGMA journal_mode=WAL"_s});
        QThread::msleep(5);
    }
}

DbResult<QSqlQuery *> Database::prepared(const QString &sql)
{
    auto db = connection();
    if (!db)
        return std::unexpected(db.error());
    auto *handles = threadHandles.localData();
    auto handle = handles ? handles->value(db->connectionName()) : nullptr;
    if (!handle)
        return std::unexpected(DbError{u"no connection handle for this thread"_s});
    auto &query = handle->prepared[sql];
    if (!query) {
        query = std::make_shared<QSqlQuery>(*db);
        query->setForwardOnly(true);
        if (!query->prepare(sql)) {
            const QString error = describeError(query->lastError());
            handle->prepared.remove(sql);
            return std::unexpected(DbError{error + u" in: "_s + sql});
        }
    }
    return query.get();
}

DbResult<QSqlQuery *> Database::runPrepared(const QString &sql, const QVariantList &params)
{
    if (const auto *observer = detail::statementObserver())
        (*observer)(sql, params);
    for (int attempt = 0;; ++attempt) {
        auto query = prepared(sql);
        if (!query)
            return std::unexpected(query.error());
        for (const QVariant &p : params)
            (*query)->addBindValue(p);
        if ((*query)->exec())
            return *query;
        const QString error = describeError((*query)->lastError());
        (*query)->finish();
        // A connection that died (PostgreSQL restarted) is reopened and the statement runs
        // once more; never inside a transaction (reopenIfDead refuses there).
        if (attempt > 0 || !reopenIfDead())
            return std::unexpected(DbError{error + u" in: "_s + sql});
    }
}

QString describeError(const QSqlError &error)
{
    const QString text = error.text().trimmed();
    if (!text.isEmpty())
        return text;
    if (error.type() == QSqlError::NoError)
        return u"no error reported by the driver"_s;
    return u"driver error of type %1 with no message (native code '%2'); the connection may have gone"_s
        .arg(int(error.type()))
        .arg(error.nativeErrorCode());
}

namespace detail {

namespace {
std::atomic<const StatementObserver *> g_statementObserver{nullptr};
}

void setStatementObserver(const StatementObserver *observer)
{
    g_statementObserver.store(observer);
}

const StatementObserver *statementObserver()
{
    return g_statementObserver.load(std::memory_order_relaxed);
}

int &openTransactions()
{
    thread_local int count = 0;
    return count;
}

bool reopenIfDead(QSqlDatabase db)
{
    if (db.driverName() != u"QPSQL"_s || openTransactions() > 0)
        return false; // SQLite files do not go away; inside a transaction nothing may rerun
    {
        QSqlQuery probe(db);
        if (probe.exec(u"SELECT 1"_s))
            return false; // the connection answers: the statement failed on its own
    }
    if (threadHandles.hasLocalData())
        if (auto handle = threadHandles.localData()->value(db.connectionName()))
            handle->prepared.clear(); // they belonged to the dead connection
    db.close();
    if (!db.open()) {
        qWarning("database: reconnecting after a lost connection failed: %s",
                 qPrintable(describeError(db.lastError())));
        return false;
    }
    qInfo("database: the connection was lost and has been reopened");
    return true;
}

} // namespace detail

bool Database::reopenIfDead()
{
    auto db = connection();
    return db && detail::reopenIfDead(*db);
}

bool Database::ping()
{
    auto db = connection();
    if (!db)
        return false;
    // Prepared once per connection: GET /healthz runs this on every probe, and parsing the
    // statement each time cost more than running it (issue 19).
    auto r = runPrepared(u"SELECT 1"_s, {});
    if (!r) {
        db->close(); // re-open on the next call: the server may have come back
        return false;
    }
    const bool row = (*r)->next();
    (*r)->finish(); // the statement stays prepared, reset for the next probe
    return row;
}

DbResult<int> Database::migrate()
{
    return applyMigrations(*this);
}

} // namespace sd::store
