#include "edgeserver.h"

#include "edgeconnection.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using sd::core::ErrorCode;

namespace sd::http {

EdgeServer::EdgeServer(const EdgeLimits &limits, std::shared_ptr<EdgeGroup> group, QObject *parent)
    : QTcpServer(parent), m_limits(limits),
      m_group(group ? std::move(group) : std::make_shared<EdgeGroup>(limits))
{
}

EdgeServer::~EdgeServer()
{
    delete m_acceptNotifier; // before the descriptor it watches is closed
    if (m_acceptFd >= 0)
        ::close(m_acceptFd);
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

bool EdgeServer::listenOnDuplicate(qintptr listeningDescriptor)
{
    const int fd = ::fcntl(int(listeningDescriptor), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return false;
    if (!setSocketDescriptor(fd)) {
        ::close(fd);
        return false;
    }
    return true;
}

void EdgeServer::takeOverAccepting()
{
    if (!isListening() || m_acceptNotifier)
        return;
    m_group->budgetFromRlimit();
    m_group->join(this);
    QTcpServer::pauseAccepting(); // QTcpServer's own read notifications stay off for good
    // The guard watches a duplicate of the listening descriptor, never QTcpServer's own:
    // nextPendingConnection() switches QTcpServer's read notifier on for a moment, and an event
    // dispatcher that keeps one notifier per descriptor and type (Qt's plain UNIX one, which
    // the server threads use: see apiserver.cpp) would let that one replace the guard's, then
    // drop both when QTcpServer's goes off again: no connection would be accepted after the
    // first.
    m_acceptFd = ::fcntl(int(socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (m_acceptFd < 0) {
        qWarning("edge: cannot duplicate the listening socket (%s); QTcpServer accepts",
                 std::strerror(errno));
        QTcpServer::resumeAccepting();
        return;
    }
    m_acceptNotifier = new QSocketNotifier(m_acceptFd, QSocketNotifier::Read, this);
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
        if (const int ms = m_group->pausedForMs(); ms > 0) {
            holdForGroupPause(ms); // another thread paused the group
            return;
        }
        const EdgeGroup::Accepted a = m_group->acceptOne(m_acceptFd);
        switch (a.outcome) {
        case EdgeGroup::Accepted::Connection:
            if (!a.server || a.server == this) {
                serve(a.fd, a.peer, a.admitted);
            } else {
                // Its socket and guard are made in the thread that serves it.
                QMetaObject::invokeMethod(
                    a.server.get(),
                    [to = a.server, fd = a.fd, peer = a.peer, admitted = a.admitted] {
                        to->serve(fd, peer, admitted);
                    },
                    Qt::QueuedConnection);
            }
            break;
        case EdgeGroup::Accepted::WouldBlock:
            return;
        case EdgeGroup::Accepted::NoDescriptors:
            pauseAcceptingAWhile("file descriptors are running out");
            return;
        case EdgeGroup::Accepted::Failed:
            onAcceptFailure(a.error);
            break;
        }
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
    // Only reached through QTcpServer's own accepting, which takeOverAccepting() stops.
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    QHostAddress peer;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&address), &length) == 0)
        peer = normalized(QHostAddress(reinterpret_cast<const sockaddr *>(&address)));
    serve(descriptor, peer, m_group->admit(peer));
}

void EdgeServer::serve(qintptr descriptor, const QHostAddress &peer, bool admitted)
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
        if (admitted)
            m_group->release(peer);
        return;
    }
    if (!admitted) {
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

void EdgeServer::pauseAcceptingAWhile(const char *why)
{
    if (!m_acceptNotifier || !m_acceptNotifier->isEnabled())
        return;
    // The whole group pauses: every thread looks before it accepts.
    m_group->pause(250, why);
    holdForGroupPause(m_group->pausedForMs());
}

void EdgeServer::holdForGroupPause(int ms)
{
    if (!m_acceptNotifier || !m_acceptNotifier->isEnabled())
        return;
    m_acceptNotifier->setEnabled(false);
    QTimer::singleShot(std::max(ms, 1), this, [this] {
        if (m_acceptNotifier)
            m_acceptNotifier->setEnabled(true);
    });
}

} // namespace sd::http
