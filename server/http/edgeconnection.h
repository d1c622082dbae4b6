#pragma once

#include "requestframer.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>

class QTcpSocket;

namespace sd::http {

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
    // The server calls nextSequence() once for each request it takes: the guard counts on it
    // to tell a request QtHttpServer has read from one only the guard has seen.
    qint64 nextSequence() { return m_nextSequence++; }
    void deliver(qint64 sequence, std::function<void()> writer);
    // Whether the answer with this sequence number is the connection's last (Connection:
    // close, HTTP/1.0): it says "Connection: close", and the connection ends once it is sent.
    bool isLastAnswer(qint64 sequence) const { return m_framer.lastRequest() == sequence + 1; }

    // The peer's address as HttpRequest::remoteIp writes it (IPv4-mapped as IPv4), made once.
    const QString &peerIp() const { return m_peerIp; }

    // Called once QtHttpServer has connected its own slots.
    void attachAfterServer();

private:
    void beforeServerReads();
    void afterServerRead();
    void refuse(RequestFramer::Verdict verdict);
    void drain();
    void updateTimers();
    void deadlineTimer();
    void expire();

    QTcpSocket *m_socket;
    QPointer<EdgeServer> m_server;
    EdgeLimits m_limits;
    RequestFramer m_framer;
    QHostAddress m_peer;
    QString m_peerIp;
    qint64 m_unreadAfterServer = 0; // bytes QtHttpServer left unread at its last turn
    QTimer m_deadline;
    enum class Deadline
    {
        None,
        Header,
        Body,
        Idle,
        Linger
    } m_deadlineKind = Deadline::None;
    void setDeadline(Deadline kind, int ms);
    qint64 m_deadlineAtMs = 0; // steady clock: when the current deadline (m_deadlineKind) ends
    qint64 m_armedAtMs = 0;    // when m_deadline fires, while it is active
    bool m_refused = false;
    bool m_closing = false; // the server took the last request: nothing after it is read
    qint64 m_nextSequence = 0;
    qint64 m_nextToWrite = 0;
    std::map<qint64, std::function<void()>> m_waiting;
};

// The peer address as the connection caps count it (an IPv4-mapped IPv6 address as IPv4).
QHostAddress normalized(const QHostAddress &address);
// Ends our output after a refusal (see edgeconnection.cpp).
void endOutput(QTcpSocket *socket);

} // namespace sd::http
