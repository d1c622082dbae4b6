#pragma once

#include "edgeconnection.h"
#include "edgeserver.h"
#include "httpmessage.h"
#include "httpmetrics.h"
#include "requestmeter.h"

#include <QAbstractHttpServer>
#include <QAtomicInt>
#include <QHostAddress>
#include <QMutex>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <optional>

namespace sd::http {

using Handler = std::function<HttpResponse(const HttpRequest &)>;
// Renders an error the router itself answers (404, 405, 413, 415, 503, 500) for a request, or
// nullopt for the default JSON error shape. Used by the HTML pages for their own paths.
using ErrorRenderer =
    std::function<std::optional<HttpResponse>(const HttpRequest &, const ApiError &)>;

enum class RunOn
{
    ServerThread, // quick, read-only work (session checks, health)
    WorkerPool,   // hashing and database writes: bounded pool, 503 busy when full
    // (Reads that wait on PostgreSQL are deferred to whoever batches them: Route::deferred.)
};
// A route's answer from memory, tried on the server thread before the handler runs where
// `runOn` says; nullopt: the handler must run (a session not in the cache).
using QuickHandler = std::function<std::optional<HttpResponse>(const HttpRequest &)>;
// Hands a deferred request's answer back (Route::deferred): call it once, from any thread,
// with what makes the answer; that runs on the server's thread (not at all once the server
// is gone).
using Resume = std::function<void(std::function<HttpResponse()>)>;
// Starts a request's work on the server thread without waiting for it: whoever takes the work
// calls `resume` when done (issue 16: the session checks PostgreSQL reads in batches). False
// when the work cannot be taken now: 503 busy, and `resume` is never called.
using DeferredHandler = std::function<bool(const HttpRequest &, Resume)>;

struct Route
{
    QByteArray method;
    QString path; // exact, without trailing slash; a `<name>` segment matches any one segment
    RunOn runOn = RunOn::WorkerPool;
    bool admin = false; // answered 404 unless admin/api_enabled
    Handler handler;
    bool prefix = false; // also matches every path below `path` + "/" (OAuth callbacks)
    // How /metrics and the OpenAPI document name a prefix route, e.g.
    // "/oauth/callback/from/<provider>"; empty: `path`, plus "/<rest>" for a prefix route.
    QString pattern = {};
    // Optional: tried first, on the server thread (see QuickHandler).
    QuickHandler quick = {};
    // Optional: when set, runs instead of `handler` (and `runOn` does not apply).
    DeferredHandler deferred = {};
};

// A registered route as /metrics and the OpenAPI check see it.
struct RouteInfo
{
    QByteArray method;
    QString pattern = {};
    bool page = false; // an HTML page (setPagePaths), not part of the JSON API
};

// The worker pools every server thread's ApiServer hands work to: one bounded pool for all, so
// `workers` (and the hashing memory each worker keeps) does not grow with server/threads.
struct WorkerPools
{
    explicit WorkerPools(int workers, int maxInflight);
    ~WorkerPools();
    bool tryRun(std::function<void()> job);
    bool tryRunInBackground(std::function<void()> job);
    void waitForDone();

    const int maxInflight;
    QThreadPool pool;
    QAtomicInt inflight = 0;
    QThreadPool background;
    QAtomicInt backgroundQueued = 0;
};

struct ServerOptions
{
    int workers = 2;
    int maxInflight = 256;
    int maxBodyBytes = 64 * 1024;
    bool adminApiEnabled = false;
    QList<std::pair<QHostAddress, int>> trustedProxies; // server/trusted_proxies (SEC-16)
    EdgeLimits edge; // caps and deadlines of the guard in front of QtHttpServer
    std::optional<QSslConfiguration> tls;       // set: HTTPS only (TLS >= 1.2)
    core::RequestMeter *requestMeter = nullptr; // counts every answer written; may be null
    // Shared by the server threads (see Application); null: this server's own.
    std::shared_ptr<WorkerPools> pools;
    std::shared_ptr<EdgeGroup> edgeGroup;
};

// The embedded HTTP server: our own router over QAbstractHttpServer. Lives in its own
// thread (never the GUI thread). Work that may block runs on a bounded worker pool; its
// answer is posted back to this thread and written only if the client's socket still exists
// (a vanished client must not crash the process, see DESIGN.md "Threads"). A handler that
// throws answers 500 in the error shape and the server lives on.
class ApiServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    explicit ApiServer(ServerOptions options, QObject *parent = nullptr);
    ~ApiServer() override;

