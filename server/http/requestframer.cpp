#include "requestframer.h"

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
    static const QByteArrayView known[] = {"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                           "OPTIONS", "PATCH", "TRACE", "CONNECT"};
    for (QByteArrayView k : known)
        if (m == k)
            return true;
    return false;
}

// Digits only: no sign, no space, no list, no overflow.
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

int hexValue(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

// chunk-ext without whitespace (RFC 9112 7.1.1 allows BWS; refused here as needless):
// *( ";" token [ "=" ( token / quoted-string ) ] )
bool isChunkExtensions(QByteArrayView s)
{
    qsizetype i = 0;
    const auto tokenEnd = [&](qsizetype from) {
        qsizetype j = from;
        while (j < s.size() && isTokenChar(s[j]))
            ++j;
        return j;
    };
    while (i < s.size()) {
        if (s[i] != ';')
            return false;
        const qsizetype nameEnd = tokenEnd(i + 1);
        if (nameEnd == i + 1)
            return false;
        i = nameEnd;
        if (i == s.size() || s[i] != '=')
            continue;
        ++i;
        if (i < s.size() && s[i] == '"') {
            for (++i;; ++i) {
                if (i >= s.size())
                    return false;
                if (s[i] == '"')
                    break;
                if (s[i] == '\\')
                    ++i;
                if (i >= s.size() || !isFieldValueChar(s[i]))
                    return false;
            }
            ++i;
        } else {
            const qsizetype valueEnd = tokenEnd(i);
            if (valueEnd == i)
                return false;
            i = valueEnd;
        }
    }
    return true;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
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
    case State::Start:
    case State::Closed:
        return Phase::BetweenRequests;
    case State::StartCr:
    case State::RequestLine:
    case State::Headers:
        return Phase::Header;
    default:
        return Phase::Body;
    }
}

void RequestFramer::requestDone()
{
    ++m_completed;
    if (m_observer)
        m_observer->requestDone(m_method, m_target, m_host);
    m_state = m_lastRequest == m_completed ? State::Closed : State::Start;
    m_method.clear();
    m_target.clear();
    m_authority.clear();
    m_host.clear();
    m_headerBytes = 0;
    m_bodyBytes = 0;
    m_remaining = 0;
    m_fields = 0;
    m_hostHeaders = 0;
    m_contentLength.reset();
    m_transferEncoding = false;
    m_close = false;
    m_http10 = false;
    m_absoluteForm = false;
}

