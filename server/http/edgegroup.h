#pragma once

#include "requestframer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QPointer>

#include <functional>

namespace sd::http {

class EdgeServer;

// What the EdgeServers of one listening socket share when several threads serve it (each
// thread's EdgeServer accepts from its own duplicate of the socket): the connection caps,
// in total and per address, the descriptor reserve and the pause after an accept failure.
// Thread-safe. Taking the descriptor check, accept() and the caps' count under one lock
// keeps every limit exact however many threads accept; it is held for one non-blocking
// accept(), never while a request is read or answered.
//
// Every thread watches the socket and accepts, but the connections it accepts are handed to
// the group's servers in turn (round-robin), so connections spread evenly over the threads
// whichever of them woke first.
class EdgeGroup
{
public:
    explicit EdgeGroup(const EdgeLimits &limits);

    struct Accepted
    {
        enum Outcome
        {
            Connection,    // `fd` is the new connection; `admitted` says whether it fits the caps
            WouldBlock,    // none waiting
            NoDescriptors, // only the reserve is free: accept nothing for a while
            Failed,        // accept() failed with `error`
        } outcome = WouldBlock;
        int fd = -1;
        QHostAddress peer; // normalized, as the caps count it
        bool admitted = false;
        int error = 0;
        QPointer<EdgeServer> server; // whose thread serves it, in turn
    };
    // Takes a turn in the round-robin (each thread's EdgeServer, once it listens).
    void join(EdgeServer *server);
    // accept() on `listeningFd` once the reserve allows it, counting the connection in the
    // caps when they allow it (an admitted one must be release()d when it closes).
    Accepted acceptOne(int listeningFd);
    // Counts a connection that came another way (QTcpServer's own accept), if the caps allow.
    bool admit(const QHostAddress &peer);
    void release(const QHostAddress &peer);
    int connectionCount() const;

    // See EdgeServer::setDescriptorBudget.
    void setDescriptorBudget(int limit, int reserve, std::function<int()> countOpen);
    // Sets the budget from RLIMIT_NOFILE unless one is set; warns when server/max_connections
    // cannot fit. Once for the group.
    void budgetFromRlimit();
    int descriptorLimit() const;
    int descriptorReserve() const;

    // Accepting pauses for `ms` in every thread (each looks before it accepts); true when this
    // started a pause (not one already running), which is then counted and logged.
    bool pause(int ms, const char *why);
    // Milliseconds left of the running pause, or 0.
    int pausedForMs() const;
    int acceptPauses() const;

private:
    bool descriptorsToSpareLocked();

    const EdgeLimits m_limits;
    // Recursive: the descriptor count, called under it, may ask connectionCount() (tests do).
    mutable QRecursiveMutex m_mutex;
    int m_total = 0;
    QHash<QHostAddress, int> m_perAddress;
    QList<QPointer<EdgeServer>> m_servers;
    qsizetype m_nextServer = 0;
    bool m_budgetSet = false;
    int m_descriptorLimit = 0;
    int m_descriptorReserve = 0;
    std::function<int()> m_countOpenDescriptors;
    // Counting the open descriptors reads /proc/self/fd; between counts, this many accepts
    // (half the headroom over the reserve) go without one, for at most a second.
    int m_acceptsUntilRecount = 0;
    QElapsedTimer m_sinceCount;
    QElapsedTimer m_clock; // started at construction: the pause's time base
    qint64 m_pausedUntilMs = -1;
    int m_acceptPauses = 0;
};

} // namespace sd::http
