#include "edgeguard.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

// ---------------------------------------------------------------------------------------------
// RequestFramer

namespace {

bool isTokenChar(char c)
{
    // RFC 9110 5.6.2 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

// Visible ASCII and obs-text, as a request-target may hold once percent-encoded or not.
bool isTargetChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7f;
}

bool isFieldValueChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7f);
}

bool isKnownMethod(QByteArrayView m)
{
    static const QByteArrayView known[] = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                           "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    for (QByteArrayView k : known)
        if (m == k)
            return true;
    return false;
}

// Digits only, no sign, no overflow.
std::optional<qint64> parseLength(QByteArrayView s)
{
    if (s.isEmpty() || s.size() > 18)
        return std::nullopt;
    qint64 n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

constexpr qsizetype kMaxChunkLine = 1024;

} // namespace

RequestFramer::Verdict RequestFramer::fail(Verdict v)
{
    m_state = State::Failed;
    m_failure = v;
    m_line.clear();
    return v;
}

RequestFramer::Phase RequestFramer::phase() const
{
    switch (m_state) {
    case State::Start: return Phase::BetweenRequests;
    case State::RequestLine:
    case State::Headers: return Phase::Header;
    default: return Phase::Body;
    }
}

void RequestFramer::requestDone()
{
    ++m_completed;
    m_state = State::Start;
    m_target.clear();
    m_headerBytes = 0;
    m_bodyBytes = 0;
    m_remaining = 0;
    m_hostHeaders = 0;
    m_contentLength.reset();
    m_transferEncoding = false;
    m_chunked = false;
    m_http10 = false;
}

RequestFramer::Verdict RequestFramer::feed(const char *data, qsizetype size)
{
    qsizetype i = 0;
    while (i < size) {
        switch (m_state) {
        case State::Failed:
            return m_failure;
        case State::Body:
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, size - i);
            m_remaining -= take;
            i += take;
            if (m_remaining == 0) {
                if (m_state == State::Body)
                    requestDone();
                else
                    m_state = State::ChunkDataEnd;
            }
            break;
        }
        case State::Start:
            // RFC 9112 2.2: empty lines before a request line are ignored.
            if (data[i] == '\r' || data[i] == '\n') {
                ++i;
                break;
            }
            m_state = State::RequestLine;
            [[fallthrough]];
        default: {
            // A line-oriented state: collect up to the newline, within the caps.
            const char c = data[i++];
            if (m_state == State::RequestLine || m_state == State::Headers || m_state == State::Trailers) {
                if (m_state == State::RequestLine && m_line.size() >= m_limits.maxRequestLineBytes)
                    return fail(Verdict::UriTooLong);
                if (++m_headerBytes > m_limits.maxHeaderBytes)
                    return fail(Verdict::HeaderTooLarge);
            } else if (m_line.size() >= kMaxChunkLine) {
                return fail(Verdict::BadRequest);
            }
            if (c != '\n') {
                m_line.append(c);
                break;
            }
            if (m_line.endsWith('\r'))
                m_line.chop(1);
            if (const Verdict v = lineDone(); v != Verdict::Ok)
                return fail(v);
            m_line.clear();
            break;
        }
        }
    }
    return m_state == State::Failed ? m_failure : Verdict::Ok;
}

RequestFramer::Verdict RequestFramer::lineDone()
{
    switch (m_state) {
    case State::RequestLine: return requestLineDone();
    case State::Headers: return headerLineDone();
    case State::ChunkSize: {
        QByteArrayView line(m_line);
        if (const qsizetype semicolon = line.indexOf(';'); semicolon >= 0)
            line = line.first(semicolon);
        line = line.trimmed();
        if (line.isEmpty() || line.size() > 15)
            return Verdict::BadRequest;
        qint64 n = 0;
        for (char c : line) {
            const int d = c >= '0' && c <= '9' ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
            if (d < 0)
                return Verdict::BadRequest;
            n = n * 16 + d;
        }
        m_bodyBytes += n;
        if (m_bodyBytes > m_limits.maxBodyBytes)
            return Verdict::PayloadTooLarge;
        if (n == 0) {
            m_state = State::Trailers;
        } else {
            m_remaining = n;
            m_state = State::ChunkData;
        }
        return Verdict::Ok;
    }
    case State::ChunkDataEnd:
        if (!m_line.isEmpty())
            return Verdict::BadRequest;
        m_state = State::ChunkSize;
        return Verdict::Ok;
    case State::Trailers:
        if (m_line.isEmpty())
            requestDone();
        else if (m_line.indexOf(':') <= 0)
            return Verdict::BadRequest;
        return Verdict::Ok;
    default:
        return Verdict::BadRequest;
    }
}