RequestFramer::Verdict RequestFramer::feed(const char *data, qsizetype size)
{
    qsizetype i = 0;
    while (i < size) {
        switch (m_state) {
        case State::Failed:
            return m_failure;
        case State::Closed:
            return Verdict::Ok; // after the last request: nothing more is read
        case State::Body:
        case State::ChunkData: {
            const qint64 take = qMin<qint64>(m_remaining, size - i);
            if (m_observer)
                m_observer->bodyBytes(QByteArrayView(data + i, take));
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
            // RFC 9112 2.2: empty lines (CRLF) before a request line are ignored.
            if (data[i] == '\r') {
                m_state = State::StartCr;
                ++i;
                break;
            }
            if (data[i] == '\n')
                return fail(Verdict::BadRequest);
            m_state = State::RequestLine;
            break;
        case State::StartCr:
            if (data[i++] != '\n')
                return fail(Verdict::BadRequest);
            m_state = State::Start;
            break;
        case State::ChunkDataEnd:
        case State::LastChunkEnd: {
            // Exactly CRLF, judged byte by byte: QtHttpServer takes the two bytes here as CRLF
            // without looking at them (and after the last chunk ends the request on any two),
            // so no trailer field and nothing else may come first.
            const bool first = m_line.isEmpty();
            if (data[i++] != (first ? '\r' : '\n'))
                return fail(Verdict::BadRequest);
            if (first) {
                m_line = "\r";
                break;
            }
            m_line.clear();
            if (m_state == State::ChunkDataEnd)
                m_state = State::ChunkSize;
            else
                requestDone();
            break;
        }
        default: {
            // A line-oriented state: collect up to the newline, within the caps.
            const char c = data[i++];
            if (m_state == State::RequestLine || m_state == State::Headers) {
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
            // CRLF only: QtHttpServer reads a bare LF one way in a head and another in a
            // chunked body (and waited for ever on some).
            if (!m_line.endsWith('\r'))
                return fail(Verdict::BadRequest);
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

RequestFramer::Verdict RequestFramer::feedSegment(const char *data, qsizetype size)
{
    if (m_state == State::LastChunkEnd && m_line == "\r" && size > 1)
        return fail(Verdict::BadRequest);
    return feed(data, size);
}

RequestFramer::Verdict RequestFramer::lineDone()
{
    switch (m_state) {
    case State::RequestLine:
        return requestLineDone();
    case State::Headers:
        return headerLineDone();
    case State::ChunkSize:
        return chunkSizeDone();
    default:
        return Verdict::BadRequest;
    }
}

RequestFramer::Verdict RequestFramer::chunkSizeDone()
{
    // 1*HEXDIG [ chunk-ext ]: no sign, no space, no "0x", at most 15 digits.
    const QByteArrayView line(m_line);
    qsizetype digits = 0;
    qint64 n = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        if (digits == 15) // checked before the digit is added: 16 would overflow qint64
            return Verdict::BadRequest;
        n = n * 16 + hexValue(line[digits]);
        ++digits;
    }
    if (digits == 0 || !isChunkExtensions(line.sliced(digits)))
        return Verdict::BadRequest;
    m_bodyBytes += n;
    if (m_bodyBytes > m_limits.maxBodyBytes)
        return Verdict::PayloadTooLarge;
    if (n == 0) {
        m_state = State::LastChunkEnd;
    } else {
        m_remaining = n;
        m_state = State::ChunkData;
    }
    return Verdict::Ok;
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
    m_method = method.toByteArray();
    if (!isKnownMethod(method))
        return Verdict::MethodNotAllowed;
    // origin-form, absolute-form (http or https, no userinfo; its authority must agree with
    // Host, see headersDone) or "OPTIONS *"; not authority-form (RFC 9112 3.2).
    if (!target.startsWith('/') && !(target == "*" && method == "OPTIONS")) {
        qsizetype schemeEnd = target.indexOf("://");
        const QByteArrayView scheme = schemeEnd < 0 ? QByteArrayView() : target.first(schemeEnd);
        if (!equalsIgnoringCase(scheme, "http") && !equalsIgnoringCase(scheme, "https"))
            return Verdict::BadRequest;
        const QByteArrayView rest = target.sliced(schemeEnd + 3);
        qsizetype end = 0;
        while (end < rest.size() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#')
            ++end;
        const QByteArrayView authority = rest.first(end);
        if (authority.isEmpty() || authority.contains('@'))
            return Verdict::BadRequest;
        m_authority = authority.toByteArray();
        m_absoluteForm = true;
    }
    m_state = State::Headers;
    return Verdict::Ok;
}

RequestFramer::Verdict RequestFramer::headerLineDone()
{
    if (m_line.isEmpty())
        return headersDone();
    // QtHttpServer would drop every field of this head (Content-Length too): refused.
    if (m_line.size() > kMaxFieldLineBytes || ++m_fields > kMaxFields)
        return Verdict::HeaderTooLarge;
    const QByteArrayView line(m_line);
    const qsizetype colon = line.indexOf(':');
    // No obs-fold, no space before the colon (RFC 9112 5.1, 5.2).
    if (colon <= 0 || !isToken(line.first(colon)))
        return Verdict::BadRequest;
    const QByteArrayView value = line.sliced(colon + 1).trimmed();
    for (char c : value)
        if (!isFieldValueChar(c))
            return Verdict::BadRequest;
    const QByteArrayView name = line.first(colon);
    if (equalsIgnoringCase(name, "content-length")) {
        // One field, one number: "5, 5" and a second field are refused, even when equal
        // (QtHttpServer reads neither as a length).
        if (m_contentLength)
            return Verdict::BadRequest;
        m_contentLength = parseLength(value);
        if (!m_contentLength)
            return Verdict::BadRequest;
    } else if (equalsIgnoringCase(name, "transfer-encoding")) {
        if (m_transferEncoding || !equalsIgnoringCase(value, "chunked"))
            return Verdict::BadRequest;
        m_transferEncoding = true;
    } else if (equalsIgnoringCase(name, "host")) {
        ++m_hostHeaders;
        m_host = value.toByteArray();
    } else if (equalsIgnoringCase(name, "connection")) {
        for (QByteArrayView option : QByteArray(value.toByteArray()).split(','))
            m_close = m_close || equalsIgnoringCase(option.trimmed(), "close");
    } else if (equalsIgnoringCase(name, "upgrade")) {
        // QtHttpServer (built with WebSockets) answers a WebSocket upgrade twice; we upgrade
        // nothing.
        if (QByteArray(value.toByteArray()).toLower().contains("websocket"))
            return Verdict::BadRequest;
    }
    return Verdict::Ok;
}

RequestFramer::Verdict RequestFramer::headersDone()
{
    // RFC 9112 6.1/6.3: TE with CL is a smuggling attempt; only "chunked" is understood; a
    // HTTP/1.1 request names exactly one Host (3.2).
    if (m_transferEncoding && (m_contentLength || m_http10))
        return Verdict::BadRequest;
    if (m_hostHeaders > 1 || (!m_http10 && m_hostHeaders == 0))
        return Verdict::BadRequest;
    // An absolute-form target and Host must name the same authority (QtHttpServer takes the
    // Host, RFC 9112 3.2.2 the target): any doubt about which one was meant is refused.
    if (m_absoluteForm && (m_hostHeaders == 0 || !equalsIgnoringCase(m_authority, m_host)))
        return Verdict::BadRequest;
    if (m_contentLength && *m_contentLength > m_limits.maxBodyBytes)
        return Verdict::PayloadTooLarge;
    // RFC 9112 9.3, 9.6: HTTP/1.0 closes after its answer (we keep no HTTP/1.0 connection alive),
    // and so does a request with the "close" option.
    if (m_close || m_http10)
        m_lastRequest = m_completed + 1;
    if (m_transferEncoding) {
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
