#pragma once

#include "apierror.h"
#include "requestframer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
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

} // namespace sd::http