    void addRoute(Route route);
    // Set before the server takes requests.
    void setErrorRenderer(ErrorRenderer renderer) { m_errorRenderer = std::move(renderer); }
    // Binds a guarded listening socket (EdgeServer) with a raised listen backlog; returns the
    // port, or 0 with `error` set.
    quint16 listenOn(const QHostAddress &address, quint16 port, QString *error);
    // Serves the socket another thread's ApiServer listens on (listenOn), through a guard of
    // its own sharing options.edgeGroup. Call from this server's thread.
    bool listenOnDuplicate(qintptr listeningDescriptor, QString *error);
    // The base URL of links; HTML pages are served only to requests whose Host names its
    // host[:port] (SEC-25). Empty: no check. Call from the server's thread.
    void setPublicUrl(const QString &publicUrl);
    // The paths of the HTML pages, which the Host rule applies to. Set before the server
    // takes requests.
    void setPagePaths(QSet<QString> paths) { m_pagePaths = std::move(paths); }
    EdgeServer *edge() const { return m_edge; }
    // Every route added, in order (fixed once the server takes requests).
    QList<RouteInfo> routes() const;
    // The HTTP metrics of every answer; thread-safe.
    const HttpMetrics &metrics() const { return *m_metrics; }
    // Runs `job` on the worker pool if there is room; false when the pool is full.
    bool tryRunOnPool(std::function<void()> job);
    // Slow, unimportant work (reverse DNS) on a separate small pool, so it can never hold up
    // requests; dropped when that pool's queue is full.
    bool tryRunInBackground(std::function<void()> job);
    void waitForWorkers();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // Where an answer goes: written in request order through the socket's guard.
    struct Reply
    {
        std::shared_ptr<QHttpServerResponder> responder;
        QPointer<QTcpSocket> socket;
        QPointer<EdgeConnection> guard;
        qint64 sequence = -1;
        QByteArray method;
        QByteArray requestId;
        int metricsSlot = HttpMetrics::kUnmatched;
        qint64 startNs = 0; // steady clock, when the request was read
    };
    Reply replyFor(const QHttpServerRequest &qrequest, QTcpSocket *socket, EdgeConnection *guard,
                   const HttpRequest &request);
    void reply(const Reply &to, HttpResponse response);
    bool hostAllowed(const HttpRequest &request) const;
    QByteArray rawRefusal(const ApiError &error, const QByteArray &target) const;
    void write(const Reply &to, const HttpResponse &response);
    HttpResponse runGuarded(const Handler &handler, const HttpRequest &request);
    void startDeferred(const Route &route, const HttpRequest &request, const Reply &to);
    HttpResponse errorFor(const HttpRequest &request, const ApiError &error) const;
    EdgeServer *makeEdge();
    void adopt(EdgeServer *edge);

    ServerOptions m_options;
    QList<Route> m_routes;
    QList<int> m_routeSlots; // each route's slot in m_metrics, by index
    // Each route's path split at '/' when it has a `<name>` segment, else empty; by index.
    QList<QStringList> m_routeSegments;
    std::unique_ptr<HttpMetrics> m_metrics = std::make_unique<HttpMetrics>();
    ErrorRenderer m_errorRenderer;
    std::shared_ptr<WorkerPools> m_pools;
    // Through which deferred answers reach this server, from any thread, while it exists.
    struct DeferredGate
    {
        QMutex mutex;
        ApiServer *server = nullptr;
    };
    std::shared_ptr<DeferredGate> m_gate = std::make_shared<DeferredGate>();
    EdgeServer *m_edge = nullptr;
    QString m_pageHost; // lower-case host of public_url, without brackets
    int m_pagePort = -1;
    int m_pageDefaultPort = -1; // of public_url's scheme: a Host without a port means this one
    QSet<QString> m_pagePaths;
};

} // namespace sd::http
