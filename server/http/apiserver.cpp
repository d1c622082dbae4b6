#include "http/apiserver.h"

#include "crypto/crypto.h"
#include "http/errormapping.h"

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

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

core::Error errorOf(ErrorCode code, int retryAfter = 0)
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

} // namespace

ApiServer::ApiServer(ServerOptions options, QObject *parent)
    : QAbstractHttpServer(parent), m_options(options)
{
    m_pool.setMaxThreadCount(qMax(1, options.workers));
    m_pool.setExpiryTimeout(-1); // keep threads, and their database connections, warm
    m_background.setMaxThreadCount(2);
}

ApiServer::~ApiServer()
{
    m_background.clear();
    m_background.waitForDone();
    m_pool.waitForDone();
}

void ApiServer::addRoute(Route route)
{
    route.path = normalizedPath(route.path);
    m_routes.append(std::move(route));
}

quint16 ApiServer::listenOn(const QHostAddress &address, quint16 port, QString *error)
{
    auto *tcp = new QTcpServer(this);
    // The default backlog of 50 stalls bursts of connections for hundreds of milliseconds.
    tcp->setListenBacklogSize(1024);
    if (!tcp->listen(address, port)) {
        if (error)
            *error = tcp->errorString();
        delete tcp;
        return 0;
    }
    bind(tcp);
    return tcp->serverPort();
}

bool ApiServer::tryRunOnPool(std::function<void()> job)
{
    if (m_inflight.fetchAndAddOrdered(1) >= m_options.maxInflight) {
        m_inflight.fetchAndAddOrdered(-1);
        return false;
    }
    m_pool.start([this, job = std::move(job)] {
        try {
            job();
        } catch (...) {
            qWarning("worker job threw; ignored");
        }
        m_inflight.fetchAndAddOrdered(-1);
    });
    return true;
}

bool ApiServer::tryRunInBackground(std::function<void()> job)
{
    if (m_backgroundQueued.fetchAndAddOrdered(1) >= 64) {
        m_backgroundQueued.fetchAndAddOrdered(-1);
        return false;
    }
    m_background.start([this, job = std::move(job)] {
        try {
            job();
        } catch (...) {
            qWarning("background job threw; ignored");
        }
        m_backgroundQueued.fetchAndAddOrdered(-1);
    });
    return true;
}

void ApiServer::waitForWorkers()
{
    m_background.clear();
    m_background.waitForDone();
    m_pool.waitForDone();
}

HttpResponse ApiServer::errorFor(const HttpRequest &request, const core::Error &error) const
{
    if (m_errorRenderer) {
        if (auto page = m_errorRenderer(request, error))
            return *page;
    }
    return errorResponse(error, request.language());
}

HttpResponse ApiServer::runGuarded(const Route &route, const HttpRequest &request)
{
    // The route boundary: nothing a handler throws may reach QtHttpServer (it would abort).
    try {
        return route.handler(request);
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
    HttpRequest request = HttpRequest::from(qrequest);
    QHttpServerResponder responder = makeResponder(qrequest, socket);
    const QString path = normalizedPath(request.path);

    const Route *match = nullptr;
    const Route *getMatch = nullptr;
    bool hiddenAdminRoute = false;
    QByteArrayList allowed;
    for (const Route &route : std::as_const(m_routes)) {
        if (route.path != path)
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
            write(responder, request, errorFor(request, errorOf(ErrorCode::NotFound)));
        } else {
            HttpResponse r = errorFor(request, errorOf(ErrorCode::MethodNotAllowed));
            r.headers.append({"Allow", allowed.join(", ")});
            write(responder, request, r);
        }
        return true;
    }
    if (request.body.size() > m_options.maxBodyBytes) {
        write(responder, request, errorFor(request, errorOf(ErrorCode::PayloadTooLarge)));
        return true;
    }
    if (!request.body.isEmpty()) {
        const QByteArray type = request.header("content-type").split(';').first().trimmed().toLower();
        if (!acceptsBodyType(path, type)) {
            write(responder, request, errorFor(request, errorOf(ErrorCode::UnsupportedMediaType)));
            return true;
        }
    }

    if (match->runOn == RunOn::ServerThread) {
        write(responder, request, runGuarded(*match, request));
        return true;
    }

    // The answer comes later, from a worker: keep the responder alive with the job and write
    // only if the socket still exists by then.
    auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> alive(socket);
    const Route route = *match;
    const bool queued = tryRunOnPool([this, route, request, shared, alive] {
        HttpResponse response = runGuarded(route, request);
        QMetaObject::invokeMethod(
            this,
            [this, shared, alive, request, response = std::move(response)] {
                if (alive && alive->state() == QAbstractSocket::ConnectedState)
                    write(*shared, request, response);
            },
            Qt::QueuedConnection);
    });
    if (!queued)
        write(*shared, request, errorFor(request, errorOf(ErrorCode::Busy, 1)));
    return true;
}

void ApiServer::missingHandler(const QHttpServerRequest &qrequest, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(qrequest, socket);
    const HttpRequest request = HttpRequest::from(qrequest);
    write(responder, request, errorFor(request, errorOf(ErrorCode::NotFound)));
}

void ApiServer::write(QHttpServerResponder &responder, const HttpRequest &request,
                      const HttpResponse &response)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    if (!response.contentType.isEmpty())
        responder.writeHeader("Content-Type", response.contentType);
    responder.writeHeader("X-Content-Type-Options", "nosniff");
    responder.writeHeader("Cache-Control", "no-store");
    // On every response, JSON too: harmless there, and no page or error page can miss them.
    responder.writeHeader("Content-Security-Policy", kContentSecurityPolicy);
    responder.writeHeader("Referrer-Policy", "no-referrer");
    responder.writeHeader("X-Frame-Options", "DENY");
    for (const auto &[name, value] : response.headers)
        responder.writeHeader(name, value);
    if (response.status != 204) // a 204 carries no Content-Length (RFC 9110 8.6)
        responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    if (request.method == "HEAD" || response.status == 204)
        responder.writeBody(QByteArray());
    else
        responder.writeBody(response.body);
}

} // namespace sd::http
