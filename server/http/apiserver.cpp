#include "apiserver.h"

#include "crypto/crypto.h"
#include "errormapping.h"
#include "logformat.h"
#include "secretsafelogging.h"

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <exception>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

QString normalizedPath(const QString &path)
{
    if (path.size() > 1 && path.endsWith(u'/'))
        return path.chopped(1);
    return path;
}

// The request's path as the routes compare it: split into segments at most once, and only when
// a `<name>` route has as many segments.
struct PathToMatch
{
    explicit PathToMatch(const QString &path) : path(path), segmentCount(path.count(u'/') + 1) {}
    const QList<QStringView> &segments()
    {
        if (split.isEmpty())
            split = QStringView(path).split(u'/');
        return split;
    }
    const QString &path;
    const qsizetype segmentCount;
    QList<QStringView> split;
};

// A route's path matches exactly, or segment by segment where a `<name>` segment stands for any
// one non-empty segment (/api/v1/user/sessions/<session_id>), or as a prefix. `segments`: the
// route's path split at '/' when it has a `<name>` segment, else empty (ApiServer::addRoute).
bool routeMatches(const Route &route, const QStringList &segments, PathToMatch &path)
{
    if (route.path == path.path)
        return true;
    if (route.prefix && path.path.size() > route.path.size() &&
        path.path.at(route.path.size()) == u'/' && path.path.startsWith(route.path))
        return true;
    if (segments.isEmpty() || segments.size() != path.segmentCount)
        return false;
    const QList<QStringView> &got = path.segments();
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &want = segments[i];
        const bool param = want.startsWith(u'<') && want.endsWith(u'>');
        if (param ? got[i].isEmpty() : want != got[i])
            return false;
    }
    return true;
}

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString patternOf(const Route &route)
{
    if (!route.pattern.isEmpty())
        return route.pattern;
    return route.prefix ? route.path + u"/<rest>"_s : route.path;
}

ApiError errorOf(ErrorCode code, int retryAfter = 0)
{
    return core::Error{code, {}, {}, retryAfter};
}

// The JSON-only rule is for the API; HTML forms post application/x-www-form-urlencoded to the
// pages, which check their own bodies.
bool acceptsBodyType(const QString &path, const QByteArray &type)
{
    if (type == "application/json")
        return true;
    return type == "application/x-www-form-urlencoded" && !path.startsWith(u"/api/"_s);
}

// Sent with every response, JSON included: harmless there, and no page can miss them.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

// Every thread but the main one runs Qt's plain UNIX event dispatcher instead of GLib's
// (QT_NO_THREADED_GLIB, read by Qt when a thread starts; the main thread, and so the console,
// keeps GLib's). With GLib's, each time a socket's write notifier goes on or off — twice for
// every answer — GLib wakes its own loop through an eventfd: two write() calls, a read() and a
// poll() more per request, about a tenth of a server thread's time on GET /healthz (issue 19).
// Set before main() runs, so no thread exists yet; a value the environment already has wins.
void preferPlainEventDispatcherInThreads()
{
    if (!qEnvironmentVariableIsSet("QT_NO_THREADED_GLIB"))
        qputenv("QT_NO_THREADED_GLIB", "1");
}
Q_CONSTRUCTOR_FUNCTION(preferPlainEventDispatcherInThreads)

} // namespace

WorkerPools::WorkerPools(int workers, int maxInflight) : maxInflight(maxInflight)
{
    pool.setMaxThreadCount(qMax(1, workers));
    pool.setExpiryTimeout(-1); // keep threads, and their database connections, warm
    background.setMaxThreadCount(2);
}

WorkerPools::~WorkerPools()
{
    waitForDone();
}

namespace {

// Runs `job` on `pool` unless `queued` (jobs queued or running there) has reached `limit`.
bool runBounded(QThreadPool &pool, QAtomicInt &queued, int limit, std::function<void()> job,
                const char *what)
{
    if (queued.fetchAndAddOrdered(1) >= limit) {
        queued.fetchAndAddOrdered(-1);
        return false;
    }
    pool.start([&queued, job = std::move(job), what] {
        try {
            job();
        } catch (...) {
            qWarning("%s job threw; ignored", what);
        }
        queued.fetchAndAddOrdered(-1);
    });
    return true;
}

} // namespace