RequestFramer::Verdict RequestFramer::requestLineDone()
{
    // method SP request-target SP HTTP-version, nothing else (RFC 9112 3).
    const QByteArrayView line(m_line);
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 <= sp1 + 1 || line.indexOf(' ', sp2 + 1) >= 0)
        return Verdict::BadRequest;
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(method))
        return Verdict::BadRequest;
    for (char c : target)
        if (!isTargetChar(c))
            return Verdict::BadRequest;
    if (version == "HTTP/1.0")
        m_http10 = true;
    else if (version != "HTTP/1.1")
        return Verdict::BadRequest;
    m_target = target.toByteArray();
    if (!isKnownMethod(method))
        return Verdict::MethodNotAllowed;
    m_state = State::Headers;
    return Verdict::Ok;
}

RequestFramer::Verdict RequestFramer::headerLineDone()
{
    if (m_line.isEmpty())
        return headersDone();
    const QByteArrayView line(m_line);
    const qsizetype colon = line.indexOf(':');
    // No obs-fold, no space before the colon (RFC 9112 5.1, 5.2).
    if (colon <= 0 || !isToken(line.first(colon)))
        return Verdict::BadRequest;
    const QByteArrayView value = line.sliced(colon + 1).trimmed();
    for (char c : value)
        if (!isFieldValueChar(c))
            return Verdict::BadRequest;
    const QByteArray name = line.first(colon).toByteArray().toLower();
    if (name == "content-length") {
        // "5, 5" or two equal fields are one length; anything else is ambiguous.
        for (QByteArrayView part : QByteArray(value.toByteArray()).split(',')) {
            const auto n = parseLength(part.trimmed());
            if (!n || (m_contentLength && *m_contentLength != *n))
                return Verdict::BadRequest;
            m_contentLength = n;
        }
    } else if (name == "transfer-encoding") {
        if (m_transferEncoding)
            return Verdict::BadRequest;
        m_transferEncoding = true;
        m_chunked = value.compare("chunked", Qt::CaseInsensitive) == 0;
    } else if (name == "host") {
        ++m_hostHeaders;
    }
    return Verdict::Ok;
}

RequestFramer::Verdict RequestFramer::headersDone()
{
    // RFC 9112 6.1/6.3: TE with CL is a smuggling attempt; only "chunked" is understood; a
    // HTTP/1.1 request names exactly one Host (3.2).
    if (m_transferEncoding && (m_contentLength || !m_chunked || m_http10))
        return Verdict::BadRequest;
    if (m_hostHeaders > 1 || (!m_http10 && m_hostHeaders == 0))
        return Verdict::BadRequest;
    if (m_contentLength && *m_contentLength > m_limits.maxBodyBytes)
        return Verdict::PayloadTooLarge;
    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (m_contentLength && *m_contentLength > 0) {
        m_remaining = *m_contentLength;
        m_state = State::Body;
    } else {
        requestDone();
    }
    return Verdict::Ok;
}

// ---------------------------------------------------------------------------------------------
// EdgeConnection

namespace {

HttpErrorCode errorFor(RequestFramer::Verdict v)
{
    switch (v) {
    case RequestFramer::Verdict::UriTooLong: return HttpErrorCode::UriTooLong;
    case RequestFramer::Verdict::HeaderTooLarge: return HttpErrorCode::HeaderFieldsTooLarge;
    case RequestFramer::Verdict::PayloadTooLarge: return HttpErrorCode::PayloadTooLarge;
    case RequestFramer::Verdict::MethodNotAllowed: return HttpErrorCode::MethodNotAllowed;
    case RequestFramer::Verdict::Ok:
    case RequestFramer::Verdict::BadRequest: break;
    }
    return HttpErrorCode::BadRequest;
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

} // namespace

EdgeConnection::EdgeConnection(QTcpSocket *socket, EdgeServer *server, const EdgeLimits &limits)
    : QObject(socket), m_socket(socket), m_server(server), m_limits(limits), m_framer(limits),
      m_peer(normalized(socket->peerAddress()))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &EdgeConnection::expire);
    // First in line: QtHttpServer connects its own slot after nextPendingConnection().
    connect(socket, &QIODevice::readyRead, this, &EdgeConnection::beforeServerReads);
    m_deadlineKind = Deadline::Header;
    m_deadline.start(m_limits.headerTimeoutMs);
}

