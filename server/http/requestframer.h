#pragma once

#include <QByteArray>

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
class RequestFramer
{
public:
    enum class Verdict {
        Ok,
        BadRequest,       // garbage, ambiguous framing (TE+CL, two different CLs), bad chunking
        UriTooLong,       // request line over the cap
        HeaderTooLarge,   // header block over the cap
        PayloadTooLarge,  // declared or counted body over the cap
        MethodNotAllowed, // a well-formed method token we do not know
    };
    enum class Phase { BetweenRequests, Header, Body };

    explicit RequestFramer(const EdgeLimits &limits) : m_limits(limits) {}

    // Feeds the next bytes of the stream; the first failure sticks.
    Verdict feed(const char *data, qsizetype size);
    Phase phase() const;
    // Requests whose last byte has been seen.
    qint64 completedRequests() const { return m_completed; }
    // The request-target of the current request once its request line is complete.
    QByteArray target() const { return m_target; }

private:
    enum class State { Start, RequestLine, Headers, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Failed };
    Verdict lineDone();
    Verdict requestLineDone();
    Verdict headerLineDone();
    Verdict headersDone();
    Verdict fail(Verdict v);
    void requestDone();

    EdgeLimits m_limits;
    State m_state = State::Start;
    Verdict m_failure = Verdict::Ok;
    QByteArray m_line;
    QByteArray m_target;
    qint64 m_headerBytes = 0;
    qint64 m_remaining = 0; // of the body or of the current chunk
    qint64 m_bodyBytes = 0;
    qint64 m_completed = 0;
    bool m_http10 = false;
    int m_hostHeaders = 0;
    std::optional<qint64> m_contentLength;
    bool m_transferEncoding = false;
    bool m_chunked = false;
};

} // namespace sd::http
