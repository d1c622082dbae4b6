// The storage suite: one body, built twice. tst_database_sqlite runs it on a fresh SQLite file
// per test; tst_database_pg (SD_TEST_BACKEND_PG) on a database of its own on the fixture's
// PostgreSQL server, reset before each test, and fails, never skips, when that server is not there.
#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "database.h"
#include "migrations.h"
#include "sqlquery.h"
#include "support/testenv.h"
#include "transaction.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <latch>
#include <limits>

using namespace Qt::StringLiterals;
using namespace sd;
using core::Account;
using core::AccountStatus;
using core::TokenRow;
using store::Database;
using store::DatabaseUrl;
using store::Dialect;
using store::Transaction;

namespace {

#ifdef SD_TEST_BACKEND_PG
constexpr bool kPostgres = true;
#else
constexpr bool kPostgres = false;
#endif

constexpr qint64 kNowMs = 1'700'000'000'000;
const QString kOwnDatabase = u"signupdesk_test_store"_s; // PostgreSQL only

Account makeAccount(const QString &id, const QString &username,
                    AccountStatus status = AccountStatus::PendingVerification)
{
    Account a;
    a.id = id;
    a.username = username;
    a.email = username + u"@example.org"_s;
    a.displayName = u"Display "_s + username;
    a.passwordHash = u"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"_s;
    a.status = status;
    a.apps = {u"default"_s};
    a.groups = {};
    a.signUpTimeMs = kNowMs;
    a.remoteIp = u"192.0.2.1"_s;
    return a;
}

TokenRow makeToken(const QString &id, const QString &userId, qint64 expiresAt = kNowMs + 3'600'000)
{
    TokenRow t;
    t.id = id;
    t.userId = userId;
    t.kind = core::toString(core::TokenKind::Verification);
    t.createdAt = kNowMs;
    t.expiresAt = expiresAt;
    return t;
}

QString statusName(AccountStatus s)
{
    return core::toString(s);
}

// What happened when N threads ran one guarded change at the same moment.
struct RaceOutcome
{
    int succeeded = 0;  // the change returned true
    int lost = 0;       // it returned false
    QStringList errors; // any database error, anywhere
    int distinctConnections = 0;
};

// Starts `threads` threads; each opens its own connection through `database`, waits until all
// are connected, then runs `change` inside Transaction::begin … commit.
RaceOutcome race(Database &database, int threads,
                 const std::function<store::DbResult<bool>(const QSqlDatabase &)> &change)
{
    RaceOutcome outcome;
    std::atomic<int> succeeded{0}, lost{0};
    QMutex mutex;
    QSet<QString> connectionNames;
    std::latch connected(threads);
    std::latch go(1);

    auto fail = [&](const QString &what) {
        QMutexLocker lock(&mutex);
        outcome.errors << what;
    };

    QList<QThread *> workers;
    for (int i = 0; i < threads; ++i) {
        workers << QThread::create([&] {
            {
                auto db = database.connection();
                if (!db) {
                    fail(u"connect: "_s + db.error().message);
                    connected.count_down();
                    return;
                }
                QMutexLocker lock(&mutex);
                connectionNames.insert(db->connectionName());
            }
            connected.count_down();
            go.wait();
            auto tx = Transaction::begin(database);
            if (!tx) {
                fail(u"begin: "_s + tx.error().message);
                return;
            }
            auto result = change(tx->db());
            if (!result) {
                fail(u"change: "_s + result.error().message);
                return;
            }
            if (auto committed = tx->commit(); !committed) {
                fail(u"commit: "_s + committed.error().message);
                return;
            }
            (*result ? succeeded : lost)++;
        });
    }
    for (QThread *t : std::as_const(workers))
        t->start();
    connected.wait();
    go.count_down();
    for (QThread *t : std::as_const(workers)) {
        if (!t->wait(QDeadlineTimer(120'000)))
            fail(u"a thread did not finish"_s);
        delete t;
    }
    outcome.succeeded = succeeded;
    outcome.lost = lost;
    outcome.distinctConnections = int(connectionNames.size());
    return outcome;
}

// Runs `job` on a thread of its own (so it gets its own connection) and returns what it says.
QString onOtherThread(const std::function<QString()> &job)
{
    QString result = u"thread did not run"_s;
    std::unique_ptr<QThread> t(QThread::create([&] { result = job(); }));
    t->start();
    if (!t->wait(QDeadlineTimer(60'000)))
        return u"thread did not finish"_s;
    return result;
}

QString describe(const store::DbError &e)
{
    return e.message;
}

} // namespace

class TestDatabase : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void parseUrl_data();
    void parseUrl();
    void redactedHidesPassword();
    void migrateIsIdempotent();
    void migrateIsQuiet();
    void lastLoginsMoveToTheirOwnTable();
#ifdef SD_TEST_BACKEND_PG
    void lostConnectionIsReopenedForReads();
    void statementInTransactionIsNotRerun();
#endif
    void concurrentMigrations();
    void connectionSettings();
    void transactionRollsBackUnlessCommitted();
    void transactionPersistsWhenCommitted();
    void aWaitingWriterIsLetInWhenTheWriterBeforeItEnds_data();
    void aWaitingWriterIsLetInWhenTheWriterBeforeItEnds();
    void aSecondTransactionOnOneThreadDoesNotWaitForItself();
    void consumeRace();
    void consumeRespectsTokenState();
    void transitionIsGuarded();
    void removeIfStatus_data();
    void removeIfStatus();
    void textRoundTrip_data();
    void textRoundTrip();

private:
    static bool createOwnDatabase(const DatabaseUrl &server, QString *error);
    DatabaseUrl freshUrl();
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
};

void TestDatabase::initTestCase()
{
    if constexpr (kPostgres) {
        QVERIFY2(!testenv::postgresUrl().isEmpty(),
                 "SIGNUPDESK_TEST_PG_URL is not set: run through ctest (fixture postgres_start)");
        const auto url = DatabaseUrl::parse(testenv::postgresUrl());
        QVERIFY2(url, qPrintable(url ? QString() : url.error()));
        QCOMPARE(url->dialect, Dialect::Postgres);
        // Other pg tests (tst_api_pg) reset the fixture's database while ctest -j runs them
        // beside this one; this suite works in a database of its own on the same server, and
        // points SIGNUPDESK_TEST_PG_URL (and so testenv::resetPostgres) at it.
        QString error;
        QVERIFY2(
            createOwnDatabase(*url, &error),
            qPrintable(u"cannot create %1 (is the server up?): %2"_s.arg(kOwnDatabase, error)));
        QUrl own(testenv::postgresUrl());
        own.setPath(u"/"_s + kOwnDatabase);
        qputenv("SIGNUPDESK_TEST_PG_URL", own.toString().toUtf8());
        QCOMPARE(DatabaseUrl::parse(testenv::postgresUrl())->name, kOwnDatabase);
    }
}

bool TestDatabase::createOwnDatabase(const DatabaseUrl &server, QString *error)
{
    const QString name = u"tst_database_admin"_s;
    bool ok = false;
    {
        QSqlDatabase admin = QSqlDatabase::addDatabase(u"QPSQL"_s, name);
        admin.setHostName(server.host);
        admin.setPort(server.port);
        admin.setUserName(server.user);
        admin.setPassword(server.password);
        admin.setDatabaseName(server.name);
        if (!admin.open()) {
            *error = admin.lastError().text();
        } else {
            QSqlQuery q(admin);
            if (!q.exec(u"SELECT 1 FROM pg_database WHERE datname = '%1'"_s.arg(kOwnDatabase))) {
                *error = q.lastError().text();
            } else if (q.next()) {
                ok = true;
            } else {
                ok = q.exec(
                    u"CREATE DATABASE %1 ENCODING 'UTF8' TEMPLATE template0"_s.arg(kOwnDatabase));
                if (!ok)
                    *error = q.lastError().text();
            }
        }
        admin.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

DatabaseUrl TestDatabase::freshUrl()
{
    if constexpr (kPostgres)
        return *DatabaseUrl::parse(testenv::postgresUrl());
    static int counter = 0;
    return *DatabaseUrl::parse(u"sqlite:"_s + m_dir->filePath(u"test%1.db"_s.arg(++counter)));
}

void TestDatabase::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    if constexpr (kPostgres) {
        QString error;
        QVERIFY2(testenv::resetPostgres(&error),
                 qPrintable(u"cannot reset the PostgreSQL test database (is the server up?): "_s +
                            error));
    }
    m_db = std::make_unique<Database>(freshUrl());
    QCOMPARE(m_db->dialect(), kPostgres ? Dialect::Postgres : Dialect::Sqlite);
    const auto version = m_db->migrate();
    QVERIFY2(version, qPrintable(version ? QString() : describe(version.error())));
    QCOMPARE(*version, store::latestSchemaVersion());
    QVERIFY(m_db->ping());
}

void TestDatabase::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestDatabase::parseUrl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("postgres");
    QTest::addColumn<QString>("sqlitePath");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("name");

    const QString none;
    QTest::newRow("sqlite absolute")
        << u"sqlite:/var/lib/sd/sd.db"_s << true << false << u"/var/lib/sd/sd.db"_s << none << 5432
        << none << none << none;
    QTest::newRow("sqlite three slashes")
        << u"sqlite:///var/lib/sd/sd.db"_s << true << false << u"/var/lib/sd/sd.db"_s << none
        << 5432 << none << none << none;
    QTest::newRow("sqlite relative") << u"sqlite:data/sd.db"_s << true << false << u"data/sd.db"_s
                                     << none << 5432 << none << none << none;
    QTest::newRow("postgresql full")
        << u"postgresql://sd:s3cret@db.example:5433/signups"_s << true << true << none
        << u"db.example"_s << 5433 << u"sd"_s << u"s3cret"_s << u"signups"_s;
    QTest::newRow("postgres scheme, default port")
        << u"postgres://sd@127.0.0.1/signups"_s << true << true << none << u"127.0.0.1"_s << 5432
        << u"sd"_s << none << u"signups"_s;
    QTest::newRow("empty") << QString() << false << false << none << none << 0 << none << none
                           << none;
    QTest::newRow("sqlite without path")
        << u"sqlite:"_s << false << false << none << none << 0 << none << none << none;
    QTest::newRow("postgresql without database")
        << u"postgresql://sd:pw@db.example:5432"_s << false << false << none << none << 0 << none
        << none << none;
    QTest::newRow("postgresql without host") << u"postgresql:///signups"_s << false << false << none
                                             << none << 0 << none << none << none;
    QTest::newRow("mysql") << u"mysql://sd:pw@db.example/signups"_s << false << false << none
                           << none << 0 << none << none << none;
    QTest::newRow("plain path") << u"/var/lib/sd/sd.db"_s << false << false << none << none << 0
                                << none << none << none;
}

void TestDatabase::parseUrl()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(bool, postgres);
    QFETCH(QString, sqlitePath);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, name);

    const auto url = DatabaseUrl::parse(text);
    QCOMPARE(bool(url), valid);
    if (!valid) {
        QVERIFY(url.error().contains(u"database/url"_s));
        return;
    }
    QCOMPARE(url->dialect, postgres ? Dialect::Postgres : Dialect::Sqlite);
    if (postgres) {
        QCOMPARE(url->host, host);
        QCOMPARE(url->port, port);
        QCOMPARE(url->user, user);
        QCOMPARE(url->password, password);
        QCOMPARE(url->name, name);
    } else {
        QCOMPARE(url->sqlitePath, sqlitePath);
    }
}

void TestDatabase::redactedHidesPassword()
{
    const auto pg = DatabaseUrl::parse(u"postgresql://sd:s3cret-pw@db.example:5433/signups"_s);
    QVERIFY(pg);
    QVERIFY2(!pg->redacted().contains(u"s3cret"_s), qPrintable(pg->redacted()));
    QCOMPARE(pg->redacted(), u"postgresql://sd@db.example:5433/signups"_s);
    const auto lite = DatabaseUrl::parse(u"sqlite:/tmp/x.db"_s);
    QVERIFY(lite);
    QCOMPARE(lite->redacted(), u"sqlite:/tmp/x.db"_s);
    QVERIFY(!m_db->url().redacted().contains(u":signupdesk@"_s)); // the fixture's password
}

void TestDatabase::migrateIsIdempotent()
{
    // init() migrated once already.
    for (int i = 0; i < 2; ++i) {
        const auto again = m_db->migrate();
        QVERIFY2(again, qPrintable(again ? QString() : describe(again.error())));
        QCOMPARE(*again, store::latestSchemaVersion());
    }
    // A second instance (another process, in effect) sees the same version.
    Database other(m_db->url());
    const auto fromOther = other.migrate();
    QVERIFY2(fromOther, qPrintable(fromOther ? QString() : describe(fromOther.error())));
    QCOMPARE(*fromOther, store::latestSchemaVersion());

    auto db = m_db->connection();
    QVERIFY(db);
    auto rows = store::runQuery(*db, u"SELECT COUNT(*), COUNT(DISTINCT version), MAX(version)"
                                     " FROM schema_migrations"_s);
    QVERIFY2(rows, qPrintable(rows ? QString() : describe(rows.error())));
    QVERIFY(rows->next());
    QCOMPARE(rows->value(0).toInt(), rows->value(1).toInt()); // no version recorded twice
    QCOMPARE(rows->value(2).toInt(), store::latestSchemaVersion());
}

// Migration 16 moves users.last_login_at into user_last_login: every account gets a row, with
// its last login or 0 (never), and the column is gone.
void TestDatabase::lastLoginsMoveToTheirOwnTable()
{
    m_db.reset();
    if constexpr (kPostgres) {
        QString error;
        QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
    }
    Database old(freshUrl());
    const auto at15 = store::applyMigrations(old, 15);
    QVERIFY2(at15, qPrintable(at15 ? QString() : describe(at15.error())));
    QCOMPARE(*at15, 15);
    {
        auto db = old.connection();
        QVERIFY(db);
        for (const auto &[id, lastLogin] :
             {std::pair{u"usr_a"_s, QVariant(qint64(1'700'000'000'123))},
              {u"usr_b"_s, QVariant(QMetaType::fromType<qint64>())}}) {
            const auto r = store::runQuery(
                *db,
                u"INSERT INTO users (id, username, username_key, email, email_key, status,"
                " sign_up_time, last_login_at) VALUES (?, ?, ?, ?, ?, 'active', 1, ?)"_s,
                QVariantList{id, id, id, QString(id + u"@example.org"_s),
                             QString(id + u"@example.org"_s), lastLogin});
            QVERIFY2(r, qPrintable(r ? QString() : describe(r.error())));
        }
    }
    const auto latest = store::applyMigrations(old);
    QVERIFY2(latest, qPrintable(latest ? QString() : describe(latest.error())));
    QCOMPARE(*latest, store::latestSchemaVersion());
    auto db = old.connection();
    QVERIFY(db);
    auto rows = store::runQuery(*db, u"SELECT user_id, at FROM user_last_login ORDER BY user_id"_s);
    QVERIFY2(rows, qPrintable(rows ? QString() : describe(rows.error())));
    QStringList seen;
    while (rows->next())
        seen << rows->value(0).toString() + u'=' + rows->value(1).toString();
    QCOMPARE(seen, (QStringList{u"usr_a=1700000000123"_s, u"usr_b=0"_s}));
    QVERIFY(!store::runQuery(*db, u"SELECT last_login_at FROM users"_s));
    // An account's row goes with it.
    QVERIFY(store::runQuery(*db, u"DELETE FROM users WHERE id = 'usr_a'"_s));
    rows = store::runQuery(*db, u"SELECT COUNT(*) FROM user_last_login"_s);
    QVERIFY(rows && rows->next());
    QCOMPARE(rows->value(0).toInt(), 1);
}

// What the process writes to its standard error (fd 2) while `work` runs: libpq prints the
// server's NOTICEs there.
QByteArray stderrDuring(const std::function<void()> &work)
{
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(u"stderr"_s).toLocal8Bit();
    std::fflush(stderr);
    const int saved = ::dup(2);
    const int fd = ::open(path.constData(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    ::dup2(fd, 2);
    work();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(fd);
    ::close(saved);
    QFile f(QString::fromLocal8Bit(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("cannot read captured stderr");
}

void TestDatabase::migrateIsQuiet()
{
    // init() migrated; every later start (and every admin command) migrates again and must
    // not print "NOTICE: relation ... already exists" (issue 16).
    store::DbResult<int> again = 0;
    const QByteArray printed = stderrDuring([&] {
        Database other(m_db->url());
        again = other.migrate();
    });
    QVERIFY2(again, qPrintable(again ? QString() : describe(again.error())));
    QVERIFY2(!printed.contains("NOTICE"), printed.constData());
    QVERIFY2(printed.isEmpty(), printed.constData());
}

#ifdef SD_TEST_BACKEND_PG
namespace {

// Ends the backend of `victim`'s connection on this thread, from another connection, and waits
// until the server has let it go.
bool terminateBackend(Database &victim, Database &admin)
{
    auto db = victim.connection();
    auto pid =
        db ? store::runQuery(*db, u"SELECT pg_backend_pid()"_s) : store::DbResult<QSqlQuery>();
    if (!pid || !pid->next())
        return false;
    const int backend = pid->value(0).toInt();
    auto adminDb = admin.connection();
    if (!adminDb || !store::runQuery(*adminDb, u"SELECT pg_terminate_backend(?)"_s, {backend}))
        return false;
    return QTest::qWaitFor(
        [&] {
            auto left = store::runQuery(
                *adminDb, u"SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?"_s, {backend});
            return left && left->next() && left->value(0).toInt() == 0;
        },
        10000);
}

} // namespace

void TestDatabase::lostConnectionIsReopenedForReads()
{
    Database admin(m_db->url());
    // A plain read.
    QVERIFY(terminateBackend(*m_db, admin));
    auto db = m_db->connection();
    QVERIFY(db);
    auto read = store::runQuery(*db, u"SELECT COUNT(*) FROM users"_s);
    QVERIFY2(read, qPrintable(read ? QString() : describe(read.error())));
    // The first statement of a transaction.
    QVERIFY(terminateBackend(*m_db, admin));
    {
        auto tx = store::Transaction::begin(*m_db);
        QVERIFY2(tx, qPrintable(tx ? QString() : describe(tx.error())));
        QVERIFY(store::runQuery(tx->db(), u"SELECT 1"_s));
        QVERIFY(tx->commit());
    }
    // A kept prepared statement (the session check's path): its exec fails once, the
    // connection is reopened and a fresh statement answers.
    const QString sql = u"SELECT COUNT(*) FROM users WHERE id = ?"_s;
    auto prepared = m_db->prepared(sql);
    QVERIFY(prepared);
    QVERIFY(terminateBackend(*m_db, admin));
    (*prepared)->addBindValue(u"usr_none"_s);
    QVERIFY(!(*prepared)->exec());
    QVERIFY(m_db->reopenIfDead());
    prepared = m_db->prepared(sql);
    QVERIFY(prepared);
    (*prepared)->addBindValue(u"usr_none"_s);
    QVERIFY((*prepared)->exec());
    (*prepared)->finish();
    // A statement that fails on its own does not reopen a working connection.
    QVERIFY(!store::runQuery(*db, u"SELECT no_such_column FROM users"_s));
    QVERIFY(!m_db->reopenIfDead());
}

void TestDatabase::statementInTransactionIsNotRerun()
{
    Database admin(m_db->url());
    auto tx = store::Transaction::begin(*m_db);
    QVERIFY(tx);
    QVERIFY(store::runQuery(tx->db(), u"INSERT INTO meta (key, value) VALUES ('a', '1')"_s));
    QVERIFY(terminateBackend(*m_db, admin));
    // The transaction died with its connection: the next statement fails and is not run again
    // on a new connection (it would commit half a change).
    auto second = store::runQuery(tx->db(), u"INSERT INTO meta (key, value) VALUES ('b', '2')"_s);
    QVERIFY(!second);
    QVERIFY(!second.error().message.trimmed().isEmpty());
    QVERIFY(!tx->commit());
    // Afterwards the thread's connection works again and nothing of the transaction is there.
    auto db = m_db->connection();
    QVERIFY(db);
    auto rows = store::runQuery(*db, u"SELECT COUNT(*) FROM meta WHERE key IN ('a', 'b')"_s);
    QVERIFY2(rows, qPrintable(rows ? QString() : describe(rows.error())));
    QVERIFY(rows->next());
    QCOMPARE(rows->value(0).toInt(), 0);
}
#endif

void TestDatabase::concurrentMigrations()
{
    // Several instances starting at once against one empty database.
    m_db.reset();
    if constexpr (kPostgres) {
        QString error;
        QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
    }
    const DatabaseUrl url = freshUrl();
    constexpr int instances = 4;
    std::vector<std::unique_ptr<Database>> databases;
    for (int i = 0; i < instances; ++i)
        databases.push_back(std::make_unique<Database>(url));

    QMutex mutex;
    QStringList results;
    std::latch start(instances);
    QList<QThread *> threads;
    for (int i = 0; i < instances; ++i) {
        threads << QThread::create([&, i] {
            start.arrive_and_wait();
            const auto v = databases[size_t(i)]->migrate();
            QMutexLocker lock(&mutex);
            results << (v ? QString::number(*v) : u"error: "_s + describe(v.error()));
        });
    }
    for (QThread *t : std::as_const(threads))
        t->start();
    for (QThread *t : std::as_const(threads)) {
        QVERIFY(t->wait(QDeadlineTimer(60'000)));
        delete t;
    }
    QCOMPARE(results, QStringList(instances, QString::number(store::latestSchemaVersion())));
    databases.clear();
    m_db = std::make_unique<Database>(url);
}

void TestDatabase::connectionSettings()
{
    // What every connection must report, on whichever thread it was opened.
    const std::function<QString()> check = [this]() -> QString {
        auto db = m_db->connection();
        if (!db)
            return u"connect: "_s + describe(db.error());
        auto value = [&](const QString &sql) -> QString {
            auto q = store::runQuery(*db, sql);
            if (!q || !q->next())
                return u"<error>"_s;
            return q->value(0).toString();
        };
        QStringList problems;
        if constexpr (kPostgres) {
            if (const QString v = value(u"SHOW transaction_isolation"_s); v != u"read committed"_s)
                problems << u"transaction_isolation="_s + v;
            // UNICODE is PostgreSQL's alias of UTF8 (what the Qt driver asks for).
            if (const QString v = value(u"SHOW client_encoding"_s);
                v != u"UTF8"_s && v != u"UNICODE"_s)
                problems << u"client_encoding="_s + v;
        } else {
            if (const QString v = value(u"PRAGMA journal_mode"_s); v.toLower() != u"wal"_s)
                problems << u"journal_mode="_s + v;
            if (const QString v = value(u"PRAGMA synchronous"_s); v != u"2"_s)
                problems << u"synchronous="_s + v + u" (want 2, FULL)"_s;
            if (const QString v = value(u"PRAGMA foreign_keys"_s); v != u"1"_s)
                problems << u"foreign_keys="_s + v;
            if (const QString v = value(u"PRAGMA busy_timeout"_s); v.toInt() < 1000)
                problems << u"busy_timeout="_s + v + u" (want at least 1000 ms)"_s;
        }
        return problems.join(u", "_s) + u"|"_s + db->connectionName();
    };

    const QString onMain = check();
    const QString onWorker = onOtherThread(check);
    QCOMPARE(onMain.section(u'|', 0, 0), QString());
    QCOMPARE(onWorker.section(u'|', 0, 0), QString());
    // Two threads, two connections.
    QVERIFY(!onMain.section(u'|', 1).isEmpty());
    QVERIFY(onMain.section(u'|', 1) != onWorker.section(u'|', 1));
}

void TestDatabase::transactionRollsBackUnlessCommitted()
{
    {
        auto tx = Transaction::begin(*m_db);
        QVERIFY(tx);
        QVERIFY(core::accountstore::insert(tx->db(), makeAccount(u"usr_dropped"_s, u"dropped"_s)));
        auto seen = core::accountstore::findById(tx->db(), u"usr_dropped"_s);
        QVERIFY(seen && seen->has_value()); // visible inside the transaction
    }                                       // destroyed without commit
    {
        auto tx = Transaction::begin(*m_db);
        QVERIFY(tx);
        QVERIFY(core::accountstore::insert(tx->db(), makeAccount(u"usr_early"_s, u"early"_s)));
        tx->rollback();
        // After an early rollback the connection works normally, outside any transaction.
        auto seen = core::accountstore::findById(tx->db(), u"usr_early"_s);
        QVERIFY(seen);
        QVERIFY(!seen->has_value());
    }
    auto db = m_db->connection();
    QVERIFY(db);
    for (const QString &id : {u"usr_dropped"_s, u"usr_early"_s}) {
        auto found = core::accountstore::findById(*db, id);
        QVERIFY(found);
        QVERIFY2(!found->has_value(), qPrintable(id));
    }
    const QString fromWorker = onOtherThread([this] {
        auto other = m_db->connection();
        if (!other)
            return describe(other.error());
        auto q = store::runQuery(*other, u"SELECT COUNT(*) FROM users"_s);
        return q && q->next() ? q->value(0).toString() : u"error"_s;
    });
    QCOMPARE(fromWorker, u"0"_s);
    // The connection is usable for the next transaction.
    auto tx = Transaction::begin(*m_db);
    QVERIFY(tx);
    QVERIFY(tx->commit());
}

void TestDatabase::transactionPersistsWhenCommitted()
{
    {
        auto tx = Transaction::begin(*m_db);
        QVERIFY(tx);
        QVERIFY(core::accountstore::insert(tx->db(), makeAccount(u"usr_kept"_s, u"kept"_s)));
        QVERIFY(core::tokenstore::insert(tx->db(), makeToken(u"tok_kept"_s, u"usr_kept"_s),
                                         u"hash_kept"_s));
        const auto committed = tx->commit();
        QVERIFY2(committed, qPrintable(committed ? QString() : describe(committed.error())));
    } // the destructor must not roll back a committed transaction
    const QString fromWorker = onOtherThread([this] {
        auto other = m_db->connection();
        if (!other)
            return describe(other.error());
        auto account = core::accountstore::findById(*other, u"usr_kept"_s);
        auto token =
            core::tokenstore::findByHash(*other, u"hash_kept"_s, core::TokenKind::Verification);
        if (!account || !token)
            return u"error"_s;
        return QString((account->has_value() ? (*account)->username : u"no account"_s) + u'/' +
                       (token->has_value() ? (*token)->id : u"no token"_s));
    });
    QCOMPARE(fromWorker, u"kept/tok_kept"_s);
}

void TestDatabase::aWaitingWriterIsLetInWhenTheWriterBeforeItEnds_data()
{
    QTest::addColumn<bool>("inTransaction");
    QTest::newRow("a transaction") << true;
    QTest::newRow("a single statement") << false; // autocommit, as the outbox sender's updates
}

void TestDatabase::aWaitingWriterIsLetInWhenTheWriterBeforeItEnds()
{
    QFETCH(bool, inTransaction);
    // SQLite's busy handler alone would let a waiting writer in on its next timed try (1, 2, 5,
    // 10 … 100 ms apart): a writer that began waiting 430 ms before the one holding the lock
    // ends tries at 428 and 528 ms, about 100 ms late. The writer gate wakes it when the lock is
    // freed. The least lateness of three tries is taken, so one descheduling of a loaded machine
    // does not decide; 50 ms is half of what the busy handler alone gives.
    constexpr int kHoldMs = 430;
    qint64 leastLateMs = std::numeric_limits<qint64>::max();
    for (int attempt = 0; attempt < 3; ++attempt) {
        QElapsedTimer clock;
        clock.start();
        std::latch holding(1);
        std::atomic<qint64> committedAtMs{std::numeric_limits<qint64>::max()};
        QString holderError;
        std::unique_ptr<QThread> holder(QThread::create([&] {
            auto tx = Transaction::begin(*m_db);
            if (!tx) {
                holderError = describe(tx.error());
                holding.count_down();
                return;
            }
            const QString id = u"usr_holder%1"_s.arg(attempt);
            if (!core::accountstore::insert(tx->db(), makeAccount(id, id.mid(4))))
                holderError = u"insert failed"_s;
            holding.count_down();
            QThread::msleep(kHoldMs);
            // Taken before COMMIT: the waiter may run the moment the gate opens, inside it.
            committedAtMs = clock.elapsed();
            if (auto r = tx->commit(); !r)
                holderError = describe(r.error());
        }));
        holder->start();
        holding.wait();
        const QString id = u"usr_waiter%1"_s.arg(attempt);
        qint64 enteredAtMs = -1;
        if (inTransaction) {
            auto tx = Transaction::begin(*m_db); // waits for the holder on SQLite
            enteredAtMs = clock.elapsed();
            QVERIFY2(tx, qPrintable(tx ? QString() : describe(tx.error())));
            QVERIFY(core::accountstore::insert(tx->db(), makeAccount(id, id.mid(4))));
            QVERIFY(tx->commit());
        } else {
            auto db = m_db->connection();
            QVERIFY(db);
            const auto inserted = core::accountstore::insert(*db, makeAccount(id, id.mid(4)));
            enteredAtMs = clock.elapsed(); // it waited, then wrote and committed
            QVERIFY2(inserted, qPrintable(inserted ? QString() : describe(inserted.error())));
        }
        QVERIFY(holder->wait(QDeadlineTimer(30'000)));
        QVERIFY2(holderError.isEmpty(), qPrintable(holderError));
        if constexpr (!kPostgres) {
            QVERIFY2(enteredAtMs >= committedAtMs,
                     "on SQLite the second writer entered while the first held the lock");
            leastLateMs = std::min(leastLateMs, enteredAtMs - committedAtMs.load());
        }
    }
    // Both writes of every attempt were kept.
    auto db = m_db->connection();
    QVERIFY(db);
    auto q = store::runQuery(
        *db, u"SELECT COUNT(*) FROM users WHERE id LIKE 'usr_holder%' OR id LIKE 'usr_waiter%'"_s);
    QVERIFY(q && q->next());
    QCOMPARE(q->value(0).toInt(), 6);
    if constexpr (!kPostgres)
        QVERIFY2(leastLateMs < 50,
                 qPrintable(u"the waiting writer got in %1 ms after the lock was freed"_s.arg(
                     leastLateMs)));
}

void TestDatabase::aSecondTransactionOnOneThreadDoesNotWaitForItself()
{
    auto outer = Transaction::begin(*m_db);
    QVERIFY(outer);
    QElapsedTimer clock;
    clock.start();
    auto inner = Transaction::begin(*m_db);
    // Not the writer gate's 10 s: SQLite refuses a BEGIN inside a transaction at once
    // (PostgreSQL warns and goes on in the same transaction).
    QVERIFY2(clock.elapsed() < 5'000, qPrintable(u"%1 ms"_s.arg(clock.elapsed())));
    if constexpr (!kPostgres)
        QVERIFY(!inner);
    QVERIFY(core::accountstore::insert(outer->db(), makeAccount(u"usr_outer"_s, u"outer"_s)));
    QVERIFY(outer->commit());
    // The gate was given back: another thread writes at once.
    const QString fromWorker = onOtherThread([this] {
        auto tx = Transaction::begin(*m_db);
        if (!tx)
            return describe(tx.error());
        if (!core::accountstore::insert(tx->db(), makeAccount(u"usr_after"_s, u"after"_s)))
            return u"insert failed"_s;
        auto r = tx->commit();
        return r ? u"ok"_s : describe(r.error());
    });
    QCOMPARE(fromWorker, u"ok"_s);
}

void TestDatabase::consumeRace()
{
    constexpr int rounds = 20;
    constexpr int threads = 50;
    for (int round = 0; round < rounds; ++round) {
        const QString userId = u"usr_race%1"_s.arg(round);
        const QString tokenId = u"tok_race%1"_s.arg(round);
        const QString tokenHash = u"hash_race%1"_s.arg(round);
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            QVERIFY(
                core::accountstore::insert(tx->db(), makeAccount(userId, u"racer%1"_s.arg(round))));
            QVERIFY(core::tokenstore::insert(tx->db(), makeToken(tokenId, userId), tokenHash));
            QVERIFY(tx->commit());
        }
        const qint64 usedAt = kNowMs + round;
        const RaceOutcome outcome = race(*m_db, threads, [&](const QSqlDatabase &db) {
            return core::tokenstore::consume(db, tokenId, usedAt);
        });
        QVERIFY2(outcome.errors.isEmpty(), qPrintable(u"round %1: %2 errors, first: %3"_s.arg(round)
                                                          .arg(outcome.errors.size())
                                                          .arg(outcome.errors.value(0))));
        QCOMPARE(outcome.distinctConnections, threads);
        QCOMPARE(outcome.succeeded, 1);
        QCOMPARE(outcome.lost, threads - 1);

        auto db = m_db->connection();
        QVERIFY(db);
        auto row = core::tokenstore::findByHash(*db, tokenHash, core::TokenKind::Verification);
        QVERIFY(row && row->has_value());
        QCOMPARE((*row)->usedAt, usedAt);
        QVERIFY(!(*row)->isLive(usedAt));
    }
}

void TestDatabase::consumeRespectsTokenState()
{
    auto db = m_db->connection();
    QVERIFY(db);
    QVERIFY(core::accountstore::insert(*db, makeAccount(u"usr_t"_s, u"tokens"_s)));
    QVERIFY(core::tokenstore::insert(*db, makeToken(u"tok_live"_s, u"usr_t"_s), u"h1"_s));
    QVERIFY(
        core::tokenstore::insert(*db, makeToken(u"tok_expired"_s, u"usr_t"_s, kNowMs), u"h2"_s));

    auto first = core::tokenstore::consume(*db, u"tok_live"_s, kNowMs);
    QVERIFY(first);
    QVERIFY(*first);
    auto second = core::tokenstore::consume(*db, u"tok_live"_s, kNowMs + 1);
    QVERIFY(second);
    QVERIFY(!*second);
    auto expired = core::tokenstore::consume(*db, u"tok_expired"_s, kNowMs); // expires_at == now
    QVERIFY(expired);
    QVERIFY(!*expired);
    auto unknown = core::tokenstore::consume(*db, u"tok_nope"_s, kNowMs);
    QVERIFY(unknown);
    QVERIFY(!*unknown);

    QVERIFY(core::tokenstore::insert(*db, makeToken(u"tok_revoked"_s, u"usr_t"_s), u"h3"_s));
    auto revoked =
        core::tokenstore::revokeAll(*db, u"usr_t"_s, core::TokenKind::Verification, kNowMs);
    QVERIFY(revoked);
    QCOMPARE(*revoked, 2); // tok_revoked and the expired, unused one; the used one stays used
    auto afterRevoke = core::tokenstore::consume(*db, u"tok_revoked"_s, kNowMs);
    QVERIFY(afterRevoke);
    QVERIFY(!*afterRevoke);
}

void TestDatabase::transitionIsGuarded()
{
    {
        auto db = m_db->connection();
        QVERIFY(db);
        QVERIFY(core::accountstore::insert(*db, makeAccount(u"usr_a"_s, u"walker"_s)));
        auto first = core::accountstore::transition(
            *db, u"usr_a"_s, AccountStatus::PendingVerification, AccountStatus::PendingApproval);
        QVERIFY(first);
        QVERIFY(*first);
        auto second = core::accountstore::transition(
            *db, u"usr_a"_s, AccountStatus::PendingVerification, AccountStatus::PendingApproval);
        QVERIFY(second);
        QVERIFY(!*second);
        auto missing = core::accountstore::transition(
            *db, u"usr_missing"_s, AccountStatus::PendingApproval, AccountStatus::Active);
        QVERIFY(missing);
        QVERIFY(!*missing);
        auto now = core::accountstore::findById(*db, u"usr_a"_s);
        QVERIFY(now && now->has_value());
        QCOMPARE(statusName((*now)->status), statusName(AccountStatus::PendingApproval));
    }
    // Approve and reject racing from the same state (pending_approval): one wins.
    const RaceOutcome outcome = race(*m_db, 10, [](const QSqlDatabase &db) {
        static std::atomic<int> n{0};
        const AccountStatus to = (n++ % 2) ? AccountStatus::Active : AccountStatus::Disabled;
        return core::accountstore::transition(db, u"usr_a"_s, AccountStatus::PendingApproval, to);
    });
    QVERIFY2(outcome.errors.isEmpty(), qPrintable(outcome.errors.join(u"; "_s)));
    QCOMPARE(outcome.succeeded, 1);
    QCOMPARE(outcome.lost, 9);
    auto db = m_db->connection();
    QVERIFY(db);
    auto after = core::accountstore::findById(*db, u"usr_a"_s);
    QVERIFY(after && after->has_value());
    QVERIFY((*after)->status == AccountStatus::Active ||
            (*after)->status == AccountStatus::Disabled);
}

void TestDatabase::removeIfStatus_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<bool>("removed");

    const QString pv = statusName(AccountStatus::PendingVerification);
    const QString pa = statusName(AccountStatus::PendingApproval);
    const QString active = statusName(AccountStatus::Active);
    const QString disabled = statusName(AccountStatus::Disabled);
    QTest::newRow("reject pending verification") << pv << QStringList{pv, pa} << true;
    QTest::newRow("reject pending approval") << pa << QStringList{pv, pa} << true;
    QTest::newRow("active is not rejectable") << active << QStringList{pv, pa} << false;
    QTest::newRow("disabled, only active allowed") << disabled << QStringList{active} << false;
    QTest::newRow("active, active allowed") << active << QStringList{active} << true;
    QTest::newRow("nothing allowed") << pv << QStringList{} << false;
}

void TestDatabase::removeIfStatus()
{
    QFETCH(QString, status);
    QFETCH(QStringList, allowed);
    QFETCH(bool, removed);

    QList<AccountStatus> allowedStatuses;
    for (const QString &s : allowed)
        allowedStatuses << *core::accountStatusFromString(s);
    const AccountStatus st = *core::accountStatusFromString(status);

    auto db = m_db->connection();
    QVERIFY(db);
    QVERIFY(core::accountstore::insert(*db, makeAccount(u"usr_target"_s, u"target"_s, st)));
    QVERIFY(core::accountstore::insert(*db, makeAccount(u"usr_bystander"_s, u"bystander"_s, st)));
    QVERIFY(core::tokenstore::insert(*db, makeToken(u"tok_t1"_s, u"usr_target"_s), u"ht1"_s));
    QVERIFY(core::tokenstore::insert(*db, makeToken(u"tok_t2"_s, u"usr_target"_s), u"ht2"_s));
    QVERIFY(core::tokenstore::insert(*db, makeToken(u"tok_b1"_s, u"usr_bystander"_s), u"hb1"_s));

    const auto result = core::accountstore::removeIfStatus(*db, u"usr_target"_s, allowedStatuses);
    QVERIFY2(result, qPrintable(result ? QString() : describe(result.error())));
    QCOMPARE(*result, removed);

    auto target = core::accountstore::findById(*db, u"usr_target"_s);
    QVERIFY(target);
    QCOMPARE(target->has_value(), !removed);
    auto tokens =
        store::runQuery(*db, u"SELECT COUNT(*) FROM tokens WHERE user_id = ?"_s, {u"usr_target"_s});
    QVERIFY(tokens && tokens->next());
    QCOMPARE(tokens->value(0).toInt(), removed ? 0 : 2);

    // Nobody else is touched.
    auto bystander = core::accountstore::findById(*db, u"usr_bystander"_s);
    QVERIFY(bystander && bystander->has_value());
    auto bystanderTokens = core::tokenstore::listForUser(*db, u"usr_bystander"_s);
    QVERIFY(bystanderTokens);
    QCOMPARE(bystanderTokens->size(), 1);

    auto unknown = core::accountstore::removeIfStatus(*db, u"usr_unknown"_s, allowedStatuses);
    QVERIFY(unknown);
    QVERIFY(!*unknown);
}

void TestDatabase::textRoundTrip_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("displayName");

    QTest::newRow("SQL injection")
        << u"x' OR 1=1--"_s << u"o'brien@example.org"_s << u"Robert'); DROP TABLE users;--"_s;
    QTest::newRow("4-byte UTF-8") << u"emoji😀🎉"_s << u"😀@example.org"_s << u"𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀"_s;
    QTest::newRow("injection and emoji")
        << u"' OR 1=1--😀"_s << u"x\"y@example.org"_s << u"\"; DELETE FROM tokens; --"_s;
    QTest::newRow("LIKE wildcards and backslash")
        << u"%_\\"_s << u"a%b_c@example.org"_s << u"100% \\n not a newline"_s;
    QTest::newRow("accents and CJK")
        << u"Ünïcödé"_s << u"名前@example.org"_s << u"日本語 Ελληνικά עברית"_s;
}

void TestDatabase::textRoundTrip()
{
    QFETCH(QString, username);
    QFETCH(QString, email);
    QFETCH(QString, displayName);

    auto db = m_db->connection();
    QVERIFY(db);
    // A decoy that an injected "OR 1=1" would find.
    QVERIFY(core::accountstore::insert(*db, makeAccount(u"usr_decoy"_s, u"decoy"_s)));

    Account a = makeAccount(u"usr_odd"_s, username, AccountStatus::PendingApproval);
    a.email = email;
    a.displayName = displayName;
    a.verifiedEmail = true;
    a.apps = {u"default"_s, u"shop"_s};
    a.groups = {u"users"_s, u"beta"_s};
    a.language = u"fr"_s;
    a.remoteIp = u"2001:db8::1"_s;
    a.remoteAddr = u"host.example"_s;
    a.tosAcceptedVersion = u"2024-01"_s;
    const auto inserted = core::accountstore::insert(*db, a);
    QVERIFY2(inserted, qPrintable(inserted ? QString() : describe(inserted.error())));

    auto found = core::accountstore::findById(*db, a.id);
    QVERIFY(found && found->has_value());
    const Account &b = **found;
    QCOMPARE(b.id, a.id);
    QCOMPARE(b.username, username);
    QCOMPARE(b.email, email);
    QCOMPARE(b.displayName, displayName);
    QCOMPARE(b.passwordHash, a.passwordHash);
    QCOMPARE(statusName(b.status), statusName(AccountStatus::PendingApproval));
    QCOMPARE(b.verifiedEmail, true);
    QCOMPARE(b.isSuperuser, false);
    QCOMPARE(b.apps, a.apps);
    QCOMPARE(b.groups, a.groups);
    QCOMPARE(b.language, a.language);
    QCOMPARE(b.signUpTimeMs, a.signUpTimeMs);
    QCOMPARE(b.remoteIp, a.remoteIp);
    QCOMPARE(b.remoteAddr, a.remoteAddr);
    QCOMPARE(b.tosAcceptedVersion, a.tosAcceptedVersion);

    // Stored as characters (4-byte UTF-8, not surrogate halves) on both backends.
    auto length = store::runQuery(*db,
                                  u"SELECT length(username), length(display_name) FROM users"
                                  " WHERE id = ?"_s,
                                  {a.id});
    QVERIFY(length && length->next());
    QCOMPARE(length->value(0).toInt(), int(username.toUcs4().size()));
    QCOMPARE(length->value(1).toInt(), int(displayName.toUcs4().size()));

    for (const QString &lookup : {username, username.toUpper(), username.toLower()}) {
        auto byName = core::accountstore::findByUsername(*db, lookup);
        QVERIFY(byName && byName->has_value());
        QCOMPARE((*byName)->id, a.id);
    }
    auto byEmail = core::accountstore::findByEmail(*db, email);
    QVERIFY(byEmail && byEmail->has_value());
    QCOMPARE((*byEmail)->id, a.id);
    auto byLogin = core::accountstore::findByLogin(*db, email);
    QVERIFY(byLogin && byLogin->has_value());
    QCOMPARE((*byLogin)->id, a.id);

    auto injected = core::accountstore::findByUsername(*db, u"' OR 1=1--"_s);
    QVERIFY(injected);
    QCOMPARE(injected->has_value() ? (*injected)->id : QString(),
             username == u"' OR 1=1--"_s ? a.id : QString());
    auto count = store::runQuery(*db, u"SELECT COUNT(*) FROM users"_s);
    QVERIFY(count && count->next());
    QCOMPARE(count->value(0).toInt(), 2);
    auto tokens = store::runQuery(*db, u"SELECT COUNT(*) FROM tokens"_s);
    QVERIFY(tokens); // the table is still there
}

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
