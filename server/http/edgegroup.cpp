#include "edgegroup.h"

#include "edgeconnection.h"
#include "edgeserver.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>
#include <sys/socket.h>

namespace sd::http {

EdgeGroup::EdgeGroup(const EdgeLimits &limits) : m_limits(limits)
{
    m_clock.start();
}

EdgeGroup::Accepted EdgeGroup::acceptOne(int listeningFd)
{
    Accepted a;
    QMutexLocker lock(&m_mutex);
    if (!descriptorsToSpareLocked()) {
        a.outcome = Accepted::NoDescriptors;
        return a;
    }
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    a.fd = ::accept4(listeningFd, reinterpret_cast<sockaddr *>(&address), &length,
                     SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (a.fd < 0) {
        a.error = errno;
        a.outcome =
            (a.error == EAGAIN || a.error == EWOULDBLOCK) ? Accepted::WouldBlock : Accepted::Failed;
        return a;
    }
    a.outcome = Accepted::Connection;
    for (qsizetype tries = 0; !a.server && tries < m_servers.size(); ++tries)
        a.server = m_servers.at(m_nextServer++ % m_servers.size());
    a.peer = normalized(QHostAddress(reinterpret_cast<const sockaddr *>(&address)));
    a.admitted = m_total < m_limits.maxConnections &&
                 m_perAddress.value(a.peer) < m_limits.maxConnectionsPerAddress;
    if (a.admitted) {
        ++m_total;
        ++m_perAddress[a.peer];
    }
    return a;
}

void EdgeGroup::join(EdgeServer *server)
{
    QMutexLocker lock(&m_mutex);
    m_servers.removeAll(nullptr);
    m_servers.append(server);
}

bool EdgeGroup::admit(const QHostAddress &peer)
{
    QMutexLocker lock(&m_mutex);
    if (m_total >= m_limits.maxConnections ||
        m_perAddress.value(peer) >= m_limits.maxConnectionsPerAddress)
        return false;
    ++m_total;
    ++m_perAddress[peer];
    return true;
}

void EdgeGroup::release(const QHostAddress &peer)
{
    QMutexLocker lock(&m_mutex);
    --m_total;
    auto it = m_perAddress.find(peer);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

int EdgeGroup::connectionCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_total;
}

void EdgeGroup::setDescriptorBudget(int limit, int reserve, std::function<int()> countOpen)
{
    QMutexLocker lock(&m_mutex);
    m_budgetSet = true;
    m_descriptorLimit = limit;
    m_descriptorReserve = reserve;
    m_countOpenDescriptors = countOpen ? std::move(countOpen) : &EdgeServer::openDescriptorCount;
    m_acceptsUntilRecount = 0; // count before the next accept
}

void EdgeGroup::budgetFromRlimit()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_budgetSet)
            return;
        m_budgetSet = true;
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY ||
        limit.rlim_cur >= (1u << 30))
        return;
    const int soft = int(limit.rlim_cur);
    const int reserve = std::clamp(soft / 16, 16, 256);
    setDescriptorBudget(soft, reserve, {});
    const int open = EdgeServer::openDescriptorCount();
    if (open >= 0 && m_limits.maxConnections > soft - reserve - open)
        qWarning("server/max_connections is %d but RLIMIT_NOFILE (%d, %d of them open, %d kept "
                 "in reserve) allows about %d connections; raise the limit (ulimit -n, systemd "
                 "LimitNOFILE=)",
                 m_limits.maxConnections, soft, open, reserve, std::max(0, soft - reserve - open));
}

int EdgeGroup::descriptorLimit() const
{
    QMutexLocker lock(&m_mutex);
    return m_descriptorLimit;
}

int EdgeGroup::descriptorReserve() const
{
    QMutexLocker lock(&m_mutex);
    return m_descriptorReserve;
}

bool EdgeGroup::descriptorsToSpareLocked()
{
    if (m_descriptorLimit <= 0)
        return true;
    if (m_acceptsUntilRecount > 0 && m_sinceCount.isValid() && m_sinceCount.elapsed() < 1000) {
        --m_acceptsUntilRecount;
        return true;
    }
    const int open = m_countOpenDescriptors();
    if (open < 0) {
        // Not even a descriptor to count with: out. Without /proc: no budget to keep.
        if (errno == EMFILE || errno == ENFILE)
            return false;
        m_descriptorLimit = 0;
        return true;
    }
    m_sinceCount.start();
    const int free = m_descriptorLimit - open;
    if (free <= m_descriptorReserve)
        return false;
    // This accept takes one; half the rest of the headroom goes without counting, leaving the
    // other half for what the other threads open meanwhile.
    m_acceptsUntilRecount = (free - m_descriptorReserve - 1) / 2;
    return true;
}

bool EdgeGroup::pause(int ms, const char *why)
{
    QMutexLocker lock(&m_mutex);
    const qint64 now = m_clock.elapsed();
    if (now < m_pausedUntilMs)
        return false;
    m_pausedUntilMs = now + ms;
    if (m_acceptPauses++ % 240 == 0) // once a minute at most while it lasts
        qWarning("accept: %s; pausing new connections for %d ms", why, ms);
    return true;
}

int EdgeGroup::pausedForMs() const
{
    QMutexLocker lock(&m_mutex);
    return int(std::max<qint64>(0, m_pausedUntilMs - m_clock.elapsed()));
}

int EdgeGroup::acceptPauses() const
{
    QMutexLocker lock(&m_mutex);
    return m_acceptPauses;
}

} // namespace sd::http
