#pragma once

// What the tests of the console's paged lists (tests/ui/tst_signupspaged, tst_userspaged)
// start from: a real database (a fresh SQLite file, or PostgreSQL with SD_TEST_BACKEND_PG)
// holding numbered accounts, core over it on a fake clock, and the console's backend thread.
// Header-only; for tests that link signupdesk_ui.

#include "consolebackend.h"
#include "testenv.h"

#include "accounts/accountstore.h"
#include "config.h"
#include "coreservices.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QAbstractItemModel>
#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <type_traits>

namespace pageddb {

// How many accounts the tests hold (more than a window of three pages of 200), and when the
// first signed up.
constexpr int kAccounts = 650;
constexpr qint64 kStart = 1'780'000'000'000;
#ifdef SD_TEST_BACKEND_PG
constexpr bool kPostgres = true;
#else
constexpr bool kPostgres = false;
#endif

// Account i of `count`: "u0000" …, id "usr_p0000" …, "mail0000@example.com", signed up i
// seconds after `startMs`, display names counting down ("Name <count - 1>" for u0000), client
// address 198.51.100.(i % 250). The status is the caller's.
inline sd::core::Account numbered(int i, int count, qint64 startMs)
{
    using namespace Qt::StringLiterals;
    sd::core::Account a;
    const QString n = u"%1"_s.arg(i, 4, 10, QChar(u'0'));
    a.id = u"usr_p"_s + n;
    a.username = u"u"_s + n;
    a.email = u"mail"_s + n + u"@example.com"_s;
    a.displayName = u"Name %1"_s.arg(count - 1 - i, 4, 10, QChar(u'0'));
    a.signUpTimeMs = startMs + i * 1000;
    a.remoteIp = u"198.51.100.%1"_s.arg(i % 250);
    return a;
}

class Database
{
public:
    explicit Database(qint64 nowMs) : clock(nowMs) {}
    ~Database() { close(); }

    // A fresh database with `accounts` in it (one transaction), core and the backend thread.
    // False, with a warning saying why, on a failure.
    bool open(const QList<sd::core::Account> &accounts)
    {
        using namespace Qt::StringLiterals;
        close();
        static int n = 0;
        QString error;
        const QString url =
            testenv::freshDatabaseUrl(m_dir.filePath(u"paged%1.db"_s.arg(++n)), &error);
        if (url.isEmpty()) {
            qWarning("pageddb: %s", qPrintable(error));
            return false;
        }
        m_config = *sd::core::loadConfig({});
        m_config.password = {64, 1, 1};
        m_config.rateLimitEnabled = false;
        db = std::make_unique<sd::store::Database>(*sd::store::DatabaseUrl::parse(url));
        auto made = sd::core::CoreServices::create(m_config, *db, clock);
        if (!made) {
            qWarning("pageddb: %s", qPrintable(made.error().detail));
            return false;
        }
        core = std::move(*made);
        if (!insert(accounts))
            return false;
        backend = std::make_unique<sd::ui::ConsoleBackend>(*core);
        return true;
    }

    // Waits (bounded) for the backend's jobs, then closes everything.
    void close()
    {
        if (backend)
            (void)QTest::qWaitFor([this] { return backend->jobsInFlight() == 0; });
        backend.reset();
        core.reset();
        db.reset();
    }

    bool insert(const QList<sd::core::Account> &accounts)
    {
        auto tx = sd::store::Transaction::begin(*db);
        if (!tx)
            return false;
        for (const sd::core::Account &a : accounts)
            if (!sd::core::accountstore::insert(tx->db(), a))
                return false;
        return tx->commit().has_value();
    }

    // One statement on a connection of the test's own.
    bool run(const QString &sql, const QVariantList &params = {})
    {
        auto connection = db->connection();
        return connection && sd::store::runQuery(*connection, sql, params).has_value();
    }

    sd::core::FakeClock clock;
    std::unique_ptr<sd::store::Database> db;
    std::unique_ptr<sd::core::CoreServices> core;
    std::unique_ptr<sd::ui::ConsoleBackend> backend;

private:
    QTemporaryDir m_dir;
    sd::core::Config m_config;
};

// The display text at (row, column), waiting (bounded) while its window is fetched.
inline QString fetchedText(const QAbstractItemModel *model, int row, int column)
{
    const QModelIndex index = model->index(row, column);
    QString value = index.data().toString();
    for (int i = 0; value.isEmpty() && i < 500; ++i) {
        QTest::qWait(10);
        value = index.data().toString();
    }
    return value;
}

// The database and a paged model over it (SignupTableModel, UserTableModel), checked by a
// QAbstractItemModelTester.
template <typename Model> class Fixture : public Database
{
public:
    using Database::Database;
    using Query = std::decay_t<decltype(std::declval<Model>().query())>;

    // Accounts make(0) … make(count - 1).
    bool open(int count, const std::function<sd::core::Account(int)> &make)
    {
        model.reset();
        QList<sd::core::Account> accounts;
        for (int i = 0; i < count; ++i)
            accounts << make(i);
        if (!Database::open(accounts))
            return false;
        model = std::make_unique<Model>(backend.get(), *core);
        new QAbstractItemModelTester(
            model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest, model.get());
        return true;
    }
    void close()
    {
        idle();
        model.reset();
        Database::close();
    }
    // Starts the model on `query`; whether its first window came in (bounded wait).
    bool start(const Query &query = {})
    {
        model->setQuery(query);
        model->start();
        return QTest::qWaitFor([this] { return model->isLoaded(); });
    }
    // Whether nothing is being fetched any more (bounded wait).
    bool idle()
    {
        return QTest::qWaitFor([this] {
            return (!model || !model->isFetching()) && (!backend || backend->jobsInFlight() == 0);
        });
    }
    QString username(int row) { return fetchedText(model.get(), row, Model::Username); }

    std::unique_ptr<Model> model;
};

} // namespace pageddb
