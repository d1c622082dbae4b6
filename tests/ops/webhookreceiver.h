#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QThread>

class QTcpServer;

// A webhook receiver on loopback, in a thread of its own: it reads each POST, checks its
// Standard Webhooks signature with the key it was given, records it, and answers as told:
// 204, 500, a 302 to itself, or nothing at all (the sender's timeout).
class WebhookReceiver
{
public:
    enum class Mode
    {
        Ok,
        Fail500,
        Redirect,
        Hang
    };
    struct Received
    {
        QString path;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
        bool signatureValid = false;
    };

    explicit WebhookReceiver(QByteArray key);
    ~WebhookReceiver();

    quint16 port() const { return m_port; }
    QString url(const QString &path = QStringLiteral("/hook")) const;
    void setMode(Mode mode);
    QList<Received> received() const;

private:
    QByteArray m_key;
    QThread m_thread;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    Mode m_mode = Mode::Ok;
    QList<Received> m_received;
};
