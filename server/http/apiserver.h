#pragma once

#include "http/httpmessage.h"
#include "result.h"

#include <QAbstractHttpServer>
#include <QAtomicInt>
#include <QHostAddress>
#include <QThreadPool>

#include <functional>
#include <optional>

namespace sd::http {

using Handler = std::function<HttpResponse(const HttpRequest &)>;
// Renders an error the router itself answers (404, 405, 413, 415, 503, 500) for a request, or
// nullopt for the default JSON error shape. Used by the HTML pages for their own paths.
using ErrorRenderer = std::function<std::optional<HttpResponse>(const HttpRequest &, const core::Error &)>;

enum class RunOn {
    ServerThread, // quick, read-only work (session checks, health)
    WorkerPool,   // hashing and database writes: bounded pool, 503 busy when full
};

struct Route
{
    QByteArray method;
    QString path;  // exact, without trailing slash
    RunOn runOn = RunOn::WorkerPool;
    bool admin = false; // answered 404 unless admin/api_enabled
    Handler handler;
};

struct ServerOptions
{
    int workers = 2;
    int maxInflight = 256;
    int maxBodyBytes = 64 * 1024;
    bool adminApiEnabled = false;
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
    // Binds with a raised listen backlog; returns the port, or 0 with `error` set.
    quint16 listenOn(const QHostAddress &address, quint16 port, QString *error);
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
    void write(QHttpServerResponder &responder, const HttpRequest &request, const HttpResponse &response);
    HttpResponse runGuarded(const Route &route, const HttpRequest &request);
    HttpResponse errorFor(const HttpRequest &request, const core::Error &error) const;

    ServerOptions m_options;
    QList<Route> m_routes;
    ErrorRenderer m_errorRenderer;
    QThreadPool m_pool;
    QAtomicInt m_inflight = 0;
    QThreadPool m_background;
    QAtomicInt m_backgroundQueued = 0;
};

} // namespace sd::http
