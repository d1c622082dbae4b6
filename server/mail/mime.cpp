#include "mime.h"

#include <QList>
#include <QRandomGenerator>

#include <array>

using namespace Qt::StringLiterals;

namespace sd::mail {

namespace {

constexpr qsizetype kMaxEncodedWord = 75;      // RFC 2047 §2
constexpr qsizetype kMaxEncodedLine = 76;      // RFC 2047 §2: lines holding encoded-words
constexpr qsizetype kFoldColumn = 78;          // RFC 5322 §2.1.1 "SHOULD"
constexpr qsizetype kMaxQpLine = 76;           // RFC 2045 §6.7 (5)
constexpr qsizetype kMaxPlainWord = 60;        // longer words cannot be folded: encode instead
constexpr qsizetype kEncodedWordOverhead = 12; // "=?UTF-8?B?" + "?="

struct Mailbox
{
    QString name;
    QString address;
};

bool isLineBreakOrNul(QChar c)
{
    return c == u'\r' || c == u'\n' || c == u'\0';
}

// Callers should validate with isHeaderSafe(); this is the last line of defence against header
// injection, so a value can never start a header of its own.
QString stripLineBreaks(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        if (!isLineBreakOrNul(c))
            out.append(c);
    }
    return out;
}

Mailbox parseMailbox(const QString &value)
{
    const QString clean = stripLineBreaks(value);
    const qsizetype open = clean.lastIndexOf(u'<');
    const qsizetype close = clean.lastIndexOf(u'>');
    if (open < 0 || close < open)
        return {QString(), clean.trimmed()};

    QString name = clean.left(open).trimmed();
    if (name.size() >= 2 && name.startsWith(u'"') && name.endsWith(u'"')) {
        const QString quoted = name.mid(1, name.size() - 2);
        name.clear();
        for (qsizetype i = 0; i < quoted.size(); ++i) {
            if (quoted.at(i) == u'\\' && i + 1 < quoted.size())
                ++i;
            name.append(quoted.at(i));
        }
    }
    return {name, clean.mid(open + 1, close - open - 1).trimmed()};
}

bool isPlainPrintable(const QString &value)
{
    for (const QChar c : value) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e)
            return false;
    }
    return true;
}

// Plain text is kept as is when it is printable ASCII, cannot be mistaken for an encoded-word
// and can be folded at spaces; anything else goes out as RFC 2047 encoded-words.
bool needsEncodedWords(const QString &value)
{
    if (!isPlainPrintable(value) || value.contains(u"=?"_s))
        return true;
    const QStringList words = value.split(u' ', Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (word.size() > kMaxPlainWord)
            return true;
    }
    return false;
}

qsizetype lastLineLength(const QByteArray &text)
{
    const qsizetype crlf = text.lastIndexOf("\r\n");
    return crlf < 0 ? text.size() : text.size() - crlf - 2;
}

// Splits text into B-encoded UTF-8 words of whole characters (RFC 2047 §5: a character is never
// split across words). Words break after a space where possible, so that readers which wrongly
// keep the folding whitespace between encoded-words do not cut a word in two. The first word
// may have to be shorter, to fit after the header name.
QList<QByteArray> encodeWords(const QString &text, qsizetype firstWordMax)
{
    const auto payloadBytes = [](qsizetype wordMax) {
        return (wordMax - kEncodedWordOverhead) / 4 * 3;
    };
    QList<QByteArray> words;
    QByteArray chunk;
    qsizetype limit = payloadBytes(firstWordMax);
    const auto flush = [&] {
        words.append("=?UTF-8?B?" + chunk.toBase64() + "?=");
        chunk.clear();
        limit = payloadBytes(kMaxEncodedWord);
    };

    qsizetype start = 0;
    while (start < text.size()) {
        // A token is a run of non-spaces and the spaces after it.
        qsizetype end = start;
        while (end < text.size() && text.at(end) != u' ')
            ++end;
        while (end < text.size() && text.at(end) == u' ')
            ++end;
        const QStringView token = QStringView(text).mid(start, end - start);
        start = end;

        const QByteArray tokenBytes = token.toUtf8();
        if (!chunk.isEmpty() && chunk.size() + tokenBytes.size() > limit)
            flush();
        if (tokenBytes.size() <= limit) {
            chunk += tokenBytes;
            continue;
        }
        for (qsizetype i = 0; i < token.size();) { // too long for one word: split by character
            qsizetype units = 1;
            if (token.at(i).isHighSurrogate() && i + 1 < token.size() &&
                token.at(i + 1).isLowSurrogate())
                units = 2;
            const QByteArray character = token.mid(i, units).toUtf8();
            i += units;
            if (!chunk.isEmpty() && chunk.size() + character.size() > limit)
                flush();
            chunk += character;
        }
    }
    if (!chunk.isEmpty() || words.isEmpty())
        flush();
    return words;
}

