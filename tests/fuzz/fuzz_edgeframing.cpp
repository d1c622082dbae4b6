// The edge guard's request framing (RequestFramer, SEC-31) on arbitrary bytes. The first byte
// picks the caps (the shipped ones, or small ones so that every cap is reached), the second
// how the stream is cut into pieces; the rest is the stream of one connection. Checked:
//   - the verdict, the count of finished requests, the phase and the request-target are the
//     same whether the stream comes whole, a byte at a time or in arbitrary pieces, and a
//     failure sticks;
//   - a request is never counted before its last byte: at most one per two line feeds, and
//     one with Content-Length N only once N body bytes followed its head;
//   - judged against a plain reading of the first request's head: two different lengths, a
//     length that is not digits, Transfer-Encoding with Content-Length, anything but a single
//     "chunked", no Host or two, a request line or head over its cap, a declared body over
//     its cap, a bare LF, more than 100 fields or one over 8 KiB — none of these is ever
//     accepted; `Connection: close` or HTTP/1.0 makes it the connection's last request;
//   - a stream that ends between requests, sent twice, is twice as many requests (unless it
//     holds a last request: then the copy is ignored).

#include "requestframer.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

using sd::http::EdgeLimits;
using Framer = sd::http::RequestFramer;
using Verdict = Framer::Verdict;

namespace {

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "edge framing invariant broken: %s\n", what);
        std::abort();
    }
}

EdgeLimits limitsFor(uint8_t selector)
{
    EdgeLimits limits;
    if (selector & 0x80)
        return limits;
    const int n = selector & 0x7f;
    limits.maxRequestLineBytes = 8 + 2 * n;
    limits.maxHeaderBytes = 16 + 4 * n;
    limits.maxBodyBytes = 8 * n;
    return limits;
}

struct Outcome
{
    Verdict verdict;
    qint64 completed;
    Framer::Phase phase;
    QByteArray target;
    qint64 last;
    bool operator==(const Outcome &) const = default;
};

Outcome outcomeOf(const Framer &framer, Verdict verdict)
{
    return {verdict, framer.completedRequests(), framer.phase(), framer.target(),
            framer.lastRequest()};
}

Outcome whole(const EdgeLimits &limits, QByteArrayView s)
{
    Framer framer(limits);
    const Verdict v = framer.feed(s.data(), s.size());
    return outcomeOf(framer, v);
}

Outcome byteByByte(const EdgeLimits &limits, QByteArrayView s)
{
    Framer framer(limits);
    Verdict v = Verdict::Ok;
    qint64 completed = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const Verdict next = framer.feed(s.data() + i, 1);
        check(v == Verdict::Ok || next == v, "a failure did not stick");
        check(framer.completedRequests() >= completed, "the request count went down");
        v = next;
        completed = framer.completedRequests();
    }
    return outcomeOf(framer, v);
}

Outcome inPieces(const EdgeLimits &limits, QByteArrayView s, uint8_t seed)
{
    Framer framer(limits);
    Verdict v = framer.feed(s.data(), 0);
    quint32 x = 2'166'136'261u ^ seed;
    for (qsizetype at = 0; at < s.size();) {
        x = x * 1'103'515'245u + 12'345u;
        const qsizetype piece = qMin<qsizetype>(s.size() - at, qsizetype((x >> 16) % 97)); // 0 too
        v = framer.feed(s.data() + at, piece);
        at += piece;
    }
    return outcomeOf(framer, v);
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView lower)
{
    if (a.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const char c = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + ('a' - 'A')) : a[i];
        if (c != lower[i])
            return false;
    }
    return true;
}

std::optional<qint64> digits(QByteArrayView s)
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

// The first request's head as a plain reading sees it, without the framer's code.
struct Head
{
    qsizetype start = 0;       // the request line's first byte (blank lines before it skipped)
    qsizetype end = 0;         // just past the empty line that ends the head
    qsizetype requestLine = 0; // its bytes, line feed included
    bool http10 = false;
    int hosts = 0;
    int transferEncodings = 0;
    bool chunked = false;
    bool lengthNotDigits = false;
    std::optional<qint64> length;
    bool twoLengths = false; // two different ones
    bool bareLf = false;
    int fields = 0;
    qsizetype longestField = 0;
    bool close = false;
};

