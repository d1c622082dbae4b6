#pragma once

#include "apierror.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSslConfiguration>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include <functional>
#include <map>
#include <optional>

class QTcpSocket;

namespace sd::http {

// The limits QtHttpServer 6.4 lacks (DESIGN.md "The server's edge", SEC-31).
struct EdgeLimits
{
    int maxHeaderBytes = 16 * 1024;     // request line + header fields (431)
    int maxRequestLineBytes = 8 * 1024; // (414)
    qint64 maxBodyBytes = 64 * 1024;    // declared or chunked (413)
    int headerTimeoutMs = 10'000;       // to finish a request's header block, and again its body
    int idleTimeoutMs = 15'000;         // keep-alive idle between an answer and the next request
    int maxConnections = 10'000;        // in total (503)
    int maxConnectionsPerAddress = 512; // (503)
    int lingerMs = 1'000;               // after a refusal: drain input this long, then close
};

// Follows the bytes of one connection, request after request, with bounded memory: it keeps
// at most one line (≤ the header cap) and a few counters, never a body. Pure, so it can be
// fuzzed on its own.
class RequestFramer
{
public:
    enum class Verdict {
        Ok,
        BadRequest,       // garbage, ambiguous framing (TE+CL, two different CLs), bad chunking
        UriTooLong,       // request line over the cap
        HeaderTooLarge,   // header block over the cap
        PayloadTooLarge,  // declared or counted body over the cap
        MethodNotAllowed, // a well-formed method token we do not know
    };
    enum class Phase { BetweenRequests, Header, Body };

    explicit RequestFramer(const EdgeLimits &limits) : m_limits(limits) {}

    // Feeds the next bytes of the stream; the first failure sticks.
    Verdict feed(const char *data, qsizetype size);
    Phase phase() const;
    // Requests whose last byte has been seen.
    qint64 completedRequests() const { return m_completed; }
    // The request-target of the current request once its request line is complete.
    QByteArray target() const { return m_target; }

private:
    enum class State { Start, RequestLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Failed };
    Verdict lineDone();
    Verdict requestLineDone();
    Verdict headerLineDone();
    Verdict headersDone();
    Verdict fail(Verdict v);
    void requestDone();

    EdgeLimits m_limits;
    State m_state = State::Start;
    Verdict m_failure = Verdict::Ok;
    QByteArray m_line;
    QByteArray m_target;
    qint64 m_headerBytes = 0;
    qint64 m_remaining = 0; // of the body or of the current chunk
    qint64 m_bodyBytes = 0;
    qint64 m_completed = 0;
    bool m_http10 = false;
    int m_hostHeaders = 0;
    std::optional<qint64> m_contentLength;
    bool m_transferEncoding = false;
    bool m_chunked = false;
};

class EdgeServer;

// The guard on one accepted socket, a child of the socket: sees every byte before QtHttpServer
// does (its readyRead slot is connected first), refuses what is over the limits before
// QtHttpServer reads it, runs the header, body and idle deadlines, and writes answers in
// request order.
class EdgeConnection : public QObject
{
    Q_OBJECT
public:
    EdgeConnection(QTcpSocket *socket, EdgeServer *server, const EdgeLimits &limits);
    ~EdgeConnection() override;

    // The guard of a socket accepted by an EdgeServer, or nullptr.
    static EdgeConnection *of(QTcpSocket *socket);

    // Answers leave in request order: take a sequence number when a request is handled, and
    // deliver its writer when the answer is ready (at once or later from a worker).
    qint64 nextSequence() { return m_nextSequence++; }
    void deliver(qint64 sequence, std::function<void()> writer);

    // Called once QtHttpServer has connected its own slots.
    void attachAfterServer();

private:
    void beforeServerReads();
    void afterServerRead();
    void refuse(RequestFramer::Verdict verdict);
    void drain();
    void updateTimers();
    void expire();

