#include "qthttpserverprobe.h"

#include "requestframer.h"

#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

#include <cstring>

#include <sys/socket.h>
#include <unistd.h>

namespace {

class RecordingServer : public QAbstractHttpServer
{
public:
    QList<ParsedRequest> requests;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *) override
    {
        QByteArray method;
        switch (request.method()) {
        case QHttpServerRequest::Method::Get:
            method = "GET";
            break;
        case QHttpServerRequest::Method::Put:
            method = "PUT";
            break;
        case QHttpServerRequest::Method::Delete:
            method = "DELETE";
            break;
        case QHttpServerRequest::Method::Post:
            method = "POST";
            break;
        case QHttpServerRequest::Method::Head:
            method = "HEAD";
            break;
        case QHttpServerRequest::Method::Options:
            method = "OPTIONS";
            break;
        case QHttpServerRequest::Method::Patch:
            method = "PATCH";
            break;
        case QHttpServerRequest::Method::Connect:
            method = "CONNECT";
            break;
        default:
            method = "UNKNOWN";
            break;
        }
        requests.append({method, request.value("host"), request.body()});
        return true; // nothing is answered: only the parsing is of interest
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}
};

// The requests as the framer splits them.
class Recorder : public sd::http::RequestFramer::Observer
{
public:
    QList<ParsedRequest> requests;
    QByteArray body;
    void bodyBytes(QByteArrayView bytes) override { body += bytes; }
    void requestDone(QByteArrayView method, QByteArrayView, QByteArrayView host) override
    {
        requests.append({QtHttpServerProbe::methodName(method), host.toByteArray(), body});
        body.clear();
    }
};

QByteArray describe(const QList<ParsedRequest> &requests)
{
    QByteArray out;
    for (const ParsedRequest &r : requests)
        out += "[" + r.method + " host=" + r.host.toPercentEncoding() +
               " body=" + r.body.toPercentEncoding() + "]";
    return out;
}

// A connected QTcpSocket without a kernel socket: QtHttpServer reads it through QIODevice's
// read() and peek() as any socket, which end in readData() here.
class MemorySocket : public QTcpSocket
{
public:
    MemorySocket()
    {
        setOpenMode(QIODevice::ReadWrite);
        setSocketState(QAbstractSocket::ConnectedState);
    }
    void give(QByteArrayView bytes)
    {
        m_pending += bytes;
        emit readyRead();
    }
    qint64 bytesAvailable() const override
    {
        return QIODevice::bytesAvailable() + m_pending.size() - m_taken;
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = qMin<qint64>(maxSize, m_pending.size() - m_taken);
        std::memcpy(data, m_pending.constData() + m_taken, size_t(n));
        m_taken += n;
        return n;
    }
    qint64 writeData(const char *, qint64 size) override { return size; }

private:
    QByteArray m_pending;
    qint64 m_taken = 0;
};

// Hands QtHttpServer the sockets made here, as EdgeServer does.
class HandingServer : public QTcpServer
{
public:
    void hand(QTcpSocket *socket) { addPendingConnection(socket); }
};

} // namespace

struct QtHttpServerProbe::Private
{
    RecordingServer server;
    HandingServer *listener = new HandingServer;
};

QtHttpServerProbe::QtHttpServerProbe() : d(std::make_unique<Private>())
{
    d->listener->listen(QHostAddress::LocalHost, 0); // only so that bind() does not warn
    d->server.bind(d->listener);
}

QtHttpServerProbe::~QtHttpServerProbe() = default;

QByteArray QtHttpServerProbe::methodName(QByteArrayView token)
{
    for (const char *known :
         {"GET", "PUT", "DELETE", "POST", "HEAD", "OPTIONS", "PATCH", "CONNECT"})
        if (token == known)
            return known;
    return "UNKNOWN";
}

QList<ParsedRequest> QtHttpServerProbe::parse(const QList<QByteArrayView> &pieces,
                                              Transport transport)
{
    d->server.requests.clear();
    if (transport == Transport::Memory) {
        QPointer<MemorySocket> socket = new MemorySocket;
        d->listener->hand(socket);
        for (QByteArrayView piece : pieces) {
            if (!socket || socket->state() != QAbstractSocket::ConnectedState)
                break;
            if (!piece.isEmpty())
                socket->give(piece);
            for (qsizetype before = -1; socket && before != d->server.requests.size();) {
                before = d->server.requests.size();
                QCoreApplication::sendPostedEvents();
            }
        }
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        delete socket.data();
        return d->server.requests;
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        qFatal("socketpair failed");
    QPointer<QTcpSocket> socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(fds[0]))
        qFatal("QTcpSocket refused a socketpair descriptor");
    d->listener->hand(socket);
    for (QByteArrayView piece : pieces) {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            break; // QtHttpServer gave up on the stream
        for (qsizetype sent = 0; sent < piece.size();) {
            const auto n =
                ::send(fds[1], piece.data() + sent, size_t(piece.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                qFatal("send to the socketpair failed");
            sent += n;
        }
        // The socket reads what is there and emits readyRead at once; QtHttpServer handles one
        // request per turn and queues another readyRead for the rest.
        if (!piece.isEmpty())
            socket->waitForReadyRead(0);
        for (qsizetype before = -1; socket && before != d->server.requests.size();) {
            before = d->server.requests.size();
            QCoreApplication::sendPostedEvents();
        }
    }
    ::close(fds[1]);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    delete socket.data();
    return d->server.requests;
}

QByteArray QtHttpServerProbe::disagreement(const QList<QByteArrayView> &pieces, Transport transport)
{
    using Framer = sd::http::RequestFramer;
    Recorder recorder;
    Framer framer{sd::http::EdgeLimits{}};
    framer.setObserver(&recorder);
    bool refused = false;
    for (QByteArrayView piece : pieces)
        refused = refused || framer.feedSegment(piece.data(), piece.size()) != Framer::Verdict::Ok;
    const QList<ParsedRequest> parsed = parse(pieces, transport);

    const QByteArray both = "\n  guard:        " + describe(recorder.requests) +
                            (refused ? " then refused" : "") +
                            "\n  QtHttpServer: " + describe(parsed);
    if (parsed.size() < recorder.requests.size())
        return "QtHttpServer handled fewer requests" + both;
    for (qsizetype i = 0; i < recorder.requests.size(); ++i)
        if (!(parsed[i] == recorder.requests[i]))
            return "request " + QByteArray::number(i + 1) + " differs" + both;
    if (!refused && framer.lastRequest() == 0 && parsed.size() != recorder.requests.size())
        return "QtHttpServer handled a request the guard did not see end" + both;
    return {};
}
