#include "webhookreceiver.h"

#include "webhooks/webhooks.h"

#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

WebhookReceiver::WebhookReceiver(QByteArray key) : m_key(std::move(key))
{
    m_thread.start();
    m_server = new QTcpServer;
    m_server->moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        m_server,
        [this] {
            m_server->listen(QHostAddress::LocalHost, 0);
            m_port = m_server->serverPort();
            QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] {
                while (QTcpSocket *socket = m_server->nextPendingConnection()) {
                    auto buffer = std::make_shared<QByteArray>();
                    QObject::connect(socket, &QTcpSocket::disconnected, socket,
                                     &QObject::deleteLater);
                    QObject::connect(socket, &QTcpSocket::readyRead, socket, [=, this] {
                        buffer->append(socket->readAll());
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0)
                            return;
                        Received r;
                        const QList<QByteArray> lines = buffer->left(end).split('\n');
                        r.path = QString::fromLatin1(lines.value(0).split(' ').value(1));
                        for (const QByteArray &line : lines.mid(1)) {
                            const qsizetype colon = line.indexOf(':');
                            if (colon > 0)
                                r.headers.insert(line.left(colon).trimmed().toLower(),
                                                 line.mid(colon + 1).trimmed());
                        }
                        const qsizetype length = r.headers.value("content-length").toLongLong();
                        if (buffer->size() < end + 4 + length)
                            return;
                        r.body = buffer->mid(end + 4, length);
                        buffer->clear();
                        r.signatureValid = sd::core::webhookSignature(
                                               m_key, r.headers.value("webhook-id"),
                                               r.headers.value("webhook-timestamp").toLongLong(),
                                               r.body) == r.headers.value("webhook-signature");
                        Mode mode;
                        {
                            QMutexLocker lock(&m_mutex);
                            m_received.append(r);
                            mode = m_mode;
                        }
                        QByteArray answer;
                        switch (mode) {
                        case Mode::Ok:
                            answer = "HTTP/1.1 204 No Content\r\n";
                            break;
                        case Mode::Fail500:
                            answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n";
                            break;
                        case Mode::Redirect:
                            answer = "HTTP/1.1 302 Found\r\nLocation: " +
                                     url(u"/elsewhere"_s).toLatin1() + "\r\nContent-Length: 0\r\n";
                            break;
                        case Mode::Hang:
                            return; // say nothing; the sender's timeout ends it
                        }
                        socket->write(answer + "Connection: close\r\n\r\n");
                        socket->disconnectFromHost();
                    });
                }
            });
        },
        Qt::BlockingQueuedConnection);
}

WebhookReceiver::~WebhookReceiver()
{
    QMetaObject::invokeMethod(
        m_server, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString WebhookReceiver::url(const QString &path) const
{
    return u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path);
}

void WebhookReceiver::setMode(Mode mode)
{
    QMutexLocker lock(&m_mutex);
    m_mode = mode;
}

QList<WebhookReceiver::Received> WebhookReceiver::received() const
{
    QMutexLocker lock(&m_mutex);
    return m_received;
}
