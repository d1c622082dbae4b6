#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace sd::http {

// The limits QtHttpServer 6.4 lacks (DESIGN.md "The server's edge", SEC-31).
struct EdgeLimits
{
    int maxHeaderBytes = 16 * 1024;     // request line + header fields (431)
    int maxRequestLineBytes = 8 * 1024; // (414)
    qint64 maxBodyBytes = 64 * 1024;    // declared or chunked (413)
    int headerTimeoutMs = 10'000;       // to finish a request's header block, and again its body
    int idleTimeoutMs = 15'000;         // keep-alive idle between an answer and the next request
    int maxConnections = 10'000;        // in total (503)
    int maxConnectionsPerAddress = 512; // (503)
    int lingerMs = 1'000;               // after a refusal: drain input this long, then close
};

// Follows the bytes of one connection, request after request, with bounded memory: it keeps
// at most one line (≤ the header cap) and a few counters, never a body. Pure, so it can be
// fuzzed on its own.
//
// It accepts only what QtHttpServer 6.4's own lenient parser reads the same way (where one
// request ends and the next begins), and refuses the rest: CRLF line endings only (no bare LF
// or CR anywhere), one Content-Length of digits or one `Transfer-Encoding: chunked`, never
// both, chunk sizes of hex digits with well-formed extensions and no trailers, at most 100
// header fields of at most 8 KiB each (QtHttpServer drops every field of a head past either,
// Content-Length included), no WebSocket upgrade (QtHttpServer answers it twice). A request
// with `Connection: close`, and every HTTP/1.0 request, is the connection's last: what follows
// it is never read as a request (RFC 9112 9.6). tests/fuzz/fuzz_edgediff.cpp and tst_edgediff
// hold it against QtHttpServer itself.
class RequestFramer
{
public:
    enum class Verdict
    {
        Ok,
        BadRequest,       // garbage, ambiguous framing (TE+CL, two CLs, bare LF), bad chunking
        UriTooLong,       // request line over the cap
        HeaderTooLarge,   // header block over the cap, a field over 8 KiB, over 100 fields
        PayloadTooLarge,  // declared or counted body over the cap
        MethodNotAllowed, // a well-formed method token we do not know
    };
    enum class Phase
    {
        BetweenRequests,
        Header,
        Body
    };

    // What a request consists of, for the tests that compare the framer with QtHttpServer.
    class Observer
    {
    public:
        virtual ~Observer() = default;
        virtual void bodyBytes(QByteArrayView bytes) = 0; // of the current request, de-chunked
        virtual void requestDone(QByteArrayView method, QByteArrayView target,
                                 QByteArrayView host) = 0;
    };

    explicit RequestFramer(const EdgeLimits &limits) : m_limits(limits) {}
    void setObserver(Observer *observer) { m_observer = observer; }

    // Feeds the next bytes of the stream; the first failure sticks. After the connection's
    // last request (lastRequest()) every byte is ignored.
    Verdict feed(const char *data, qsizetype size);
    // feed() for the bytes that arrived together, which QtHttpServer reads in one turn. Also
    // refuses the one split QtHttpServer misreads: a chunked body's last CR at the end of one
    // turn and its LF with more bytes in the next (it reads two bytes as the LF and eats the
    // first of the next request).
    Verdict feedSegment(const char *data, qsizetype size);
    Phase phase() const;
    // Requests whose last byte has been seen.
    qint64 completedRequests() const { return m_completed; }
    // The request-target of the current request once its request line is complete.
    QByteArray target() const { return m_target; }
    // The number of the request (1 = the first) after which the connection ends, once its
    // head has been read; 0 while there is none.
    qint64 lastRequest() const { return m_lastRequest; }

    // QtHttpServer 6.4 (QHttpHeaderParser) keeps no field of a head with more fields than
    // this, or with a field line (name, colon and value) longer than this.
    static constexpr int kMaxFields = 100;
    static constexpr int kMaxFieldLineBytes = 8 * 1024;

private:
    enum class State
    {
        Start,
        StartCr,
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        LastChunkEnd,
        Closed,
        Failed
    };
    Verdict lineDone();
    Verdict requestLineDone();
    Verdict headerLineDone();
    Verdict headersDone();
    Verdict chunkSizeDone();
    Verdict fail(Verdict v);
    void requestDone();

    EdgeLimits m_limits;
    Observer *m_observer = nullptr;
    State m_state = State::Start;
    Verdict m_failure = Verdict::Ok;
    QByteArray m_line;
    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_authority; // of an absolute-form target
    QByteArray m_host;
    qint64 m_headerBytes = 0;
    qint64 m_remaining = 0; // of the body or of the current chunk
    qint64 m_bodyBytes = 0;
    qint64 m_completed = 0;
    qint64 m_lastRequest = 0;
    int m_fields = 0;
    bool m_http10 = false;
    bool m_absoluteForm = false;
    int m_hostHeaders = 0;
    std::optional<qint64> m_contentLength;
    bool m_transferEncoding = false;
    bool m_close = false;
};

} // namespace sd::http
