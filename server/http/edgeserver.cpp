#include "edgeserver.h"

#include "edgeconnection.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using sd::core::ErrorCode;

namespace sd::http {

EdgeServer::EdgeServer(const EdgeLimits &limits, QObject *parent)
    : QTcpServer(parent), m_limits(limits)
{
}

EdgeServer::~EdgeServer()
{
    delete m_acceptNotifier; // before ~QTcpServer closes the descriptor it watches
}

int EdgeServer::openDescriptorCount()
{
    DIR *dir = ::opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int count = 0;
    while (const dirent *entry = ::readdir(dir))
        if (entry->d_name[0] != '.')
            ++count;
    ::closedir(dir);
    return count - 1; // less the one reading the directory
}

void EdgeServer::setDescriptorBudget(int limit, int reserve, std::function<int()> countOpen)
{
    m_descriptorLimit = limit;
    m_descriptorReserve = reserve;
    m_countOpenDescriptors = countOpen ? std::move(countOpen) : &EdgeServer::openDescriptorCount;
    m_acceptsUntilRecount = 0; // count before the next accept
}

void EdgeServer::takeOverAccepting()
{
    if (!isListening() || m_acceptNotifier)
        return;
    if (m_descriptorLimit == 0) {
        rlimit limit{};
        if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
            limit.rlim_cur < (1u << 30)) {
            const int soft = int(limit.rlim_cur);
            setDescriptorBudget(soft, std::clamp(soft / 16, 16, 256));
            const int open = openDescriptorCount();
            if (open >= 0 && m_limits.maxConnections > soft - m_descriptorReserve - open)
                qWarning("server/max_connections is %d but RLIMIT_NOFILE (%d, %d of them open, %d "
                         "kept in reserve) "
                         "allows about %d connections; raise the limit (ulimit -n, systemd "
                         "LimitNOFILE=)",
                         m_limits.maxConnections, soft, open, m_descriptorReserve,
                         std::max(0, soft - m_descriptorReserve - open));
        }
    }
    QTcpServer::pauseAccepting(); // QTcpServer's own read notifications stay off for good
    m_acceptNotifier = new QSocketNotifier(socketDescriptor(), QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &EdgeServer::acceptReady);
}

QTcpSocket *EdgeServer::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    if (m_acceptNotifier)
        QTcpServer::pauseAccepting(); // the base switched its notifier back on
    return socket;
}

void EdgeServer::acceptReady()
{
    // A bounded batch per wake-up, so that one burst cannot starve the connections' reads.
    for (int i = 0; i < 256 && m_acceptNotifier && m_acceptNotifier->isEnabled(); ++i) {
        if (!descriptorsToSpare()) {
            pauseAcceptingAWhile("file descriptors are running out");
            return;
        }
        const int fd =
            ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            incomingConnection(fd);
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return;
        onAcceptFailure(errno);
    }
}

void EdgeServer::setTls(const QSslConfiguration &configuration)
{
    QSslConfiguration c = configuration;
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_tls = c;
}

QByteArray EdgeServer::refusal(const ApiError &error, const QByteArray &target) const
{
    if (m_refusal)
        return m_refusal(error, target);
    return QByteArray("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

void EdgeServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = nullptr;
    if (m_tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*m_tls);
        socket = ssl;
    } else {
        socket = new QTcpSocket(this);
    }
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        ::close(int(descriptor));
        return;
    }
    const QHostAddress peer = normalized(socket->peerAddress());
    if (m_total >= m_limits.maxConnections ||
        m_perAddress.value(peer) >= m_limits.maxConnectionsPerAddress) {
        // Over a cap: 503 and close; QtHttpServer never sees this socket. (Under TLS the
        // socket is closed without a word: there is no session to answer in.)
        connect(socket, &QIODevice::readyRead, socket,
                [socket] { socket->skip(socket->bytesAvailable()); });
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        if (!m_tls) {
            socket->write(refusal(ErrorCode::Busy));
            endOutput(socket);
        }
        QTimer::singleShot(m_tls ? 0 : m_limits.lingerMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        return;
    }
    ++m_total;
    ++m_perAddress[peer];
    // The reads of QtHttpServer and of the guard stay bounded whatever the peer sends.
    socket->setReadBufferSize(m_limits.maxHeaderBytes + m_limits.maxBodyBytes + 64 * 1024);
    auto *guard = new EdgeConnection(socket, this, m_limits);
    if (m_tls) {
        auto *ssl = static_cast<QSslSocket *>(socket);
        // A failed handshake (plain HTTP, TLS < 1.2) ends the connection; no HTTP answer.
        connect(ssl, &QSslSocket::sslErrors, ssl,
                [ssl](const QList<QSslError> &) { ssl->abort(); });
        connect(ssl, &QAbstractSocket::errorOccurred, ssl, [ssl](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::SslHandshakeFailedError ||
                e == QAbstractSocket::SslInternalError)
                ssl->abort();
        });
        ssl->startServerEncryption();
    }
    addPendingConnection(socket);
    // QAbstractHttpServer took it (and connected its readyRead slot) during that call.
    guard->attachAfterServer();
}

void EdgeServer::released(const QHostAddress &peer)
{
    --m_total;
    auto it = m_perAddress.find(peer);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

void EdgeServer::onAcceptFailure(int error)
{
    switch (error) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
        break;
    default:
        // A peer that reset before accept() (ECONNABORTED), a signal, a network error on the
        // new connection: that connection is gone, the listening socket is fine.
        return;
    }
    // Out of descriptors the listening socket stays readable: retrying at once would spin.
    // Wait a moment; connections that end meanwhile free descriptors.
    pauseAcceptingAWhile(std::strerror(error));
}

bool EdgeServer::descriptorsToSpare()
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

void EdgeServer::pauseAcceptingAWhile(const char *why)
{
    if (!m_acceptNotifier || !m_acceptNotifier->isEnabled())
        return;
    m_acceptNotifier->setEnabled(false);
    if (m_acceptPauses++ % 240 == 0) // once a minute at most while it lasts
        qWarning("accept: %s; pausing new connections for 250 ms", why);
    QTimer::singleShot(250, this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
    });
}

} // namespace sd::http