bool WorkerPools::tryRun(std::function<void()> job)
{
    return runBounded(pool, inflight, maxInflight, std::move(job), "worker");
}

bool WorkerPools::tryRunInBackground(std::function<void()> job)
{
    return runBounded(background, backgroundQueued, 64, std::move(job), "background");
}

void WorkerPools::waitForDone()
{
    background.clear();
    background.waitForDone();
    pool.waitForDone();
}

ApiServer::ApiServer(ServerOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_options(options),
      m_pools(options.pools ? options.pools
                            : std::make_shared<WorkerPools>(options.workers, options.maxInflight))
{
    keepSecretsOutOfLogs();
    m_gate->server = this;
    if (!m_options.edgeGroup)
        m_options.edgeGroup = std::make_shared<EdgeGroup>(m_options.edge);
}

ApiServer::~ApiServer()
{
    {
        // Deferred answers that come later are dropped (their connections go with us).
        QMutexLocker lock(&m_gate->mutex);
        m_gate->server = nullptr;
    }
    // Jobs of this server post their answers back to it: none may outlive it.
    m_pools->waitForDone();
}

void ApiServer::addRoute(Route route)
{
    route.path = normalizedPath(route.path);
    m_routeSlots.append(m_metrics->slotFor(patternOf(route)));
    m_routeSegments.append(route.path.contains(u'<') ? route.path.split(u'/') : QStringList());
    m_routes.append(std::move(route));
}

QList<RouteInfo> ApiServer::routes() const
{
    QList<RouteInfo> out;
    for (const Route &route : m_routes)
        out.append({route.method, patternOf(route), m_pagePaths.contains(route.path)});
    return out;
}

EdgeServer *ApiServer::makeEdge()
{
    // The guard in front of QtHttpServer 6.4, which has no limits of its own (SEC-31).
    auto *tcp = new EdgeServer(m_options.edge, m_options.edgeGroup, this);
    if (m_options.tls)
        tcp->setTls(*m_options.tls);
    tcp->setRefusalRenderer([this](const ApiError &error, const QByteArray &target) {
        if (m_options.requestMeter) // the guard's answers are answers too
            m_options.requestMeter->record();
        return rawRefusal(error, target);
    });
    return tcp;
}

void ApiServer::adopt(EdgeServer *tcp)
{
    bind(tcp);
    tcp->takeOverAccepting();
    m_edge = tcp;
}

bool ApiServer::listenOnDuplicate(qintptr listeningDescriptor, QString *error)
{
    EdgeServer *tcp = makeEdge();
    if (!tcp->listenOnDuplicate(listeningDescriptor)) {
        if (error)
            *error = tcp->errorString();
        delete tcp;
        return false;
    }
    adopt(tcp);
    return true;
}

quint16 ApiServer::listenOn(const QHostAddress &address, quint16 port, QString *error)
{
    EdgeServer *tcp = makeEdge();
    // The default backlog of 50 stalls bursts of connections for hundreds of milliseconds.
    tcp->setListenBacklogSize(1024);
    if (!tcp->listen(address, port)) {
        if (error)
            *error = tcp->errorString();
        delete tcp;
        return 0;
    }
    adopt(tcp);
    return tcp->serverPort();
}

void ApiServer::setPublicUrl(const QString &publicUrl)
{
    const QUrl url(publicUrl);
    m_pageHost = url.host().toLower();
    m_pageDefaultPort = defaultPort(url.scheme().toLower());
    m_pagePort = url.port(m_pageDefaultPort);
}

bool ApiServer::hostAllowed(const HttpRequest &request) const
{
    if (m_pageHost.isEmpty())
        return true;
    // Host = uri-host [ ":" port ]; an IPv6 literal comes in brackets.
    const QString value = QString::fromLatin1(request.header("host").trimmed()).toLower();
    // A Host without a port names the default port of public_url's scheme, never public_url's
    // own port (RFC 9110 7.2); a port is 1 to 5 digits without a leading zero.
    QString host = value;
    int port = m_pageDefaultPort;
    const qsizetype colon = value.lastIndexOf(u':');
    if (colon >= 0 && colon > value.lastIndexOf(u']')) {
        const QString digits = value.mid(colon + 1);
        bool ok = !digits.isEmpty() && digits.size() <= 5 && !digits.startsWith(u'0');
        for (QChar c : digits)
            ok = ok && c >= u'0' && c <= u'9';
        port = ok ? digits.toInt() : 0;
        if (port <= 0 || port > 65535)
            return false;
        host = value.left(colon);
    }
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    return host == m_pageHost && port == m_pagePort;
}

QByteArray ApiServer::rawRefusal(const ApiError &error, const QByteArray &target) const
{
    // Answered by the guard before QtHttpServer read the request: no language; a page's path,
    // when known, gets the page error style.
    HttpRequest request;
    request.path = QUrl(QString::fromLatin1(target)).path();
    const HttpResponse r = errorFor(request, error);
    m_metrics->record(HttpMetrics::kUnmatched, "other", r.status, 0);
    QByteArray out =
        "HTTP/1.1 " + QByteArray::number(r.status) + ' ' + reasonPhrase(r.status) + "\r\n";
    out += "Content-Type: " + r.contentType + "\r\n";
    out += "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n";
    out += "X-Request-Id: " + requestIdFor({}).toLatin1() + "\r\n";
    out += QByteArray("Content-Security-Policy: ") + kContentSecurityPolicy + "\r\n";
    out += "Referrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\n";
    if (m_options.tls)
        out += "Strict-Transport-Security: max-age=31536000\r\n";
    for (const auto &[name, value] : r.headers)
        out += name + ": " + value + "\r\n";
    out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\nConnection: close\r\n\r\n";
    return out + r.body;
}

ApiServer::Reply ApiServer::replyFor(const QHttpServerRequest &qrequest, QTcpSocket *socket,
                                     EdgeConnection *guard, const HttpRequest &request)
{
    Reply r;
    r.responder = std::make_shared<QHttpServerResponder>(makeResponder(qrequest, socket));
    r.socket = socket;
    r.method = request.method;
    r.requestId = request.requestId.toLatin1();
    r.startNs = steadyNowNs();
    if (guard) {
        r.guard = guard;
        r.sequence = guard->nextSequence();
    }
    return r;
}

void ApiServer::reply(const Reply &to, HttpResponse response)
{
    auto writer = [this, to, response = std::move(response)]() mutable {
        if (!to.socket || to.socket->state() != QAbstractSocket::ConnectedState)
            return;
        if (to.guard && to.guard->isLastAnswer(to.sequence)) // RFC 9112 9.6
            response.headers.append({QByteArray("Connection"), QByteArray("close")});
        write(to, response);
    };
    if (to.sequence < 0)
        writer();
    else if (to.guard) // pipelined answers leave in request order
        to.guard->deliver(to.sequence, std::move(writer));
}

bool ApiServer::tryRunOnPool(std::function<void()> job)
{
    // The request's id goes with the job, so its log lines carry it on the worker's thread too.
    return m_pools->tryRun([job = std::move(job), requestId = core::currentRequestId()] {
        const core::RequestIdScope logScope(requestId);
        job();
    });
}

bool ApiServer::tryRunInBackground(std::function<void()> job)
{
    return m_pools->tryRunInBackground(
        [job = std::move(job), requestId = core::currentRequestId()] {
            const core::RequestIdScope logScope(requestId);
            job();
        });
}

void ApiServer::waitForWorkers()
{
    m_pools->waitForDone();
}

HttpResponse ApiServer::errorFor(const HttpRequest &request, const ApiError &error) const
{
    if (m_errorRenderer) {
        if (auto page = m_errorRenderer(request, error))
            return *page;
    }
    return errorResponse(error, request.language());
}

HttpResponse ApiServer::runGuarded(const Handler &handler, const HttpRequest &request)
{
    // The route boundary: nothing a handler throws may reach QtHttpServer (it would abort).
    try {
        return handler(request);
    } catch (const std::exception &e) {
        const QString id = core::crypto::newId(u"err_");
        qWarning("%s %s: internal error %s: %s", request.method.constData(),
                 qPrintable(request.path), qPrintable(id), e.what());
        return errorFor(request, core::Error{ErrorCode::Internal, id, {}, 0});
    } catch (...) {
        const QString id = core::crypto::newId(u"err_");
        qWarning("%s %s: internal error %s", request.method.constData(), qPrintable(request.path),
                 qPrintable(id));
        return errorFor(request, core::Error{ErrorCode::Internal, id, {}, 0});
    }
}

bool ApiServer::handleRequest(const QHttpServerRequest &qrequest, QTcpSocket *socket)
{
    EdgeConnection *guard = EdgeConnection::of(socket);
    HttpRequest request = HttpRequest::from(qrequest, guard ? guard->peerIp() : QString());
    request.requestId = requestIdFor(request.header("x-request-id"));
    const core::RequestIdScope logScope(request.requestId); // jobs posted from here carry it
    request.applyForwardedFor(m_options.trustedProxies);
    Reply to = replyFor(qrequest, socket, guard, request);
    const QString path = normalizedPath(request.path);

    // SEC-25: a page is served only under the Host of public_url (never DNS-rebound or
    // spoofed names); the API and the probes answer whatever the Host.
    if (m_pagePaths.contains(path) && !hostAllowed(request)) {
        reply(to, errorFor(request, ApiError(HttpErrorCode::BadRequest)));
        return true;
    }

    const Route *match = nullptr;
    const Route *getMatch = nullptr;
    bool hiddenAdminRoute = false;
    QByteArrayList allowed;
    PathToMatch pathToMatch(path);
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        const Route &route = m_routes.at(i);
        if (!routeMatches(route, m_routeSegments.at(i), pathToMatch))
            continue;
        if (route.admin && !m_options.adminApiEnabled) {
            // With the admin API off its paths do not exist: 404, never 405.
            hiddenAdminRoute = hiddenAdminRoute || route.method == request.method ||
                               (request.method == "HEAD" && route.method == "GET");
            continue;
        }
        allowed.append(route.method);
        if (route.method == request.method)
            match = &route;
        if (route.method == "GET")
            getMatch = &route;
    }
    // HEAD answers like GET; write() leaves the body out (and GET handlers change nothing).
    if (!match && request.method == "HEAD")
        match = getMatch;
    if (!match) {
        if (allowed.isEmpty() || hiddenAdminRoute) {
            reply(to, errorFor(request, errorOf(ErrorCode::NotFound)));
        } else {
            HttpResponse r = errorFor(request, ApiError(HttpErrorCode::MethodNotAllowed));
            r.headers.append({"Allow", allowed.join(", ")});
            reply(to, r);
        }
        return true;
    }
    to.metricsSlot = m_routeSlots.at(match - m_routes.constData());
    if (request.body.size() > m_options.maxBodyBytes) {
        reply(to, errorFor(request, ApiError(HttpErrorCode::PayloadTooLarge)));
        return true;
    }
    if (!request.body.isEmpty()) {
        const QByteArray type =
            request.header("content-type").split(';').first().trimmed().toLower();
        if (!acceptsBodyType(path, type)) {
            reply(to, errorFor(request, ApiError(HttpErrorCode::UnsupportedMediaType)));
            return true;
        }
    }

    if (match->quick) {
        std::optional<HttpResponse> quick;
        bool threw = true;
        HttpResponse guarded = runGuarded(
            [&](const HttpRequest &r) {
                quick = match->quick(r);
                threw = false;
                return HttpResponse{};
            },
            request);
        if (threw || quick) {
            reply(to, threw ? std::move(guarded) : std::move(*quick));
            return true;
        }
    }

    if (match->deferred) {
        startDeferred(*match, request, to);
        return true;
    }
    if (match->runOn == RunOn::ServerThread) {
        reply(to, runGuarded(match->handler, request));
        return true;
    }

    // The answer comes later, from a worker: keep the responder alive with the job and write
    // only if the socket still exists by then (reply() checks), after the answers to earlier
    // requests on the same connection.
    auto job = [this, handler = match->handler, request, to] {
        HttpResponse response = runGuarded(handler, request);
        QMetaObject::invokeMethod(
            this,
            [this, to, response = std::move(response)]() mutable {
                reply(to, std::move(response));
            },
            Qt::QueuedConnection);
    };
    const bool queued = tryRunOnPool(std::move(job));
    if (!queued)
        reply(to, errorFor(request, errorOf(ErrorCode::Busy, 1)));
    return true;
}

