#pragma once

#include "application.h"

#include <QMutex>
#include <QTemporaryDir>

// An in-process SignupDesk on a free loopback port with a fake clock and a cheap password
// cost, over a fresh SQLite file or the (reset) PostgreSQL test database.
class TestServer
{
public:
    enum class Backend
    {
        Sqlite,
        Postgres
    };

    explicit TestServer(Backend backend = Backend::Sqlite,
                        std::function<void(sd::core::Config &)> configure = {});
    ~TestServer();

    bool start(QString *error = nullptr);
    quint16 port() const { return m_app->port(); }
    sd::app::Application &app() { return *m_app; }
    sd::core::FakeClock &clock() { return *m_clock; }
    // The same clock, for a second instance that must agree with this one (shared limits).
    std::shared_ptr<sd::core::FakeClock> sharedClock() const { return m_clock; }
    sd::core::Config &config() { return m_config; }
    QString dataDir() const { return m_dir.path(); }

    // Sends every queued email now (to the file transport's folder) and returns their count.
    int flushMail();
    // The newest raw email file sent to `to`, or empty.
    QByteArray lastMailTo(const QString &to) const;

private:
    QTemporaryDir m_dir;
    sd::core::Config m_config;
    std::shared_ptr<sd::core::FakeClock> m_clock;
    std::unique_ptr<sd::app::Application> m_app;
    // The outbox ids in the order the sender sent them (its thread appends). File times cannot
    // tell: one drain writes several files within the kernel's coarse file-clock tick.
    mutable QMutex m_sentMutex;
    QStringList m_sentOrder;
};

// A TestServer, started; where it did not start, a warning says why (and the test's check of
// port() fails).
// Console tests call it on their Worker, so the GUI thread opens no database connection.
std::unique_ptr<TestServer>
startTestServer(TestServer::Backend backend = TestServer::Backend::Sqlite,
                std::function<void(sd::core::Config &)> configure = {});

// Cheap argon2id parameters for tests (production cost is proven in tst_passwordhasher).
sd::core::Argon2Params cheapArgon2();
