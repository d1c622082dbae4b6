#pragma once

// QtHttpServer 6.4's own request parsing, run on a byte stream: the parser is private to the
// library (QHttpServerRequestPrivate, QHttpHeaderParser: no exported symbol), so the stream
// goes through a real QAbstractHttpServer over one end of a socketpair, and every request it
// hands to handleRequest() is recorded. Needs a QCoreApplication; single-threaded.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <memory>

struct ParsedRequest
{
    QByteArray method; // GET … CONNECT, or UNKNOWN (as QtHttpServer 6.4 names them)
    QByteArray host;   // the Host field as QtHttpServer read it
    QByteArray body;
    bool operator==(const ParsedRequest &) const = default;
};

class QtHttpServerProbe
{
public:
    // How the bytes reach QtHttpServer: a real socket (one end of a socketpair), or a
    // QTcpSocket that serves them from memory through the same QIODevice reads, about ten
    // times cheaper (the fuzz target checks the two against each other now and then).
    enum class Transport
    {
        SocketPair,
        Memory
    };

    QtHttpServerProbe();
    ~QtHttpServerProbe();

    // Gives `pieces` one after another, each read and parsed by QtHttpServer before the next
    // comes, and returns the requests it handled, in order.
    QList<ParsedRequest> parse(const QList<QByteArrayView> &pieces,
                               Transport transport = Transport::SocketPair);

    // How QtHttpServer 6.4 names a method token (it knows no TRACE).
    static QByteArray methodName(QByteArrayView token);

    // Feeds the stream (the pieces one after another) to the edge guard's RequestFramer with
    // the shipped limits and, piece by piece, to QtHttpServer. Empty when they split it the
    // same way, else what differs. Wherever the guard lets bytes through:
    //   - the requests the framer completed before a refusal (or all of them) are the first
    //     requests QtHttpServer handled: same method, same Host, same body (de-chunked);
    //   - unless the framer refused or saw the connection's last request (Connection: close,
    //     HTTP/1.0; the guard drops what follows), QtHttpServer handled no other request: a
    //     request the framer still waits for is not one QtHttpServer has already handled.
    QByteArray disagreement(const QList<QByteArrayView> &pieces,
                            Transport transport = Transport::SocketPair);

private:
    struct Private;
    std::unique_ptr<Private> d;
};