void ApiServer::startDeferred(const Route &route, const HttpRequest &request, const Reply &to)
{
    // What an error answer needs of the request (its path and language), not its body.
    HttpRequest context;
    context.method = request.method;
    context.path = request.path;
    if (const QByteArray language = request.header("accept-language"); !language.isEmpty())
        context.headers.insert("accept-language", language);
    auto answered = std::make_shared<std::atomic_bool>(false);
    Resume resume = [gate = m_gate, to, context, answered,
                     requestId = core::currentRequestId()](std::function<HttpResponse()> make) {
        if (answered->exchange(true))
            return; // once only
        QMutexLocker lock(&gate->mutex);
        if (ApiServer *server = gate->server)
            QMetaObject::invokeMethod(
                server,
                [server, to, context, requestId, make = std::move(make)] {
                    const core::RequestIdScope logScope(requestId);
                    server->reply(
                        to, server->runGuarded([&make](const HttpRequest &) { return make(); },
                                               context));
                },
                Qt::QueuedConnection);
    };
    bool taken = false;
    bool threw = true;
    HttpResponse guarded = runGuarded(
        [&](const HttpRequest &r) {
            taken = route.deferred(r, resume);
            threw = false;
            return HttpResponse{};
        },
        request);
    if (taken || answered->exchange(true))
        return;
    reply(to, threw ? std::move(guarded) : errorFor(request, errorOf(ErrorCode::Busy, 1)));
}

