#include "application.h"

#include "apiroutes.h"
#include "audit/auditchain.h"
#include "filemailer.h"
#include "oauthhttpclient.h"
#include "oauthroutes.h"
#include "operationsroutes.h"
#include "pageroutes.h"
#include "recoveryroutes.h"
#include "smtpmailer.h"
#include "systemreversedns.h"
#include "tlsfiles.h"
#include "webhooks/webhooks.h"

#include <QDir>
#include <QFile>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QTimer>
#include <QUuid>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;
using sd::core::fail;

namespace sd::app {

core::Result<core::Config> loadAppConfig(const QString &iniPath,
                                         const QHash<QString, QString> &overrides)
{
    core::ConfigSources sources;
    sources.iniPath = iniPath;
    const auto env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys())
        if (key.startsWith(u"SIGNUPDESK_"_s))
            sources.environment.insert(key, env.value(key));
    sources.overrides = overrides;
    sources.defaultDataDir =
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/signupdesk"_s;
    return core::loadConfig(sources);
}

QString defaultConfigPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           u"/signupdesk/signupdesk.ini"_s;
}

QStringList overriddenConfigKeys(const QHash<QString, QString> &overrides)
{
    const auto env = QProcessEnvironment::systemEnvironment();
    QStringList keys;
    for (const QString &key : core::knownConfigKeys()) {
        QString envName = u"SIGNUPDESK_"_s + key.toUpper();
        envName.replace(u'/', u'_');
        if (overrides.contains(key) || env.contains(envName))
            keys << key;
    }
    return keys;
}

core::Result<void> checkTlsFiles(const QString &certPath, const QString &keyPath)
{
    auto tls = http::loadTlsConfiguration(certPath, keyPath);
    if (!tls)
        return std::unexpected(tls.error());
    return {};
}

std::shared_ptr<mail::Mailer> makeMailer(const core::Config &config)
{
    if (config.mailTransport == u"smtp"_s)
        return std::make_shared<mail::SmtpMailer>(config.smtpUrl, config.smtpCaFile);
    return std::make_shared<mail::FileMailer>(config.mailFolder);
}

namespace {

// core's TestMailer over a mail transport: one message, sent at once.
class TransportTestMailer : public core::TestMailer
{
public:
    explicit TransportTestMailer(std::shared_ptr<mail::Mailer> mailer) : m_mailer(std::move(mailer))
    {
    }

    QString describe() const override { return m_mailer->describe(); }

    core::MailDelivery send(const core::TestEmail &email) override
    {
        mail::Message message;
        message.messageId = QUuid::createUuid().toString(QUuid::WithoutBraces) + u"@signupdesk"_s;
        message.from = email.from;
        message.to = email.to;
        message.subject = email.subject;
        message.textBody = email.textBody;
        message.htmlBody = email.htmlBody;
        message.date = QDateTime::currentDateTimeUtc();
        const mail::SendResult result = m_mailer->send(message);
        return {result.isSent(), result.reply};
    }

private:
    std::shared_ptr<mail::Mailer> m_mailer;
};

} // namespace

std::shared_ptr<core::TestMailer> makeTestMailer(const core::Config &config)
{
    return std::make_shared<TransportTestMailer>(makeMailer(config));
}

Application::Application(core::Config config, std::shared_ptr<core::Clock> clock)
    : m_config(std::move(config)), m_clock(std::move(clock)),
      m_requestMeter(std::make_unique<core::RequestMeter>(*m_clock)),
      m_outboxMonitor(std::make_unique<core::OutboxMonitor>())
{
    m_mailThread.setObjectName(u"mail"_s);
    m_settingsThread.setObjectName(u"settings"_s);
    m_webhookThread.setObjectName(u"webhooks"_s);
}

Application::~Application()
{
    stop();
}

