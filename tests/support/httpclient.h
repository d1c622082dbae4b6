#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>

// A minimal blocking HTTP/1.1 client over real loopback sockets (POSIX), usable from plain
// threads: the tests fire many requests at once without any Qt event loop.
struct HttpResult
{
    int status = 0;                        // 0: the connection failed or closed before an answer
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QByteArray raw;

    QJsonObject json() const;
    QString errorCode() const; // error.code of an error body
};

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

HttpResult httpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                       const QByteArray &body = {}, const HeaderList &headers = {},
                       int timeoutMs = 30000);
HttpResult postJson(quint16 port, const QByteArray &path, const QJsonObject &body,
                    const QString &bearer = {});
HttpResult getJson(quint16 port, const QByteArray &path, const QString &bearer = {});

// A blocking TCP connection to 127.0.0.1:port, or -1.
int connectTo(quint16 port);

// Sends raw bytes and returns what comes back until the peer closes or the timeout passes.
QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs = 5000);
