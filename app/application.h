#pragma once

#include "apiserver.h"
#include "clock.h"
#include "clusterevents.h"
#include "config.h"
#include "console/outboxmonitor.h"
#include "console/testmailer.h"
#include "console/webhookmonitor.h"
#include "coreservices.h"
#include "database.h"
#include "mailer.h"
#include "outboxsender.h"
#include "requestmeter.h"
#include "webhooksender.h"

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
    // Several instances may share one PostgreSQL database: tells the others about this one's
    // events and hands theirs to this one's Events (start() calls it; so do the admin
    // commands that change signups). Nothing on SQLite. Needs open().
    void startClusterEvents();
    void stop();

    const core::Config &config() const { return m_config; }
    core::CoreServices &core() { return *m_core; }
    store::Database &database() { return *m_database; }
    // The first server thread's server (the one that listens); all: servers().
    http::ApiServer *server() { return m_server; }
    const QList<http::ApiServer *> &servers() const { return m_servers; }
    mail::OutboxSender *outboxSender() { return m_sender; }
    // Null unless webhooks/urls is set (and before start()).
    http::WebhookSender *webhookSender() { return m_webhookSender; }
    // The sender's reports, as core's OutboxMonitor (for the console); null before start().
    core::OutboxMonitor *outboxMonitor() { return m_sender ? m_outboxMonitor.get() : nullptr; }
    // The webhook sender's reports (for the console); null unless webhooks/urls is set.
    core::WebhookMonitor *webhookMonitor()
    {
        return m_webhookSender ? m_webhookMonitor.get() : nullptr;
    }
    // Events to and from the other instances on the same PostgreSQL database; null on SQLite
    // and before start().
    core::ClusterEvents *clusterEvents() { return m_clusterEvents.get(); }
    quint16 port() const { return m_port; }
    // Answered HTTP requests over the last minute (the console's status bar).
    const core::RequestMeter &requestMeter() const { return *m_requestMeter; }
    QString listeningUrl() const { return m_listeningUrl; }

    // For tests: extra routes (e.g. one that throws), added before start().
    void addRoute(http::Route route) { m_extraRoutes.append(std::move(route)); }

private:
    core::Config m_config;
    std::shared_ptr<core::Clock> m_clock;
    std::unique_ptr<core::RequestMeter> m_requestMeter;
    std::unique_ptr<store::Database> m_database;
    std::unique_ptr<core::CoreServices> m_core;
    std::vector<std::unique_ptr<QThread>> m_serverThreads; // server/threads of them
    QThread m_mailThread;
    QThread m_settingsThread; // re-reads the live settings other instances changed
    QList<http::ApiServer *> m_servers;
    QThread m_webhookThread; // the webhook sender: network waits of its own
    http::ApiServer *m_server = nullptr;
    mail::OutboxSender *m_sender = nullptr;
    http::WebhookSender *m_webhookSender = nullptr;
    void startWebhookSender();
    std::unique_ptr<core::OutboxMonitor> m_outboxMonitor; // lives in the constructing thread
    std::unique_ptr<core::WebhookMonitor> m_webhookMonitor =
        std::make_unique<core::WebhookMonitor>(); // likewise
    std::unique_ptr<core::ClusterEvents> m_clusterEvents;
    quint16 m_port = 0;
    QString m_listeningUrl;
    QList<http::Route> m_extraRoutes;
};

// Reads the config from the usual sources: --config file, SIGNUPDESK_* environment, and the
// command line overrides given.
core::Result<core::Config> loadAppConfig(const QString &iniPath,
                                         const QHash<QString, QString> &overrides);

// The INI file read when no --config is given (if it exists), and where the console's settings
// dialog saves then: <config dir>/signupdesk/signupdesk.ini (~/.config/signupdesk/… on Linux).
QString defaultConfigPath();

// The keys ("section/key") that SIGNUPDESK_* variables or the command line `overrides` set:
// editing them in the INI file changes nothing.
QStringList overriddenConfigKeys(const QHash<QString, QString> &overrides);

// The mail transport the config names (mail/transport): what the outbox sender and the
// console's "Send a test email" use.
std::shared_ptr<mail::Mailer> makeMailer(const core::Config &config);

// The same transport as core's TestMailer: the console's "Send a test email".
std::shared_ptr<core::TestMailer> makeTestMailer(const core::Config &config);

// Whether the server could start HTTPS with these PEM files (the Settings dialog's check).
core::Result<void> checkTlsFiles(const QString &certPath, const QString &keyPath);

} // namespace sd::app