EdgeConnection::~EdgeConnection()
{
    if (m_server)
        m_server->released(m_peer);
}

EdgeConnection *EdgeConnection::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<EdgeConnection *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

void EdgeConnection::attachAfterServer()
{
    connect(m_socket, &QIODevice::readyRead, this, &EdgeConnection::afterServerRead);
}

void EdgeConnection::beforeServerReads()
{
    if (m_refused) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = available - m_unreadAfterServer;
    if (fresh > 0) {
        const QByteArray bytes = m_socket->peek(available);
        const auto verdict = m_framer.feed(bytes.constData() + (bytes.size() - fresh), fresh);
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
    // What QtHttpServer left in the buffer is not new next time (6.4 reads all it can, even
    // several pipelined requests, in one turn; this keeps the count right if it ever does not).
    m_unreadAfterServer = m_socket->bytesAvailable();
    updateTimers();
}

void EdgeConnection::refuse(RequestFramer::Verdict verdict)
{
    m_refused = true;
    m_waiting.clear();
    drain(); // before QtHttpServer's slot runs: it must never see these bytes
    const HttpErrorCode code = errorFor(verdict);
    m_socket->write(m_server ? m_server->refusal(code, m_framer.target()) : QByteArray("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    endOutput(m_socket);
    m_deadlineKind = Deadline::Linger;
    m_deadline.start(m_limits.lingerMs);
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
        } else if (m_nextToWrite >= m_framer.completedRequests() && m_waiting.empty()) {
            want = Deadline::Idle; // every request answered
            ms = m_limits.idleTimeoutMs;
        }
        break;
    }
    if (want == m_deadlineKind)
        return; // a deadline runs from when its phase began; progress does not extend it
    m_deadlineKind = want;
    if (want == Deadline::None)
        m_deadline.stop();
    else
        m_deadline.start(ms);
}

void EdgeConnection::expire()
{
    // Header or body too slow, keep-alive idle, or the linger after a refusal is over.
    m_deadline.stop();
    m_socket->abort();
    m_socket->deleteLater();
}

// ---------------------------------------------------------------------------------------------
// EdgeServer

EdgeServer::EdgeServer(const EdgeLimits &limits, QObject *parent) : QTcpServer(parent), m_limits(limits)
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
        if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < (1u << 30)) {
            const int soft = int(limit.rlim_cur);
            setDescriptorBudget(soft, std::clamp(soft / 16, 16, 256));
            const int open = openDescriptorCount();
            if (open >= 0 && m_limits.maxConnections > soft - m_descriptorReserve - open)
                qWarning("server/max_connections is %d but RLIMIT_NOFILE (%d, %d of them open, %d kept in reserve) "
                         "allows about %d connections; raise the limit (ulimit -n, systemd LimitNOFILE=)",
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
        const int fd = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
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
    if (m_total >= m_limits.maxConnections || m_perAddress.value(peer) >= m_limits.maxConnectionsPerAddress) {
        // Over a cap: 503 and close; QtHttpServer never sees this socket. (Under TLS the
        // socket is closed without a word: there is no session to answer in.)
        connect(socket, &QIODevice::readyRead, socket, [socket] { socket->skip(socket->bytesAvailable()); });
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
        connect(ssl, &QSslSocket::sslErrors, ssl, [ssl](const QList<QSslError> &) { ssl->abort(); });
        connect(ssl, &QAbstractSocket::errorOccurred, ssl, [ssl](QAbstractSocket::SocketError e) {
            if (e == QAbstractSocket::SslHandshakeFailedError || e == QAbstractSocket::SslInternalError)
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

core::Result<QSslConfiguration> loadTlsConfiguration(const QString &certPath, const QString &keyPath)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certPath, QSsl::Pem);
    if (chain.isEmpty())
        return core::fail(ErrorCode::Validation, u"server/tls_cert: no PEM certificate in "_s + certPath);
    QFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::ReadOnly))
        return core::fail(ErrorCode::Validation, u"server/tls_key: cannot read "_s + keyPath);
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return core::fail(ErrorCode::Validation, u"server/tls_key: no RSA or EC PEM private key in "_s + keyPath);
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setLocalCertificateChain(chain);
    c.setPrivateKey(key);
    c.setProtocol(QSsl::TlsV1_2OrLater);
    c.setPeerVerifyMode(QSslSocket::VerifyNone);
    return c;
}

} // namespace sd::http
