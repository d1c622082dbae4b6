#include "smtpsink.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace {
const QByteArray portPrefix = QByteArrayLiteral("SMTP_PORT=");
}

SmtpSink::SmtpSink() : SmtpSink(Options{}) {}

SmtpSink::SmtpSink(Options options) : m_options(options) {}

SmtpSink::~SmtpSink()
{
    stop();
}

QString SmtpSink::scriptPath()
{
    return qEnvironmentVariable("SD_SOURCE_DIR") + u"/tests/support/smtp_sink.py"_s;
}

bool SmtpSink::start(int timeoutMs)
{
    stop();
    m_error.clear();
    if (!m_folder.isValid()) {
        m_error = u"no temporary folder: "_s + m_folder.errorString();
        return false;
    }
    if (!QFile::exists(scriptPath())) {
        m_error = u"not found: "_s + scriptPath() + u" (is SD_SOURCE_DIR set?)"_s;
        return false;
    }

    QStringList arguments{scriptPath(), u"--port"_s, QString::number(m_options.port),
                          u"--dir"_s,   folder(),    u"--watch-stdin"_s};
    if (m_options.failCode != 0)
        arguments << u"--fail-code"_s << QString::number(m_options.failCode);
    if (m_options.requireAuth)
        arguments << u"--auth-require"_s;
    if (!m_options.tlsMode.isEmpty())
        arguments << u"--tls-mode"_s << m_options.tlsMode << u"--tls-cert"_s << m_options.tlsCert
                  << u"--tls-key"_s << m_options.tlsKey;

    m_process = std::make_unique<QProcess>();
    // Debian's interpreter on purpose: python3-aiosmtpd lives in its dist-packages, not in
    // whatever python3 comes first on PATH.
    m_process->start(u"/usr/bin/python3"_s, arguments);
    if (!m_process->waitForStarted(timeoutMs)) {
        m_error = u"cannot start /usr/bin/python3: "_s + m_process->errorString();
        m_process.reset();
        return false;
    }

    const QDeadlineTimer deadline(timeoutMs);
    QByteArray output;
    while (true) {
        output += m_process->readAllStandardOutput();
        const qsizetype at = output.indexOf(portPrefix);
        const qsizetype end = at < 0 ? -1 : output.indexOf('\n', at);
        if (end >= 0) {
            bool ok = false;
            const uint port = output.mid(at + portPrefix.size(), end - at - portPrefix.size())
                                  .trimmed()
                                  .toUInt(&ok);
            if (ok && port > 0 && port <= 0xffff) {
                m_port = static_cast<quint16>(port);
                return true;
            }
            m_error = u"unexpected output: "_s + QString::fromUtf8(output);
            break;
        }
        if (m_process->state() != QProcess::Running) {
            m_error = u"smtp_sink.py exited: "_s + QString::fromUtf8(standardError());
            break;
        }
        if (deadline.hasExpired()) {
            m_error =
                u"smtp_sink.py printed no port in time: "_s + QString::fromUtf8(standardError());
            break;
        }
        m_process->waitForReadyRead(static_cast<int>(deadline.remainingTime()));
    }
    stop();
    return false;
}

void SmtpSink::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
    m_port = 0;
}

bool SmtpSink::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString SmtpSink::url() const
{
    return u"smtp://127.0.0.1:"_s + QString::number(m_port);
}

QString SmtpSink::url(const QString &user, const QString &password) const
{
    QUrl result;
    result.setScheme(u"smtp"_s);
    result.setHost(u"127.0.0.1"_s);
    result.setPort(m_port);
    result.setUserName(user);
    result.setPassword(password);
    return result.toString(QUrl::FullyEncoded);
}

QList<SmtpSink::Transaction> SmtpSink::transactions() const
{
    QList<Transaction> result;
    QFile log(QDir(folder()).filePath(u"envelope.json"_s));
    if (!log.open(QIODevice::ReadOnly))
        return result;
    const QByteArray text = log.readAll();
    // Only complete lines: the sink may be appending the next one right now.
    const qsizetype complete = text.lastIndexOf('\n') + 1;
    const QList<QByteArray> lines = text.left(complete).split('\n');
    for (const QByteArray &line : lines) {
        if (line.trimmed().isEmpty())
            continue;
        const QJsonObject entry = QJsonDocument::fromJson(line).object();
        Transaction transaction;
        transaction.mailFrom = entry.value(u"mail_from").toString();
        for (const QJsonValue &rcpt : entry.value(u"rcpt_tos").toArray())
            transaction.rcptTos << rcpt.toString();
        transaction.authLogin = entry.value(u"auth_login").toString();
        transaction.reply = entry.value(u"reply").toString();
        const QString file = entry.value(u"file").toString();
        if (!file.isEmpty()) {
            QFile message(QDir(folder()).filePath(file));
            if (message.open(QIODevice::ReadOnly))
                transaction.raw = message.readAll();
            transaction.accepted = true;
        }
        result << transaction;
    }
    return result;
}

QList<QByteArray> SmtpSink::messages() const
{
    QList<QByteArray> result;
    for (const Transaction &transaction : transactions()) {
        if (transaction.accepted)
            result << transaction.raw;
    }
    return result;
}

QByteArray SmtpSink::standardError() const
{
    return m_process ? m_process->readAllStandardError() : QByteArray();
}