std::optional<Head> readHead(QByteArrayView s)
{
    Head h;
    while (h.start < s.size() && (s[h.start] == '\r' || s[h.start] == '\n'))
        ++h.start;
    for (qsizetype at = h.start;;) {
        const qsizetype lf = s.indexOf('\n', at);
        if (lf < 0)
            return std::nullopt; // not complete: not judged
        QByteArrayView line = s.sliced(at, lf - at);
        if (line.endsWith('\r'))
            line.chop(1);
        else
            h.bareLf = true;
        if (at == h.start) {
            h.requestLine = lf + 1 - at;
            h.http10 = line.endsWith(" HTTP/1.0");
        } else if (line.isEmpty()) {
            h.end = lf + 1;
            return h;
        } else if (const qsizetype colon = line.indexOf(':'); colon > 0 && ++h.fields > 0) {
            h.longestField = qMax(h.longestField, line.size());
            const QByteArrayView name = line.first(colon);
            const QByteArrayView value = line.sliced(colon + 1).trimmed();
            if (equalsIgnoringCase(name, "content-length")) {
                QByteArrayView rest = value;
                for (bool last = false; !last;) {
                    const qsizetype comma = rest.indexOf(',');
                    last = comma < 0;
                    const auto n = digits((last ? rest : rest.first(comma)).trimmed());
                    if (!last)
                        rest = rest.sliced(comma + 1);
                    if (!n)
                        h.lengthNotDigits = true;
                    else if (h.length && *h.length != *n)
                        h.twoLengths = true;
                    else
                        h.length = n;
                }
            } else if (equalsIgnoringCase(name, "transfer-encoding")) {
                ++h.transferEncodings;
                h.chunked = equalsIgnoringCase(value, "chunked");
            } else if (equalsIgnoringCase(name, "host")) {
                ++h.hosts;
            } else if (equalsIgnoringCase(name, "connection")) {
                for (QByteArrayView rest = value;;) {
                    const qsizetype comma = rest.indexOf(',');
                    h.close = h.close ||
                              equalsIgnoringCase((comma < 0 ? rest : rest.first(comma)).trimmed(),
                                                 "close");
                    if (comma < 0)
                        break;
                    rest = rest.sliced(comma + 1);
                }
            }
        }
        at = lf + 1;
    }
}

void judgeFirstRequest(const EdgeLimits &limits, QByteArrayView s, const Outcome &all)
{
    const std::optional<Head> h = readHead(s);
    if (!h)
        return;
    const bool te = h->transferEncodings > 0;
    const bool mustRefuse =
        h->requestLine > limits.maxRequestLineBytes || h->end - h->start > limits.maxHeaderBytes ||
        h->lengthNotDigits || h->twoLengths || h->transferEncodings > 1 ||
        (te && (h->length || !h->chunked || h->http10)) || h->hosts > 1 ||
        (h->hosts == 0 && !h->http10) || (h->length && *h->length > limits.maxBodyBytes) ||
        h->bareLf || h->fields > Framer::kMaxFields || h->longestField > Framer::kMaxFieldLineBytes;

    Framer framer(limits);
    const Verdict headVerdict = framer.feed(s.data(), h->end);
    if (headVerdict != Verdict::Ok) {
        check(all.verdict == headVerdict && all.completed == 0, "the head's refusal did not stick");
        return;
    }
    check(!mustRefuse, "accepted a head that must be refused");
    check(
        framer.lastRequest() == (h->http10 || h->close ? 1 : 0),
        "a head with Connection: close or HTTP/1.0 did not end the connection, or one without did");
    if (te) {
        check(framer.phase() == Framer::Phase::Body && framer.completedRequests() == 0,
              "a chunked request finished with its head");
        return;
    }
    const qint64 length = h->length.value_or(0);
    if (length == 0)
        check(framer.phase() == Framer::Phase::BetweenRequests && framer.completedRequests() == 1,
              "a request without a body did not finish with its head");
    else
        check(framer.phase() == Framer::Phase::Body && framer.completedRequests() == 0,
              "a request with a body finished with its head");
    check((all.completed >= 1) == (s.size() - h->end >= length),
          "a request finished before its last body byte, or not after it");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const EdgeLimits limits = limitsFor(data[0]);
    const uint8_t seed = data[1];
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 2, qsizetype(size - 2));

    const Outcome all = whole(limits, stream);
    check(byteByByte(limits, stream) == all, "a byte at a time differs from the whole stream");
    check(inPieces(limits, stream, seed) == all, "in pieces differs from the whole stream");
    check(all.completed <= stream.count('\n') / 2, "more requests than the bytes can hold");
    if (all.verdict == Verdict::Ok && all.phase == Framer::Phase::BetweenRequests &&
        all.last == 0) {
        const QByteArray twice = stream.toByteArray().repeated(2);
        const Outcome again = whole(limits, twice);
        check(again.verdict == Verdict::Ok && again.completed == 2 * all.completed,
              "the same stream twice is not twice the requests");
    }
    judgeFirstRequest(limits, stream, all);
    return 0;
}