    QTcpSocket *m_socket;
    QPointer<EdgeServer> m_server;
    EdgeLimits m_limits;
    RequestFramer m_framer;
    QHostAddress m_peer;
    qint64 m_unreadAfterServer = 0; // bytes QtHttpServer left unread at its last turn
    QTimer m_deadline;
    enum class Deadline { None, Header, Body, Idle, Linger } m_deadlineKind = Deadline::None;
    bool m_refused = false;
    qint64 m_nextSequence = 0;
    qint64 m_nextToWrite = 0;
    std::map<qint64, std::function<void()>> m_waiting;
};

// The listening socket handed to QAbstractHttpServer::bind(): creates each socket itself (a
// QSslSocket under TLS) and puts a guard on it before QtHttpServer sees it; caps connections
// in total and per address; pauses accepting for a moment when accept() fails (out of file
// descriptors) instead of spinning or stopping for good.
//
// It calls accept() itself: QTcpServer 6.4 does not report EMFILE (the error it keeps is the
// EAGAIN of the accept before), so it neither pauses nor emits acceptError() and polls a
// listening socket that stays readable, about 10,000 times a second.
//
// It also keeps descriptors in reserve: it stops accepting while no more than a reserve of the
// process's RLIMIT_NOFILE is free. Connections must not take the last descriptors: a thread
// that then needs one for its event-loop wake-up pipe hits GLib's fatal "Creating pipes for
// GWakeup" and the process aborts; the database and SMTP need theirs too.
class EdgeServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit EdgeServer(const EdgeLimits &limits, QObject *parent = nullptr);
    ~EdgeServer() override;

    // After listen() succeeded: accept() from now on is the guard's own (see above).
    void takeOverAccepting();
    // QtHttpServer takes each connection here; QTcpServer would switch its own accepting back on.
    QTcpSocket *nextPendingConnection() override;

    // TLS ≥ 1.2 only from now on; every connection must complete a handshake.
    void setTls(const QSslConfiguration &configuration);
    bool tls() const { return m_tls.has_value(); }
    // Renders the refusals (413, 414, 431, 400, 405, 503): status line, headers and body, for
    // the request-target when it is known (so that pages can answer in their own style).
    using Refusal = std::function<QByteArray(const ApiError &, const QByteArray &target)>;
    void setRefusalRenderer(Refusal renderer) { m_refusal = std::move(renderer); }
    QByteArray refusal(const ApiError &error, const QByteArray &target = {}) const;

    int connectionCount() const { return m_total; }
    // For tests: how often accepting was paused after an accept error.
    int acceptPauses() const { return m_acceptPauses; }
    // Handles an accept() failure with this errno: pauses when the process or the system is
    // out of descriptors or memory (250 ms), else carries on. Public for tests.
    void onAcceptFailure(int error);

    // The descriptor budget: the process may hold `limit` descriptors and accepting pauses while
    // `reserve` or fewer are free. takeOverAccepting() sets it from RLIMIT_NOFILE (the reserve
    // is a sixteenth of the limit, 16 to 256); tests set a smaller one, and may count the
    // open descriptors their own way (default: openDescriptorCount). A limit ≤ 0: no budget.
    void setDescriptorBudget(int limit, int reserve, std::function<int()> countOpen = {});
    int descriptorLimit() const { return m_descriptorLimit; }
    int descriptorReserve() const { return m_descriptorReserve; }
    // The descriptors this process holds (from /proc/self/fd), or -1 with errno when it cannot
    // tell (EMFILE: not one is free to count with).
    static int openDescriptorCount();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    friend class EdgeConnection;
    void released(const QHostAddress &peer);
    void acceptReady();
    bool descriptorsToSpare();
    void pauseAcceptingAWhile(const char *why);

    EdgeLimits m_limits;
    std::optional<QSslConfiguration> m_tls;
    Refusal m_refusal;
    int m_total = 0;
    QHash<QHostAddress, int> m_perAddress;
    int m_acceptPauses = 0;
    QSocketNotifier *m_acceptNotifier = nullptr;
    int m_descriptorLimit = 0;
    int m_descriptorReserve = 0;
    std::function<int()> m_countOpenDescriptors;
    // Counting the open descriptors reads /proc/self/fd; between counts, this many accepts
    // (half the headroom over the reserve) go without one, for at most a second.
    int m_acceptsUntilRecount = 0;
    QElapsedTimer m_sinceCount;
};

// Loads PEM certificate (chain) and key into a server configuration for TLS ≥ 1.2.
core::Result<QSslConfiguration> loadTlsConfiguration(const QString &certPath, const QString &keyPath);

} // namespace sd::http
