#include "edgeconnection.h"

#include "edgeserver.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <climits>

namespace sd::http {

namespace {

qint64 steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

HttpErrorCode errorFor(RequestFramer::Verdict v)
{
    switch (v) {
    case RequestFramer::Verdict::UriTooLong:
        return HttpErrorCode::UriTooLong;
    case RequestFramer::Verdict::HeaderTooLarge:
        return HttpErrorCode::HeaderFieldsTooLarge;
    case RequestFramer::Verdict::PayloadTooLarge:
        return HttpErrorCode::PayloadTooLarge;
    case RequestFramer::Verdict::MethodNotAllowed:
        return HttpErrorCode::MethodNotAllowed;
    case RequestFramer::Verdict::Ok:
    case RequestFramer::Verdict::BadRequest:
        break;
    }
    return HttpErrorCode::BadRequest;
}

} // namespace

EdgeConnection::EdgeConnection(QTcpSocket *socket, EdgeServer *server, const EdgeLimits &limits)
    : QObject(socket), m_socket(socket), m_server(server), m_limits(limits), m_framer(limits),
      m_peer(normalized(socket->peerAddress())), m_peerIp(m_peer.toString())
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &EdgeConnection::deadlineTimer);
    // First in line: QtHttpServer connects its own slot after nextPendingConnection().
    connect(socket, &QIODevice::readyRead, this, &EdgeConnection::beforeServerReads);
    setDeadline(Deadline::Header, m_limits.headerTimeoutMs);
}

EdgeConnection::~EdgeConnection()
{
    if (m_server)
        m_server->released(m_peer);
}

EdgeConnection *EdgeConnection::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<EdgeConnection *>(QString(), Qt::FindDirectChildrenOnly)
                  : nullptr;
}

void EdgeConnection::attachAfterServer()
{
    connect(m_socket, &QIODevice::readyRead, this, &EdgeConnection::afterServerRead);
}

void EdgeConnection::beforeServerReads()
{
    if (m_refused || m_closing) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = available - m_unreadAfterServer;
    if (fresh > 0) {
        const QByteArray bytes = m_socket->peek(available);
        const auto verdict =
            m_framer.feedSegment(bytes.constData() + (bytes.size() - fresh), fresh);
        if (verdict != RequestFramer::Verdict::Ok) {
            refuse(verdict);
            return;
        }
    }
    m_unreadAfterServer = available;
    updateTimers();
}

void EdgeConnection::afterServerRead()
{
    if (m_refused)
        return;
    // QtHttpServer 6.4 takes one request per turn and queues another turn for what is left.
    // Once it has taken the connection's last request, what follows is dropped before that
    // turn comes (RFC 9112 9.6: no further request is processed).
    if (!m_closing && m_framer.lastRequest() > 0 && m_nextSequence >= m_framer.lastRequest())
        m_closing = true;
    if (m_closing)
        drain();
    // What QtHttpServer left in the buffer is not new next time.
    m_unreadAfterServer = m_socket->bytesAvailable();
    updateTimers();
}

void EdgeConnection::refuse(RequestFramer::Verdict verdict)
{
    m_refused = true;
    m_waiting.clear();
    drain(); // before QtHttpServer's slot runs: it must never see these bytes
    const HttpErrorCode code = errorFor(verdict);
    m_socket->write(
        m_server
            ? m_server->refusal(code, m_framer.target())
            : QByteArray(
                  "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    endOutput(m_socket);
    setDeadline(Deadline::Linger, m_limits.lingerMs);
}

void EdgeConnection::drain()
{
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->skip(m_socket->bytesAvailable());
    m_unreadAfterServer = 0;
}

void EdgeConnection::deliver(qint64 sequence, std::function<void()> writer)
{
    if (m_refused)
        return;
    m_waiting.emplace(sequence, std::move(writer));
    while (!m_waiting.empty() && m_waiting.begin()->first == m_nextToWrite) {
        auto write = std::move(m_waiting.begin()->second);
        m_waiting.erase(m_waiting.begin());
        ++m_nextToWrite;
        write();
        if (m_framer.lastRequest() == m_nextToWrite) {
            // The last answer is out: close once it is sent (the idle deadline still bounds a
            // client that does not read it).
            m_closing = true;
            drain();
            m_socket->disconnectFromHost();
            break;
        }
    }
    updateTimers();
}

void EdgeConnection::updateTimers()
{
    if (m_refused)
        return;
    Deadline want = Deadline::None;
    int ms = 0;
    switch (m_framer.phase()) {
    case RequestFramer::Phase::Header:
        want = Deadline::Header;
        ms = m_limits.headerTimeoutMs;
        break;
    case RequestFramer::Phase::Body:
        want = Deadline::Body;
        ms = m_limits.headerTimeoutMs;
        break;
    case RequestFramer::Phase::BetweenRequests:
        if (m_framer.completedRequests() == 0) {
            want = Deadline::Header; // the first request: from accept()
            ms = m_limits.headerTimeoutMs;
        } else if (m_nextSequence < m_framer.completedRequests()) {
            // The guard has seen a request end that the server has not taken: its clock
            // (header or body) keeps running; only a request the server took stops it. Else
            // a request the server's parser is still waiting on would hold the connection
            // open for ever, whatever the guard's framer thinks of it.
            want = m_deadlineKind == Deadline::Header || m_deadlineKind == Deadline::Body
                       ? m_deadlineKind
                       : Deadline::Header;
            ms = m_limits.headerTimeoutMs;
        } else if (m_nextToWrite >= m_nextSequence && m_waiting.empty()) {
            want = Deadline::Idle; // every request answered
            ms = m_limits.idleTimeoutMs;
        }
        break;
    }
    if (want == m_deadlineKind)
        return; // a deadline runs from when its phase began; progress does not extend it
    setDeadline(want, ms);
}

void EdgeConnection::setDeadline(Deadline kind, int ms)
{
    // Restarting the QTimer twice a request (header, then idle) cost more than the rest of the
    // guard: the timer stays armed instead, and is restarted only for a deadline earlier than
    // the one it is armed for. When it fires before the deadline it is armed again for what is
    // left (deadlineTimer); with no deadline it fires once for nothing and stays off.
    m_deadlineKind = kind;
    if (kind == Deadline::None)
        return;
    m_deadlineAtMs = steadyNowMs() + ms;
    if (!m_deadline.isActive() || m_armedAtMs > m_deadlineAtMs) {
        m_armedAtMs = m_deadlineAtMs;
        m_deadline.start(ms);
    }
}

void EdgeConnection::deadlineTimer()
{
    if (m_deadlineKind == Deadline::None)
        return;
    const qint64 left = m_deadlineAtMs - steadyNowMs();
    if (left > 0) {
        m_armedAtMs = m_deadlineAtMs;
        m_deadline.start(int(std::min<qint64>(left, INT_MAX)));
        return;
    }
    expire();
}

void EdgeConnection::expire()
{
    // Header or body too slow, keep-alive idle, or the linger after a refusal is over.
    m_deadline.stop();
    m_socket->abort();
    m_socket->deleteLater();
}

QHostAddress normalized(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

// No more bytes from us after the refusal: the client sees the end of the answer at once,
// while we keep reading (and dropping) its input for a moment so that closing does not reset
// the connection before the answer is read. TLS needs its close_notify, so not there.
void endOutput(QTcpSocket *socket)
{
    socket->flush();
    if (!qobject_cast<QSslSocket *>(socket) && socket->bytesToWrite() == 0)
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
}

} // namespace sd::http
