#include "testserver.h"

#include "testenv.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

using namespace Qt::StringLiterals;

std::unique_ptr<TestServer> startTestServer(TestServer::Backend backend,
                                            std::function<void(sd::core::Config &)> configure)
{
    auto server = std::make_unique<TestServer>(backend, std::move(configure));
    QString error;
    if (!server->start(&error))
        qWarning("server: %s", qPrintable(error));
    return server;
}

sd::core::Argon2Params cheapArgon2()
{
    return {64, 1, 1};
}

TestServer::TestServer(Backend backend, std::function<void(sd::core::Config &)> configure)
    : m_clock(std::make_shared<sd::core::FakeClock>())
{
    sd::core::ConfigSources sources;
    sources.defaultDataDir = m_dir.path();
    m_config = *sd::core::loadConfig(sources);
    m_config.listen = u"127.0.0.1"_s;
    m_config.port = 0;
    m_config.password = cheapArgon2();
    m_config.rateLimitEnabled = false;
    m_config.workers = 4;
    m_config.mailFolder = m_dir.filePath(u"mail"_s);
    m_config.databaseUrl = backend == Backend::Postgres ? testenv::postgresUrl()
                                                        : u"sqlite:"_s + m_dir.filePath(u"test.db"_s);
    if (configure)
        configure(m_config);
    m_app = std::make_unique<sd::app::Application>(m_config, m_clock);
}

TestServer::~TestServer()
{
    if (m_app)
        m_app->stop();
}

bool TestServer::start(QString *error)
{
    if (m_config.databaseUrl.startsWith(u"postgres"_s)) {
        if (m_config.databaseUrl.isEmpty() || !testenv::resetPostgres(error))
            return false;
    }
    auto url = m_app->start();
    if (!url && error)
        *error = url.error().detail;
    return url.has_value();
}

int TestServer::flushMail()
{
    int sent = 0;
    // drainOnce runs in this thread with its own connection; the sender thread may also be
    // draining, and the lease makes sure no row is sent twice.
    QMetaObject::invokeMethod(m_app->outboxSender(), [&] { sent = m_app->outboxSender()->drainOnce(); },
                              Qt::BlockingQueuedConnection);
    return sent;
}

QByteArray TestServer::lastMailTo(const QString &to) const
{
    QDir dir(m_config.mailFolder);
    QByteArray newest;
    QDateTime newestTime;
    const auto files = dir.entryInfoList({u"*.eml"_s}, QDir::Files, QDir::Time | QDir::Reversed);
    for (const QFileInfo &info : files) {
        QFile f(info.filePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray content = f.readAll();
        if (content.contains(QByteArray("\r\nTo: " + to.toUtf8() + "\r\n")))
            newest = content; // files are in modification order: the last match is the newest
    }
    return newest;
}
