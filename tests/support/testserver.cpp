#include "testserver.h"

#include "testenv.h"

#include "outbox.h"
#include "outboxsender.h"

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
    // HTTP server threads: 1 unless SD_TEST_SERVER_THREADS says (CTest runs some suites
    // again with several, as NAME_threadsN).
    m_config.threads = qMax(1, qEnvironmentVariableIntValue("SD_TEST_SERVER_THREADS"));
    m_config.mailFolder = m_dir.filePath(u"mail"_s);
    m_config.databaseUrl = backend == Backend::Postgres
                               ? testenv::postgresUrl()
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
    if (url && m_app->outboxSender())
        QObject::connect(
            m_app->outboxSender(), &sd::mail::OutboxSender::messageSent, m_app->outboxSender(),
            [this](const QString &id) {
                QMutexLocker lock(&m_sentMutex);
                m_sentOrder.append(id);
            },
            Qt::DirectConnection);
    return url.has_value();
}

int TestServer::flushMail()
{
    int sent = 0;
    m_app->core().waitForAfterAnswer(); // mail that requests queue after their answer
    // On the sender's own thread, so after any drain it was in the middle of.
    QMetaObject::invokeMethod(
        m_app->outboxSender(), [&] { sent = m_app->outboxSender()->drainOnce(); },
        Qt::BlockingQueuedConnection);
    return sent;
}

QByteArray TestServer::lastMailTo(const QString &to) const
{
    // The files to `to`, by Message-ID, oldest first by file time (ties in any order).
    QDir dir(m_config.mailFolder);
    QList<std::pair<QByteArray, QByteArray>> files; // Message-ID, content
    const auto infos = dir.entryInfoList({u"*.eml"_s}, QDir::Files, QDir::Time | QDir::Reversed);
    for (const QFileInfo &info : infos) {
        QFile f(info.filePath());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray content = f.readAll();
        if (!content.contains(QByteArray("\r\nTo: " + to.toUtf8() + "\r\n")))
            continue;
        static constexpr QByteArrayView kMessageId = "\r\nMessage-ID: <";
        const qsizetype at = content.indexOf(kMessageId);
        const qsizetype from = at + kMessageId.size();
        const qsizetype end = at < 0 ? -1 : content.indexOf('>', from);
        files.append({end < 0 ? QByteArray() : content.mid(from, end - from), content});
    }
    if (files.isEmpty())
        return {};
    // A file the sender has not reported yet was written after every one it has: newest.
    QStringList sentOrder;
    {
        QMutexLocker lock(&m_sentMutex);
        sentOrder = m_sentOrder;
    }
    auto entries = sd::mail::Outbox::list(m_app->database());
    QHash<QString, qsizetype> sentRank; // Message-ID → position in the send order
    if (entries) {
        QHash<QString, QString> messageIdOf;
        for (const auto &e : std::as_const(*entries))
            messageIdOf.insert(e.id, e.message.messageId);
        for (qsizetype i = 0; i < sentOrder.size(); ++i)
            sentRank.insert(messageIdOf.value(sentOrder[i]), i);
    }
    const auto rank = [&](const QByteArray &messageId) {
        return sentRank.value(QString::fromLatin1(messageId), sentOrder.size());
    };
    const std::pair<QByteArray, QByteArray> *newest = &files.first();
    for (const auto &file : std::as_const(files))
        if (rank(file.first) >= rank(newest->first)) // among equals, the later file time wins
            newest = &file;
    return newest->second;
}