// "Name: word1\r\n word2\r\n word3": every line stays within 76 characters.
QByteArray encodedHeader(const QByteArray &name, const QString &value)
{
    QByteArray out = name + ": ";
    // The first word must leave room for a 4-byte character; otherwise start on the next line.
    qsizetype firstMax = kMaxEncodedLine - out.size();
    if (firstMax < kEncodedWordOverhead + 8) {
        out = name + ":\r\n ";
        firstMax = kMaxEncodedWord;
    }
    const QList<QByteArray> words = encodeWords(value, firstMax);
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i > 0)
            out += "\r\n ";
        out += words.at(i);
    }
    return out;
}

// Folds a printable-ASCII header at spaces near column 78 (RFC 5322 §2.2.3); unfolding (removing
// the CRLFs) gives back the exact value.
QByteArray foldedHeader(const QByteArray &name, const QByteArray &value)
{
    QByteArray out = name + ':';
    const QByteArray text = ' ' + value;
    qsizetype lineLength = out.size();
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf(' ', start + 1);
        if (end < 0)
            end = text.size();
        const QByteArray segment = text.mid(start, end - start);
        const bool hasWord = !segment.trimmed().isEmpty();
        if (hasWord && lineLength > name.size() + 1 && lineLength + segment.size() > kFoldColumn) {
            out += "\r\n";
            lineLength = 0;
        }
        out += segment;
        lineLength += segment.size();
        start = end;
    }
    return out;
}

QByteArray subjectHeader(const QString &subject)
{
    const QString clean = stripLineBreaks(subject);
    if (needsEncodedWords(clean))
        return encodedHeader("Subject", clean);
    return foldedHeader("Subject", clean.toLatin1());
}

QByteArray quotedDisplayName(const QString &name)
{
    static const QString specials = u"()<>[]:;@\\,.\""_s;
    bool needsQuotes = false;
    for (const QChar c : name) {
        if (specials.contains(c))
            needsQuotes = true;
    }
    if (!needsQuotes)
        return name.toLatin1();
    QByteArray out = "\"";
    for (const QChar c : name) {
        if (c == u'\\' || c == u'"')
            out += '\\';
        out += char(c.unicode());
    }
    return out + '"';
}

QByteArray fromHeader(const QString &from)
{
    const Mailbox mailbox = parseMailbox(from);
    const QByteArray address = mailbox.address.toUtf8();
    if (mailbox.name.isEmpty())
        return foldedHeader("From", address);
    if (!needsEncodedWords(mailbox.name))
        return foldedHeader("From", quotedDisplayName(mailbox.name) + " <" + address + '>');

    // Only the display name is encoded; the addr-spec stays plain (RFC 2047 §5).
    QByteArray out = encodedHeader("From", mailbox.name);
    const QByteArray angleAddress = '<' + address + '>';
    if (lastLineLength(out) + 1 + angleAddress.size() > kMaxEncodedLine)
        out += "\r\n";
    return out + ' ' + angleAddress;
}

QByteArray messageIdHeader(const QString &messageId)
{
    QString id;
    for (const QChar c : messageId) {
        if (!isLineBreakOrNul(c) && !c.isSpace() && c != u'<' && c != u'>')
            id.append(c);
    }
    return "Message-ID: <" + id.toUtf8() + '>';
}

