#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QUrlQuery>

class QHttpServerRequest;

namespace sd::http {

// A request copied out of QtHttpServer, so it can travel to a worker thread.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", …
    QString path;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QString remoteIp;  // IPv4-mapped IPv6 written as IPv4
    QString requestId; // X-Request-Id: the client's when valid, else a new one (ApiServer)

    // `remoteIp`: the peer as remoteIp writes it, when the caller knows it already (the
    // connection's guard keeps it); empty: from the request.
    static HttpRequest from(const QHttpServerRequest &request, const QString &remoteIp = {});
    // SEC-16: when the socket peer is one of `trustedProxies` (address, prefix length), the
    // client is the rightmost X-Forwarded-For entry that is not itself a trusted proxy; any
    // other peer's X-Forwarded-For is ignored. An unparsable entry stops the walk (the last
    // trusted hop is kept).
    void applyForwardedFor(const QList<std::pair<QHostAddress, int>> &trustedProxies);
    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    // The response language from Accept-Language (en, fr or de).
    QString language() const;
    // The token of "Authorization: Bearer <token>", or empty.
    QString bearerToken() const;
    // The path's segment `index` (0 is "api" in /api/v1/…), percent-decoded, or empty.
    QString pathSegment(int index) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static HttpResponse json(int status, const QJsonObject &object);
    static HttpResponse json(int status, const QJsonArray &array);
    static HttpResponse empty(int status);
};

// X-Request-Id (API.md "Operations"): the client's value when it is 1 to 64 characters of
// [A-Za-z0-9._-], else a new one (unique in this process, and across instances in practice).
QString requestIdFor(const QByteArray &clientValue);

// The port a URL of `scheme` means when it names none: 443 for https, 80 for http, else -1.
int defaultPort(const QString &scheme);

} // namespace sd::http