void ApiServer::missingHandler(const QHttpServerRequest &qrequest, QTcpSocket *socket)
{
    HttpRequest request = HttpRequest::from(qrequest);
    request.requestId = requestIdFor(request.header("x-request-id"));
    reply(replyFor(qrequest, socket, EdgeConnection::of(socket), request),
          errorFor(request, errorOf(ErrorCode::NotFound)));
}

void ApiServer::write(const Reply &to, const HttpResponse &response)
{
    QHttpServerResponder &responder = *to.responder;
    const QByteArray &method = to.method;
    // Every answer QtHttpServer sends goes through here once: the console's request count, and
    // the metrics.
    if (m_options.requestMeter)
        m_options.requestMeter->record();
    m_metrics->record(to.metricsSlot, method, response.status, steadyNowNs() - to.startNs);
    // The status line as QtHttpServer words it; the header block in one piece (the responder
    // writes each header as four small writes, each through QIODevice's bookkeeping).
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    QByteArray head;
    head.reserve(512);
    const auto header = [&head](QByteArrayView name, QByteArrayView value) {
        head.append(name).append(": ").append(value).append("\r\n");
    };
    if (!response.contentType.isEmpty())
        header("Content-Type", response.contentType);
    header("X-Content-Type-Options", "nosniff");
    header("Cache-Control", "no-store");
    // On every response, JSON too: harmless there, and no page or error page can miss them.
    header("Content-Security-Policy", kContentSecurityPolicy);
    header("Referrer-Policy", "no-referrer");
    header("X-Frame-Options", "DENY");
    header("X-Request-Id", to.requestId);
    if (m_options.tls) // SEC-23: HTTPS only, so browsers never try plain HTTP again
        header("Strict-Transport-Security", "max-age=31536000");
    for (const auto &[name, value] : response.headers)
        header(name, value);
    if (response.status != 204) // a 204 carries no Content-Length (RFC 9110 8.6)
        header("Content-Length", QByteArray::number(response.body.size()));
    to.socket->write(head);
    if (method == "HEAD" || response.status == 204)
        responder.writeBody(QByteArray());
    else
        responder.writeBody(response.body);
    // Out now rather than on the next turn of the event loop (one poll() less per answer).
    to.socket->flush();
}

} // namespace sd::http
