#pragma once

#include "clock.h"
#include "config.h"
#include "coreservices.h"
#include "http/apiserver.h"
#include "mail/outboxsender.h"
#include "store/database.h"

#include <QThread>

#include <memory>

namespace sd::app {

// Builds and owns everything a running SignupDesk needs: database, core services, the mail
// sender (own thread) and the HTTP server (own thread). Tests build one with a FakeClock.
class Application
{
public:
    Application(core::Config config, std::shared_ptr<core::Clock> clock);
    ~Application();

    // Opens and migrates the database and builds the core. No network yet.
    core::Result<void> open();
    // Starts the mail sender and the HTTP server; returns the URL it listens on.
    core::Result<QString> start();
    void stop();

    const core::Config &config() const { return m_config; }
    core::CoreServices &core() { return *m_core; }
    store::Database &database() { return *m_database; }
    http::ApiServer *server() { return m_server; }
    mail::OutboxSender *outboxSender() { return m_sender; }
    quint16 port() const { return m_port; }
    QString listeningUrl() const { return m_listeningUrl; }

    // For tests: extra routes (e.g. one that throws), added before start().
    void addRoute(http::Route route) { m_extraRoutes.append(std::move(route)); }

private:
    core::Config m_config;
    std::shared_ptr<core::Clock> m_clock;
    std::unique_ptr<store::Database> m_database;
    std::unique_ptr<core::CoreServices> m_core;
    QThread m_serverThread;
    QThread m_mailThread;
    http::ApiServer *m_server = nullptr;
    mail::OutboxSender *m_sender = nullptr;
    quint16 m_port = 0;
    QString m_listeningUrl;
    QList<http::Route> m_extraRoutes;
};

// Reads the config from the usual sources: --config file, SIGNUPDESK_* environment, and the
// command line overrides given.
core::Result<core::Config> loadAppConfig(const QString &iniPath, const QHash<QString, QString> &overrides);

} // namespace sd::app
