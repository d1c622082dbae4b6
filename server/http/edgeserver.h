#pragma once

#include "apierror.h"
#include "edgegroup.h"
#include "requestframer.h"

#include <QHostAddress>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <memory>
#include <optional>

namespace sd::http {

class EdgeConnection;

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
//
// Several threads may serve one listening socket: each has its own EdgeServer on a duplicate
// of the socket (listenOnDuplicate), all sharing one EdgeGroup, which keeps the caps, the
// reserve and the pauses exact across them. A thread busy with requests accepts nothing
// meanwhile, so new connections go to the threads that are free.
class EdgeServer : public QTcpServer
{
    Q_OBJECT
public:
    // `group`: shared with the other threads' EdgeServers on the same socket; null: its own.
    explicit EdgeServer(const EdgeLimits &limits, std::shared_ptr<EdgeGroup> group = {},
                        QObject *parent = nullptr);
    ~EdgeServer() override;

    // Listens on a duplicate of another EdgeServer's listening descriptor (any thread's).
    bool listenOnDuplicate(qintptr listeningDescriptor);
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

    // Of the whole group (every thread on this socket).
    int connectionCount() const { return m_group->connectionCount(); }
    // For tests: how often accepting was paused after an accept error (the whole group).
    int acceptPauses() const { return m_group->acceptPauses(); }
    // Handles an accept() failure with this errno: pauses when the process or the system is
    // out of descriptors or memory (250 ms), else carries on. Public for tests.
    void onAcceptFailure(int error);

    // The descriptor budget: the process may hold `limit` descriptors and accepting pauses while
    // `reserve` or fewer are free. takeOverAccepting() sets it from RLIMIT_NOFILE (the reserve
    // is a sixteenth of the limit, 16 to 256); tests set a smaller one, and may count the
    // open descriptors their own way (default: openDescriptorCount). A limit ≤ 0: no budget.
    // The budget is the group's.
    void setDescriptorBudget(int limit, int reserve, std::function<int()> countOpen = {})
    {
        m_group->setDescriptorBudget(limit, reserve, std::move(countOpen));
    }
    int descriptorLimit() const { return m_group->descriptorLimit(); }
    int descriptorReserve() const { return m_group->descriptorReserve(); }
    // The descriptors this process holds (from /proc/self/fd), or -1 with errno when it cannot
    // tell (EMFILE: not one is free to count with).
    static int openDescriptorCount();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    friend class EdgeConnection;
    void released(const QHostAddress &peer) { m_group->release(peer); }
    void acceptReady();
    // Sockets, guards and the refusal of connections over a cap.
    void serve(qintptr descriptor, const QHostAddress &peer, bool admitted);
    void pauseAcceptingAWhile(const char *why);
    // This thread's accepting off while the group's pause lasts.
    void holdForGroupPause(int ms);

    EdgeLimits m_limits;
    std::shared_ptr<EdgeGroup> m_group;
    std::optional<QSslConfiguration> m_tls;
    Refusal m_refusal;
    QSocketNotifier *m_acceptNotifier = nullptr;
    int m_acceptFd = -1; // a duplicate of the listening descriptor, which the notifier watches
};

} // namespace sd::http
