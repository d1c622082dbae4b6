#include "httpmessage.h"

#include "apilanguage.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <atomic>

namespace sd::http {

namespace {

QString plainAddress(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString();
}

bool isTrusted(const QHostAddress &address, const QList<std::pair<QHostAddress, int>> &trusted)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    const QHostAddress plain = isV4 ? QHostAddress(v4) : address;
    for (const auto &subnet : trusted)
        if (plain.isInSubnet(subnet))
            return true;
    return false;
}

} // namespace

void HttpRequest::applyForwardedFor(const QList<std::pair<QHostAddress, int>> &trustedProxies)
{
    if (trustedProxies.isEmpty() || !isTrusted(QHostAddress(remoteIp), trustedProxies))
        return;
    const QList<QByteArray> hops = header("x-forwarded-for").split(',');
    for (auto it = hops.crbegin(); it != hops.crend(); ++it) {
        QByteArray hop = it->trimmed();
        if (hop.startsWith('[') && hop.endsWith(']'))
            hop = hop.mid(1, hop.size() - 2);
        const QHostAddress address(QString::fromLatin1(hop));
        if (address.isNull())
            return;
        remoteIp = plainAddress(address);
        if (!isTrusted(address, trustedProxies))
            return;
    }
}

HttpRequest HttpRequest::from(const QHttpServerRequest &request, const QString &remoteIp)
{
    HttpRequest r;
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        r.method = "GET";
        break;
    case QHttpServerRequest::Method::Put:
        r.method = "PUT";
        break;
    case QHttpServerRequest::Method::Delete:
        r.method = "DELETE";
        break;
    case QHttpServerRequest::Method::Post:
        r.method = "POST";
        break;
    case QHttpServerRequest::Method::Head:
        r.method = "HEAD";
        break;
    case QHttpServerRequest::Method::Options:
        r.method = "OPTIONS";
        break;
    case QHttpServerRequest::Method::Patch:
        r.method = "PATCH";
        break;
    case QHttpServerRequest::Method::Connect:
        r.method = "CONNECT";
        break;
    case QHttpServerRequest::Method::Trace:
        r.method = "TRACE";
        break;
    default:
        r.method = "UNKNOWN";
        break;
    }
    r.path = request.url().path();
    r.query = request.query();
    const QList<std::pair<QByteArray, QByteArray>> headers = request.headers();
    r.headers.reserve(headers.size());
    for (const auto &[name, value] : headers)
        r.headers.insert(name.toLower(), value);
    r.body = request.body();
    r.remoteIp = remoteIp.isEmpty() ? plainAddress(request.remoteAddress()) : remoteIp;
    return r;
}

QString HttpRequest::language() const
{
    return languageFromAcceptLanguage(header("accept-language"));
}

QString HttpRequest::bearerToken() const
{
    const QByteArray value = header("authorization").trimmed();
    if (value.size() > 7 && value.left(7).toLower() == "bearer ")
        return QString::fromLatin1(value.mid(7).trimmed());
    return {};
}

QString HttpRequest::pathSegment(int index) const
{
    return path.split(u'/', Qt::SkipEmptyParts).value(index);
}

HttpResponse HttpResponse::json(int status, const QJsonObject &object)
{
    return {status,
            QByteArrayLiteral("application/json; charset=utf-8"), // static: no allocation
            QJsonDocument(object).toJson(QJsonDocument::Compact),
            {}};
}

HttpResponse HttpResponse::json(int status, const QJsonArray &array)
{
    return {status,
            QByteArrayLiteral("application/json; charset=utf-8"),
            QJsonDocument(array).toJson(QJsonDocument::Compact),
            {}};
}

HttpResponse HttpResponse::empty(int status)
{
    return {status, {}, {}, {}};
}

QString requestIdFor(const QByteArray &clientValue)
{
    bool valid = !clientValue.isEmpty() && clientValue.size() <= 64;
    for (const char c : clientValue)
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
    if (valid)
        return QString::fromLatin1(clientValue);
    // A random prefix per process and a counter: cheap on every request, and ids from two
    // instances behind one balancer differ unless their 64 random bits collide.
    static const QString prefix =
        QString::number(QRandomGenerator::system()->generate64(), 16).rightJustified(16, u'0');
    static std::atomic<quint64> counter{0};
    return prefix + u'-' + QString::number(counter.fetch_add(1, std::memory_order_relaxed), 16);
}

int defaultPort(const QString &scheme)
{
    return scheme == QLatin1String("https") ? 443 : scheme == QLatin1String("http") ? 80 : -1;
}

} // namespace sd::http
