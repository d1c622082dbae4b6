#include "httpclient.h"

#include <QJsonDocument>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int connectTo(quint16 port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

namespace {

bool sendAll(int fd, const QByteArray &data)
{
    qsizetype sent = 0;
    while (sent < data.size()) {
        const auto n =
            ::send(fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

// Reads one chunk; -1 on timeout or error, 0 on close.
qsizetype readSome(int fd, QByteArray &buffer, int timeoutMs)
{
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0)
        return -1;
    char chunk[16384];
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n > 0)
        buffer.append(chunk, n);
    return n;
}

} // namespace

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QString HttpResult::errorCode() const
{
    return json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

HttpResult httpRequest(quint16 port, const QByteArray &method, const QByteArray &path,
                       const QByteArray &body, const HeaderList &headers, int timeoutMs)
{
    HttpResult result;
    const int fd = connectTo(port);
    if (fd < 0)
        return result;
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nConnection: close\r\n";
    bool hasType = false;
    bool hasHost = false;
    for (const auto &[name, value] : headers) {
        request += name + ": " + value + "\r\n";
        hasType = hasType || name.toLower() == "content-type";
        hasHost = hasHost || name.toLower() == "host";
    }
    // One Host field (the server refuses two), naming the address and port like a browser.
    if (!hasHost)
        request += "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
    if (!body.isEmpty() && !hasType)
        request += "Content-Type: application/json\r\n";
    if (!body.isEmpty() || method == "POST")
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n" + body;
    if (!sendAll(fd, request)) {
        ::close(fd);
        return result;
    }
    QByteArray buffer;
    qsizetype headerEnd = -1;
    while ((headerEnd = buffer.indexOf("\r\n\r\n")) < 0)
        if (readSome(fd, buffer, timeoutMs) <= 0) {
            ::close(fd);
            result.raw = buffer;
            return result;
        }
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    const int status = statusLine.size() > 1 ? statusLine[1].toInt() : 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            result.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                  lines[i].mid(colon + 1).trimmed());
    }
    // A HEAD answer announces the GET's Content-Length but carries no body (RFC 9110 9.3.2).
    const qsizetype length =
        method == "HEAD" ? 0 : result.headers.value("content-length", "0").toLongLong();
    while (buffer.size() - headerEnd - 4 < length)
        if (readSome(fd, buffer, timeoutMs) <= 0)
            break;
    ::close(fd);
    result.raw = buffer;
    result.body = buffer.mid(headerEnd + 4, length);
    if (result.body.size() == length)
        result.status = status;
    return result;
}

HttpResult postJson(quint16 port, const QByteArray &path, const QJsonObject &body,
                    const QString &bearer)
{
    HeaderList headers;
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer.toLatin1()});
    return httpRequest(port, "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                       headers);
}

HttpResult getJson(quint16 port, const QByteArray &path, const QString &bearer)
{
    HeaderList headers;
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer.toLatin1()});
    return httpRequest(port, "GET", path, {}, headers);
}

QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    const int fd = connectTo(port);
    if (fd < 0)
        return {};
    QByteArray buffer;
    if (sendAll(fd, bytes))
        while (readSome(fd, buffer, timeoutMs) > 0) {
        }
    ::close(fd);
    return buffer;
}