core::Result<void> Application::open()
{
    auto url = store::DatabaseUrl::parse(m_config.databaseUrl);
    if (!url)
        return fail(ErrorCode::Validation, url.error());
    if (url->dialect == store::Dialect::Sqlite) {
        const QString dir = QFileInfo(url->sqlitePath).absolutePath();
        const bool existed = QFileInfo::exists(dir);
        if (!QDir().mkpath(dir))
            return fail(ErrorCode::Unavailable, u"cannot create "_s + dir);
        // The data folder holds the database and the mail: only its owner may read it. Only a
        // folder we create here: an existing one (say /tmp for sqlite:/tmp/x.db) is not ours.
        if (!existed)
            QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                           QFileDevice::ExeOwner);
    }
    m_database = std::make_unique<store::Database>(*url);
    auto core = core::CoreServices::create(m_config, *m_database, *m_clock);
    if (!core)
        return std::unexpected(core.error());
    m_core = std::move(*core);
    // OAuth's network half: its own thread, bounded by oauth/timeout_seconds.
    m_core->setOAuthClient(std::make_shared<http::NetworkOAuthClient>(
        std::chrono::seconds(m_config.oauthTimeoutSeconds)));
    m_core->setReverseDns(std::make_shared<http::SystemReverseDns>());
    if (url->dialect == store::Dialect::Sqlite)
        QFile::setPermissions(url->sqlitePath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

core::Result<QString> Application::start()
{
    if (!m_core)
        if (auto r = open(); !r)
            return std::unexpected(r.error());
    // Before the first request: no event of this instance goes untold.
    startClusterEvents();

    // HTTP server in its own thread; bound from that thread.
    http::ServerOptions options;
    options.workers =
        m_config.workers > 0 ? m_config.workers : qMax(2, QThread::idealThreadCount());
    options.maxInflight = m_config.maxInflight;
    options.maxBodyBytes = m_config.maxBodyBytes;
    options.adminApiEnabled = m_config.adminApiEnabled;
    options.requestMeter = m_requestMeter.get();
    for (const QString &proxy : std::as_const(m_config.trustedProxies)) { // checked by loadConfig
        const QHostAddress single(proxy);
        options.trustedProxies.append(
            single.isNull()
                ? QHostAddress::parseSubnet(proxy)
                : std::pair<QHostAddress, int>{
                      single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128});
    }
    // The guard in front of QtHttpServer (SEC-31) and TLS (SEC-40).
    options.edge.maxHeaderBytes = m_config.maxHeaderBytes;
    options.edge.maxRequestLineBytes = qMin(8 * 1024, m_config.maxHeaderBytes);
    options.edge.maxBodyBytes = m_config.maxBodyBytes;
    options.edge.headerTimeoutMs = m_config.headerTimeoutSeconds * 1000;
    options.edge.idleTimeoutMs = m_config.idleTimeoutSeconds * 1000;
    options.edge.maxConnections = m_config.maxConnections;
    options.edge.maxConnectionsPerAddress = m_config.maxConnectionsPerAddress;
    if (!m_config.tlsCert.isEmpty()) {
        auto tls = http::loadTlsConfiguration(m_config.tlsCert, m_config.tlsKey);
        if (!tls)
            return std::unexpected(tls.error());
        options.tls = *tls;
    }
    // server/threads HTTP server threads, each with its own ApiServer (and routes) serving the
    // one listening socket; they share the worker pools and the edge guard's caps.
    const int threads = m_config.threads > 0 ? m_config.threads : QThread::idealThreadCount();
    options.pools = std::make_shared<http::WorkerPools>(options.workers, options.maxInflight);
    options.edgeGroup = std::make_shared<http::EdgeGroup>(options.edge);
    for (int i = 0; i < qMax(1, threads); ++i) {
        auto *server = new http::ApiServer(options);
        http::registerApiRoutes(*server, *m_core);
        http::registerPageRoutes(*server, *m_core);
        http::registerOAuthRoutes(*server, *m_core);
        http::registerRecoveryRoutes(*server, *m_core);
        http::registerOperationsRoutes(*server, *m_core);
        for (const http::Route &route : std::as_const(m_extraRoutes))
            server->addRoute(route);
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(u"http-%1"_s.arg(i));
        server->moveToThread(thread.get());
        QObject::connect(thread.get(), &QThread::finished, server, &QObject::deleteLater);
        thread->start();
        m_servers.append(server);
        m_serverThreads.push_back(std::move(thread));
    }
    m_server = m_servers.first();

    QString error;
    QHostAddress address;
    if (!address.setAddress(m_config.listen))
        return fail(ErrorCode::Validation,
                    u"server/listen: not an IP address: "_s + m_config.listen);
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u"["_s + m_config.listen + u"]"_s
                             : m_config.listen;
    const QString scheme = options.tls ? u"https"_s : u"http"_s;
    QString publicUrl;
    QMetaObject::invokeMethod(
        m_server,
        [&] {
            m_port = m_server->listenOn(address, quint16(m_config.port), &error);
            if (m_port == 0)
                return;
            m_listeningUrl = u"%1://%2:%3"_s.arg(scheme, host).arg(m_port);
            publicUrl = m_config.publicUrl.isEmpty() ? m_listeningUrl : m_config.publicUrl;
            // Set before the first request is read: pages answer only under this Host.
            m_server->setPublicUrl(publicUrl);
        },
        Qt::BlockingQueuedConnection);
    if (m_port == 0)
        return fail(
            ErrorCode::Unavailable,
            u"cannot listen on %1:%2: %3"_s.arg(m_config.listen).arg(m_config.port).arg(error));
    qintptr listening = -1;
    QMetaObject::invokeMethod(
        m_server, [&] { listening = m_server->edge()->socketDescriptor(); },
        Qt::BlockingQueuedConnection);
    for (http::ApiServer *server : std::as_const(m_servers)) {
        if (server == m_server)
            continue;
        bool ok = false;
        QMetaObject::invokeMethod(
            server,
            [&] {
                ok = server->listenOnDuplicate(listening, &error);
                server->setPublicUrl(publicUrl);
            },
            Qt::BlockingQueuedConnection);
        if (!ok)
            return fail(ErrorCode::Unavailable, u"cannot serve on another thread: %1"_s.arg(error));
    }
    m_core->setPublicUrl(publicUrl);

    // Mail sender in its own thread, woken whenever core queues a message.
    std::shared_ptr<mail::Mailer> mailer = makeMailer(m_config);
    mail::OutboxPolicy policy;
    policy.maxAttempts = m_config.mailMaxAttempts;
    policy.baseBackoffMs = qint64(m_config.mailRetrySeconds) * 1000;
    auto clock = m_clock;
    m_sender =
        new mail::OutboxSender(*m_database, mailer, policy, [clock] { return clock->nowMs(); });
    m_sender->moveToThread(&m_mailThread);
    QObject::connect(&m_mailThread, &QThread::finished, m_sender, &QObject::deleteLater);
    QObject::connect(&m_mailThread, &QThread::started, m_sender, &mail::OutboxSender::start);
    QObject::connect(&m_core->events(), &core::Events::mailQueued, m_sender,
                     &mail::OutboxSender::wake, Qt::QueuedConnection);
    // Direct: the monitor re-emits on the mail thread, and its receivers queue to their own
    // threads (the console's do), so no hop through the thread that built the Application.
    QObject::connect(m_sender, &mail::OutboxSender::messageSent, m_outboxMonitor.get(),
                     &core::OutboxMonitor::messageSent, Qt::DirectConnection);
    QObject::connect(m_sender, &mail::OutboxSender::messageFailed, m_outboxMonitor.get(),
                     &core::OutboxMonitor::messageFailed, Qt::DirectConnection);
    // The audit chain is sealed every two seconds, beside the mail, off the GUI and HTTP threads.
    auto *sealer = new QTimer;
    sealer->setInterval(2000);
    sealer->moveToThread(&m_mailThread);
    store::Database *database = m_database.get();
    QObject::connect(sealer, &QTimer::timeout, sealer, [database] {
        if (auto r = core::auditchain::seal(*database); !r)
            qWarning("audit: sealing failed: %s", qPrintable(r.error().message));
    });
    QObject::connect(&m_mailThread, &QThread::started, sealer, qOverload<>(&QTimer::start));
    QObject::connect(&m_mailThread, &QThread::finished, sealer, &QObject::deleteLater);
    m_mailThread.start();

    // Live settings a console stored in the database win over the config: say so once.
    const core::LiveConfig &live = m_core->liveConfig();
    const QHash<QString, QString> stored = live.stored(), startup = live.startup().values();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        if (startup.contains(it.key()) && startup.value(it.key()) != it.value())
            qInfo("settings: %s=%s from the database (set from a console) overrides the config",
                  qPrintable(it.key()), qPrintable(it.value()));
    // The live settings another instance changed (a console's panic switch, say), re-read on a
    // thread of their own, so a slow database holds up neither HTTP nor mail: at once when
    // another instance says so over NOTIFY (PostgreSQL) or its events may have been missed, and
    // on a timer (every second on SQLite, where the command line has no other way to tell).
    auto *refresher = new QTimer;
    refresher->setInterval(int(m_database->dialect() == store::Dialect::Postgres
                                   ? m_config.settingsPollMsPostgres
                                   : m_config.settingsPollMsSqlite));
    refresher->moveToThread(&m_settingsThread);
    core::CoreServices *core = m_core.get();
    auto failing = std::make_shared<bool>(false);
    const auto refresh = [core, failing] {
        auto r = core->settings().refresh();
        if (!r && !*failing) // once per outage, not every time
            qWarning("settings: cannot re-read the live settings: %s",
                     qPrintable(r.error().detail));
        *failing = !r;
    };
    QObject::connect(refresher, &QTimer::timeout, refresher, refresh);
    QObject::connect(&m_core->events(), &core::Events::remoteSettingsSaved, refresher, refresh,
                     Qt::QueuedConnection);
    QObject::connect(&m_core->events(), &core::Events::remoteEventsMissed, refresher, refresh,
                     Qt::QueuedConnection);
    QObject::connect(&m_settingsThread, &QThread::started, refresher, qOverload<>(&QTimer::start));
    QObject::connect(&m_settingsThread, &QThread::finished, refresher, &QObject::deleteLater);
    m_settingsThread.start();
    startWebhookSender();
    return m_listeningUrl;
}

void Application::startWebhookSender()
{
    if (m_config.webhookUrls.isEmpty())
        return;
    auto key = core::webhookKey(m_config.webhookSecret); // checked by loadConfig
    if (!key)
        return;
    core::WebhookPolicy policy;
    policy.maxAttempts = m_config.webhookMaxAttempts;
    policy.baseBackoffMs = qint64(m_config.webhookRetrySeconds) * 1000;
    // Rows are claimed one at a time, so the lease covers one attempt: its timeout and slack.
    policy.leaseMs = qint64(m_config.webhookTimeoutSeconds) * 2000 + 5000;
    m_webhookSender =
        new http::WebhookSender(*m_core, *key, policy, m_config.webhookTimeoutSeconds * 1000);
    m_webhookSender->moveToThread(&m_webhookThread);
    QObject::connect(m_webhookSender, &http::WebhookSender::delivered, m_webhookMonitor.get(),
                     &core::WebhookMonitor::delivered, Qt::DirectConnection);
    QObject::connect(m_webhookSender, &http::WebhookSender::deliveryFailed, m_webhookMonitor.get(),
                     &core::WebhookMonitor::deliveryFailed, Qt::DirectConnection);
    QObject::connect(&m_webhookThread, &QThread::finished, m_webhookSender, &QObject::deleteLater);
    QObject::connect(&m_webhookThread, &QThread::started, m_webhookSender,
                     &http::WebhookSender::start);
    // Every flow that queues an event emits one of these after its commit (and the sender
    // polls every second for the rest, and for other instances' events).
    const core::Events *events = &m_core->events();
    for (auto signal :
         {&core::Events::signupCreated, &core::Events::emailVerified, &core::Events::signupApproved,
          &core::Events::signupRejected, &core::Events::userDisabled, &core::Events::userEnabled,
          &core::Events::accountDeleted, &core::Events::passwordChanged,
          &core::Events::emailChanged, &core::Events::invitationAccepted})
        QObject::connect(events, signal, m_webhookSender, &http::WebhookSender::wake,
                         Qt::QueuedConnection);
    QObject::connect(events, &core::Events::mailQueued, m_webhookSender, &http::WebhookSender::wake,
                     Qt::QueuedConnection);
    m_webhookThread.start();
}

void Application::startClusterEvents()
{
    if (!m_core || m_clusterEvents || m_database->dialect() != store::Dialect::Postgres)
        return;
    // Waits (briefly) for the LISTEN, so a console built next misses nothing; a server that
    // does not answer is retried in the background.
    m_clusterEvents = std::make_unique<core::ClusterEvents>(*m_database, m_core->events());
    m_clusterEvents->start();
    m_clusterEvents->waitUntilListening(std::chrono::seconds(5));
}

void Application::stop()
{
    if (!m_servers.isEmpty()) {
        // The pools are shared: once drained, no job posts to any server any more.
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->waitForWorkers(); }, Qt::BlockingQueuedConnection);
        for (auto &thread : m_serverThreads) {
            thread->quit();
            thread->wait();
        }
        m_serverThreads.clear();
        m_servers.clear();
        m_server = nullptr;
    }
    // The work requests left for after their answer (resend, email-link) commits its mail
    // before the sender stops.
    if (m_core)
        m_core->waitForAfterAnswer();
    if (m_mailThread.isRunning()) {
        m_mailThread.quit();
        m_mailThread.wait();
        m_sender = nullptr;
    }
    if (m_settingsThread.isRunning()) {
        m_settingsThread.quit();
        m_settingsThread.wait();
    }
    if (m_webhookThread.isRunning()) {
        m_webhookThread.quit();
        m_webhookThread.wait();
        m_webhookSender = nullptr;
    }
    // Last: it sends what the server and the mail sender emitted before they stopped.
    m_clusterEvents.reset();
}

} // namespace sd::app
