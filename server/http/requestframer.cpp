#include "http/requestframer.h"

#include <QList>

#include <cstring>

namespace sd::http {

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

} // namespace sd::http