QByteArray dateHeader(const QDateTime &date)
{
    static constexpr std::array<const char *, 7> days = {"Mon", "Tue", "Wed", "Thu",
                                                         "Fri", "Sat", "Sun"};
    static constexpr std::array<const char *, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto twoDigits = [](int n) { return QByteArray::number(n).rightJustified(2, '0'); };

    // English names and digits on purpose: QLocale would translate them.
    const QDateTime utc = (date.isValid() ? date : QDateTime::currentDateTimeUtc()).toUTC();
    const QDate d = utc.date();
    const QTime t = utc.time();
    return "Date: " + QByteArray(days.at(d.dayOfWeek() - 1)) + ", " + twoDigits(d.day()) + ' ' +
           QByteArray(months.at(d.month() - 1)) + ' ' + QByteArray::number(d.year()) + ' ' +
           twoDigits(t.hour()) + ':' + twoDigits(t.minute()) + ':' + twoDigits(t.second()) +
           " +0000";
}

// "=_" cannot occur in quoted-printable output, so the boundary never collides with a body.
QByteArray randomBoundary()
{
    QByteArray boundary = "=_sd_";
    for (int i = 0; i < 2; ++i) {
        const quint64 bits = QRandomGenerator::system()->generate64();
        boundary += QByteArray::number(bits, 16).rightJustified(16, '0');
    }
    return boundary;
}

void appendQuotedPrintableLine(const QByteArray &line, QByteArray &out)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    qsizetype lineLength = 0;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const auto c = static_cast<uchar>(line.at(i));
        const bool isLast = i + 1 == line.size();
        const auto token = [&](bool atLineStart) {
            bool literal = (c >= 33 && c <= 126 && c != '=') ||
                           ((c == ' ' || c == '\t') && !isLast); // no trailing whitespace
            // A leading "." is SMTP's end marker and a leading "From " is mangled by mbox.
            if (atLineStart && (c == '.' || (c == 'F' && line.mid(i, 5) == "From ")))
                literal = false;
            if (literal)
                return QByteArray(1, char(c));
            const char escaped[] = {'=', hex[c >> 4], hex[c & 0xf]};
            return QByteArray(escaped, sizeof escaped);
        };

        QByteArray encoded = token(lineLength == 0);
        // Keep room for the soft break "=" unless this is the last token of the line.
        const qsizetype room = isLast ? kMaxQpLine : kMaxQpLine - 1;
        if (lineLength + encoded.size() > room) {
            out += "=\r\n";
            lineLength = 0;
            encoded = token(true);
        }
        out += encoded;
        lineLength += encoded.size();
    }
}

// RFC 2045 §6.7 over UTF-8; every line break of the input (LF, CRLF or CR) becomes CRLF.
QByteArray encodeQuotedPrintable(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + utf8.size() / 4);
    QByteArray line;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const char c = utf8.at(i);
        if (c != '\r' && c != '\n') {
            line += c;
            continue;
        }
        if (c == '\r' && i + 1 < utf8.size() && utf8.at(i + 1) == '\n')
            ++i;
        appendQuotedPrintableLine(line, out);
        out += "\r\n";
        line.clear();
    }
    appendQuotedPrintableLine(line, out);
    return out;
}

QByteArray bodyPart(const QByteArray &boundary, const QByteArray &mimeType, const QString &body)
{
    return "--" + boundary + "\r\nContent-Type: " + mimeType +
           "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
           encodeQuotedPrintable(body) + "\r\n";
}

} // namespace

QByteArray renderMime(const Message &message)
{
    const QByteArray boundary = randomBoundary();
    QByteArray out;
    out += dateHeader(message.date) + "\r\n";
    out += fromHeader(message.from) + "\r\n";
    out += foldedHeader("To", stripLineBreaks(message.to).trimmed().toUtf8()) + "\r\n";
    out += subjectHeader(message.subject) + "\r\n";
    out += messageIdHeader(message.messageId) + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
    out += "\r\n";
    out += bodyPart(boundary, "text/plain", message.textBody);
    out += bodyPart(boundary, "text/html", message.htmlBody);
    out += "--" + boundary + "--\r\n";
    return out;
}

bool isHeaderSafe(const QString &value)
{
    for (const QChar c : value) {
        if (isLineBreakOrNul(c))
            return false;
    }
    return true;
}

} // namespace sd::mail
