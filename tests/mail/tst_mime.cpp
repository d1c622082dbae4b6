#include "mime.h"

#include <QLocale>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTest>

#include <expected>

using namespace Qt::StringLiterals;
using sd::mail::Message;
using sd::mail::renderMime;

namespace {

// A small, strict reader for what renderMime writes: enough to check it independently.
struct Header
{
    QByteArray name;
    QByteArray value; // unfolded (CRLF before WSP removed), leading whitespace trimmed
    QList<QByteArray> lines;
};

struct Entity
{
    QList<Header> headers;
    QByteArray body;

    QList<Header> all(const QByteArray &name) const
    {
        QList<Header> found;
        for (const Header &header : headers) {
            if (header.name.compare(name, Qt::CaseInsensitive) == 0)
                found << header;
        }
        return found;
    }
    QByteArray value(const QByteArray &name) const
    {
        const QList<Header> found = all(name);
        return found.size() == 1 ? found.first().value : QByteArray();
    }
    QList<QByteArray> names() const
    {
        QList<QByteArray> result;
        for (const Header &header : headers)
            result << header.name;
        return result;
    }
};

std::expected<Entity, QString> parseEntity(const QByteArray &raw)
{
    const qsizetype end = raw.indexOf("\r\n\r\n");
    if (end < 0)
        return std::unexpected(u"no empty line after the headers"_s);
    Entity entity;
    entity.body = raw.mid(end + 4);
    const QList<QByteArray> lines = raw.left(end).split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QByteArray line = lines.at(n);
        if (n + 1 < lines.size()) {
            if (!line.endsWith('\r'))
                return std::unexpected(u"bare LF in the headers"_s);
            line.chop(1);
        }
        if (line.contains('\r'))
            return std::unexpected(u"bare CR in the headers"_s);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            if (entity.headers.isEmpty())
                return std::unexpected(u"continuation line before any header"_s);
            if (line.trimmed().isEmpty())
                return std::unexpected(u"whitespace-only continuation line"_s);
            entity.headers.last().value += line;
            entity.headers.last().lines << line;
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return std::unexpected(u"not a header line: "_s + QString::fromUtf8(line));
        entity.headers << Header{line.left(colon), line.mid(colon + 1), {line}};
    }
    for (Header &header : entity.headers) {
        qsizetype i = 0;
        while (i < header.value.size() && (header.value.at(i) == ' ' || header.value.at(i) == '\t'))
            ++i;
        header.value.remove(0, i);
    }
    return entity;
}

// RFC 2045 §6.7, strictly: rejects anything renderMime must not write.
std::expected<QByteArray, QString> decodeQuotedPrintable(const QByteArray &encoded)
{
    static const QByteArray hexDigits = "0123456789ABCDEF";
    QByteArray out;
    const QList<QByteArray> lines = encoded.split('\n');
    for (qsizetype n = 0; n < lines.size(); ++n) {
        QByteArray line = lines.at(n);
        const bool isLastLine = n + 1 == lines.size();
        if (!isLastLine) {
            if (!line.endsWith('\r'))
                return std::unexpected(u"bare LF"_s);
            line.chop(1);
        }
        if (line.size() > 76)
            return std::unexpected(u"line longer than 76: "_s + QString::fromLatin1(line));
        if (line.endsWith(' ') || line.endsWith('\t'))
            return std::unexpected(u"trailing whitespace: "_s + QString::fromLatin1(line));
        bool soft = false;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const char c = line.at(i);
            if (c == '=') {
                if (i + 1 == line.size()) {
                    soft = true;
                    break;
                }
                if (i + 2 >= line.size() || !hexDigits.contains(line.at(i + 1)) ||
                    !hexDigits.contains(line.at(i + 2)))
                    return std::unexpected(u"bad escape in: "_s + QString::fromLatin1(line));
                out += char(hexDigits.indexOf(line.at(i + 1)) * 16 +
                            hexDigits.indexOf(line.at(i + 2)));
                i += 2;
            } else if ((c >= 33 && c <= 126) || c == ' ' || c == '\t') {
                out += c;
            } else {
                return std::unexpected(u"unencoded byte "_s + QString::number(uchar(c)));
            }
        }
        if (!soft && !isLastLine)
            out += "\r\n";
    }
    return out;
}

struct EncodedWordStats
{
    QString text;
    int words = 0;
};

// RFC 2047: decodes B (and Q) encoded-words, drops whitespace between adjacent ones and checks
// that each one is at most 75 characters and holds whole UTF-8 characters.
std::expected<EncodedWordStats, QString> decodeEncodedWords(const QByteArray &value)
{
    static const QRegularExpression word(u"=\\?([^?\\s]+)\\?([BbQq])\\?([^?\\s]*)\\?="_s);
    EncodedWordStats result;
    const QString text = QString::fromLatin1(value);
    qsizetype position = 0;
    bool previousWasWord = false;
    QRegularExpressionMatchIterator it = word.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        const QString between = text.mid(position, match.capturedStart() - position);
        if (!(previousWasWord && between.trimmed().isEmpty()))
            result.text += between;
        if (match.capturedLength() > 75)
            return std::unexpected(u"encoded-word longer than 75: "_s + match.captured());
        if (match.captured(1).compare(u"utf-8"_s, Qt::CaseInsensitive) != 0)
            return std::unexpected(u"charset is not UTF-8: "_s + match.captured(1));
        QByteArray bytes;
        if (match.captured(2).compare(u"b"_s, Qt::CaseInsensitive) == 0) {
            const auto decoded = QByteArray::fromBase64Encoding(
                match.captured(3).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return std::unexpected(u"bad base64: "_s + match.captured(3));
            bytes = *decoded;
        } else {
            QByteArray q = match.captured(3).toLatin1();
            q.replace('_', ' ');
            const auto decoded = decodeQuotedPrintable(q);
            if (!decoded)
                return std::unexpected(decoded.error());
            bytes = *decoded;
        }
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decoded = utf8.decode(bytes);
        if (utf8.hasError())
            return std::unexpected(u"encoded-word splits a character: "_s + match.captured());
        result.text += decoded;
        ++result.words;
        position = match.capturedEnd();
        previousWasWord = true;
    }
    result.text += text.mid(position);
    return result;
}

struct Part
{
    Entity entity;
    QByteArray decodedBody;
};

std::expected<QList<Part>, QString> parseAlternative(const Entity &message)
{
    static const QRegularExpression boundaryParameter(
        u"^multipart/alternative;\\s*boundary=\"([^\"]+)\"$"_s);
    const QRegularExpressionMatch match =
        boundaryParameter.match(QString::fromLatin1(message.value("Content-Type")));
    if (!match.hasMatch())
        return std::unexpected(u"bad Content-Type: "_s +
                               QString::fromLatin1(message.value("Content-Type")));
    const QByteArray delimiter = "--" + match.captured(1).toLatin1();
    QByteArray body = message.body;
    if (!body.startsWith(QByteArray(delimiter + "\r\n")))
        return std::unexpected(u"body does not start with the boundary"_s);
    if (!body.endsWith(QByteArray("\r\n" + delimiter + "--\r\n")))
        return std::unexpected(u"body does not end with the closing boundary"_s);
    body.chop(delimiter.size() + 6);
    QList<Part> parts;
    qsizetype start = delimiter.size() + 2;
    while (true) {
        const qsizetype next = body.indexOf(QByteArray("\r\n" + delimiter + "\r\n"), start);
        const QByteArray raw = body.mid(start, next < 0 ? -1 : next - start);
        auto entity = parseEntity(raw);
        if (!entity)
            return std::unexpected(entity.error());
        auto decoded = decodeQuotedPrintable(entity->body);
        if (!decoded)
            return std::unexpected(decoded.error());
        parts << Part{*entity, *decoded};
        if (next < 0)
            break;
        start = next + delimiter.size() + 4;
    }
    return parts;
}

QByteArray withCrlf(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    bytes.replace("\r\n", "\n");
    bytes.replace('\r', '\n');
    bytes.replace("\n", "\r\n");
    return bytes;
}

Message sampleMessage()
{
    Message message;
    message.messageId = u"msg_abc123@signupdesk"_s;
    message.from = u"SignupDesk <noreply@example.org>"_s;
    message.to = u"alice@example.com"_s;
    message.subject = u"Confirm your email"_s;
    message.textBody = u"Hello Alice,\n\nconfirm here: https://desk.example.org/confirm?t=abc\n"_s;
    message.htmlBody =
        u"<p>Hello Alice,</p>\n<p><a href=\"https://desk.example.org/confirm?t=abc\">confirm</a></p>\n"_s;
    message.date = QDateTime(QDate(2026, 11, 22), QTime(10, 0), Qt::UTC);
    return message;
}

} // namespace

class TestMime : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void headers();
    void crlfEverywhere_data();
    void crlfEverywhere();
    void date_data();
    void date();
    void bothParts();
    void quotedPrintableRoundTrip_data();
    void quotedPrintableRoundTrip();
    void quotedPrintableEncoding_data();
    void quotedPrintableEncoding();
    void subject_data();
    void subject();
    void from_data();
    void from();
    void headerInjection_data();
    void headerInjection();
    void isHeaderSafe_data();
    void isHeaderSafe();
    void boundaryIsRandom();
};

void TestMime::initTestCase()
{
    // Day and month names must stay English whatever the locale.
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
}

void TestMime::cleanupTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestMime::headers()
{
    const auto parsed = parseEntity(renderMime(sampleMessage()));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const QList<QByteArray> expected = {"Date",       "From",         "To",          "Subject",
                                        "Message-ID", "MIME-Version", "Content-Type"};
    QCOMPARE(parsed->names(), expected);
    QCOMPARE(parsed->value("Date"), "Sun, 22 Nov 2026 10:00:00 +0000");
    QCOMPARE(parsed->value("From"), "SignupDesk <noreply@example.org>");
    QCOMPARE(parsed->value("To"), "alice@example.com");
    QCOMPARE(parsed->value("Subject"), "Confirm your email");
    QCOMPARE(parsed->value("Message-ID"), "<msg_abc123@signupdesk>");
    QCOMPARE(parsed->value("MIME-Version"), "1.0");
    QVERIFY(parsed->value("Content-Type").startsWith("multipart/alternative;"));
}

void TestMime::crlfEverywhere_data()
{
    QTest::addColumn<QString>("body");
    QTest::newRow("LF") << u"one\ntwo\n\nthree\n"_s;
    QTest::newRow("CRLF") << u"one\r\ntwo\r\n\r\nthree\r\n"_s;
    QTest::newRow("CR") << u"one\rtwo\r\rthree\r"_s;
    QTest::newRow("mixed") << u"one\r\ntwo\nthree\rfour"_s;
    QTest::newRow("long line") << QString(300, u'x');
}

void TestMime::crlfEverywhere()
{
    QFETCH(QString, body);
    Message message = sampleMessage();
    message.textBody = body;
    message.htmlBody = body;
    message.subject = u"Bestätigen Sie Ihre E-Mail — ça marche, "_s.repeated(4);
    const QByteArray raw = renderMime(message);

    QVERIFY(raw.endsWith("\r\n"));
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw.at(i) == '\n')
            QVERIFY2(i > 0 && raw.at(i - 1) == '\r',
                     qPrintable(u"bare LF at "_s + QString::number(i)));
        if (raw.at(i) == '\r')
            QVERIFY2(i + 1 < raw.size() && raw.at(i + 1) == '\n',
                     qPrintable(u"bare CR at "_s + QString::number(i)));
    }
    for (const QByteArray &line : raw.split('\n'))
        QVERIFY2(line.size() <= 78 + 1, line.constData()); // + the CR
}

void TestMime::date_data()
{
    QTest::addColumn<QDateTime>("date");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("utc") << QDateTime(QDate(2026, 11, 22), QTime(10, 0), Qt::UTC)
                         << QByteArray("Sun, 22 Nov 2026 10:00:00 +0000");
    QTest::newRow("single-digit day") << QDateTime(QDate(2026, 3, 2), QTime(7, 5, 9), Qt::UTC)
                                      << QByteArray("Mon, 02 Mar 2026 07:05:09 +0000");
    QTest::newRow("leap day") << QDateTime(QDate(2028, 2, 29), QTime(23, 59, 59), Qt::UTC)
                              << QByteArray("Tue, 29 Feb 2028 23:59:59 +0000");
    QTest::newRow("offset converted to UTC")
        << QDateTime(QDate(2027, 1, 1), QTime(1, 30), Qt::OffsetFromUTC, 2 * 3600)
        << QByteArray("Thu, 31 Dec 2026 23:30:00 +0000");
    QTest::newRow("every weekday name: Wed") << QDateTime(QDate(2026, 7, 15), QTime(12, 0), Qt::UTC)
                                             << QByteArray("Wed, 15 Jul 2026 12:00:00 +0000");
    QTest::newRow("Sat, May") << QDateTime(QDate(2026, 5, 16), QTime(0, 0), Qt::UTC)
                              << QByteArray("Sat, 16 May 2026 00:00:00 +0000");
}

void TestMime::date()
{
    QFETCH(QDateTime, date);
    QFETCH(QByteArray, expected);
    Message message = sampleMessage();
    message.date = date;
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->value("Date"), expected);
}

void TestMime::bothParts()
{
    const Message message = sampleMessage();
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const auto parts = parseAlternative(*parsed);
    QVERIFY2(parts, qPrintable(parts ? QString() : parts.error()));
    QCOMPARE(parts->size(), 2);
    QCOMPARE(parts->at(0).entity.value("Content-Type"), "text/plain; charset=utf-8");
    QCOMPARE(parts->at(1).entity.value("Content-Type"), "text/html; charset=utf-8");
    for (const Part &part : *parts) {
        QCOMPARE(part.entity.names(),
                 (QList<QByteArray>{"Content-Type", "Content-Transfer-Encoding"}));
        QCOMPARE(part.entity.value("Content-Transfer-Encoding"), "quoted-printable");
    }
    QCOMPARE(parts->at(0).decodedBody, withCrlf(message.textBody));
    QCOMPARE(parts->at(1).decodedBody, withCrlf(message.htmlBody));
}

void TestMime::quotedPrintableRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("ascii") << u"Hello, world."_s;
    QTest::newRow("umlauts") << u"Grüße aus Köln, Straße, ça marche — voilà"_s;
    QTest::newRow("emoji (4-byte UTF-8)") << u"ok 👍🏽 done 🎉"_s;
    QTest::newRow("equals signs") << u"a=b == c =3D d="_s;
    QTest::newRow("trailing spaces") << u"line with spaces   \nand tab\t\nend "_s;
    QTest::newRow("leading dot") << u".\n..hidden\n. x"_s;
    QTest::newRow("From line") << u"From here\nFrom"_s;
    QTest::newRow("empty lines") << u"\n\n\n"_s;
    QTest::newRow("trailing newline") << u"last line\n"_s;
    QTest::newRow("75 chars") << QString(75, u'a');
    QTest::newRow("76 chars") << QString(76, u'a');
    QTest::newRow("77 chars") << QString(77, u'a');
    QTest::newRow("long word") << QString(500, u'b');
    QTest::newRow("long non-ascii") << u"é"_s.repeated(200);
    QTest::newRow("escape at the fold") << QString(74, u'a') + u"=é=é"_s;
    QTest::newRow("space at the fold") << QString(74, u'a') + u"  b"_s + QString(80, u' ');
    QTest::newRow("long url") << u"https://desk.example.org/confirm?token="_s + QString(120, u'Z');
    QTest::newRow("html") << u"<a href=\"https://x.example/?a=1&b=2\">Bestätigen</a>\r\n"_s;
    QTest::newRow("control bytes") << u"nul\u0001bell\u0007"_s;
}

void TestMime::quotedPrintableRoundTrip()
{
    QFETCH(QString, text);
    Message message = sampleMessage();
    message.textBody = text;
    message.htmlBody = u"<pre>"_s + text + u"</pre>"_s;
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const auto parts = parseAlternative(*parsed);
    QVERIFY2(parts,
             qPrintable(parts ? QString()
                              : parts.error())); // also checks line length and trailing space
    QCOMPARE(parts->size(), 2);
    QCOMPARE(parts->at(0).decodedBody, withCrlf(message.textBody));
    QCOMPARE(parts->at(1).decodedBody, withCrlf(message.htmlBody));
    for (const QByteArray &line : parts->at(0).entity.body.split('\n')) {
        QVERIFY2(!line.startsWith('.'), line.constData());
        QVERIFY2(!line.startsWith("From "), line.constData());
    }
}

void TestMime::quotedPrintableEncoding_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("plain") << u"Hello"_s << QByteArray("Hello");
    QTest::newRow("equals") << u"a=b"_s << QByteArray("a=3Db");
    QTest::newRow("utf-8") << u"é"_s << QByteArray("=C3=A9");
    QTest::newRow("trailing space") << u"x \ny\t"_s << QByteArray("x=20\r\ny=09");
    QTest::newRow("inner space stays") << u"a b"_s << QByteArray("a b");
    QTest::newRow("leading dot") << u".x"_s << QByteArray("=2Ex");
    QTest::newRow("76 chars fit") << QString(76, u'a') << QByteArray(76, 'a');
    QTest::newRow("77 chars fold") << QString(77, u'a') << QByteArray(75, 'a') + "=\r\naa";
    QTest::newRow("escape not split")
        << QString(74, u'a') + u"é"_s << QByteArray(74, 'a') + "=\r\n=C3=A9";
}

void TestMime::quotedPrintableEncoding()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, encoded);
    Message message = sampleMessage();
    message.textBody = text;
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const auto parts = parseAlternative(*parsed);
    QVERIFY2(parts, qPrintable(parts ? QString() : parts.error()));
    QCOMPARE(parts->at(0).entity.body, encoded);
}

void TestMime::subject_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<bool>("plain");
    QTest::newRow("ascii") << u"Confirm your email"_s << true;
    QTest::newRow("de/fr") << u"Bestätigen Sie Ihre E-Mail — ça marche"_s << false;
    QTest::newRow("long non-ascii")
        << u"Bestätigen Sie Ihre E-Mail — ça marche. "_s.repeated(6) << false;
    QTest::newRow("emoji run") << u"🎉"_s.repeated(40) << false;
    QTest::newRow("cjk") << u"メールアドレスを確認してください。ありがとうございます。"_s << false;
    QTest::newRow("long ascii folds")
        << u"Please confirm the email address you gave us "_s.repeated(4) << true;
    QTest::newRow("looks encoded") << u"=?UTF-8?B?SGk=?="_s << false;
    QTest::newRow("overlong ascii word") << QString(120, u'w') << false;
    QTest::newRow("empty") << QString() << true;
}

void TestMime::subject()
{
    QFETCH(QString, subject);
    QFETCH(bool, plain);
    Message message = sampleMessage();
    message.subject = subject;
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const QList<Header> headers = parsed->all("Subject");
    QCOMPARE(headers.size(), 1);
    const Header header = headers.first();

    const auto decoded = decodeEncodedWords(header.value);
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
    QCOMPARE(decoded->text, subject);
    QCOMPARE(decoded->words == 0, plain);
    for (const QByteArray &line : header.lines) {
        QVERIFY2(line.size() <= (plain ? 78 : 76), line.constData());
        for (const char c : line)
            QVERIFY2(c >= 0x20 && c < 0x7f, line.constData());
    }
    if (plain)
        QCOMPARE(header.value, subject.toLatin1());
}

void TestMime::from_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("displayName");
    QTest::addColumn<QByteArray>("address");
    QTest::newRow("bare") << u"noreply@example.org"_s << QString()
                          << QByteArray("noreply@example.org");
    QTest::newRow("ascii name") << u"SignupDesk <noreply@example.org>"_s << u"SignupDesk"_s
                                << QByteArray("noreply@example.org");
    QTest::newRow("name with specials")
        << u"Desk, Inc. <a@example.org>"_s << u"Desk, Inc."_s << QByteArray("a@example.org");
    QTest::newRow("quoted name") << u"\"Desk \\\"Two\\\"\" <a@example.org>"_s << u"Desk \"Two\""_s
                                 << QByteArray("a@example.org");
    QTest::newRow("non-ascii name") << u"Café Équipe <noreply@example.org>"_s << u"Café Équipe"_s
                                    << QByteArray("noreply@example.org");
    QTest::newRow("long non-ascii name")
        << u"Anmeldestelle der Städtischen Bücherei Köln-Mülheim <anmeldung@buecherei.example>"_s
        << u"Anmeldestelle der Städtischen Bücherei Köln-Mülheim"_s
        << QByteArray("anmeldung@buecherei.example");
}

void TestMime::from()
{
    QFETCH(QString, from);
    QFETCH(QString, displayName);
    QFETCH(QByteArray, address);
    Message message = sampleMessage();
    message.from = from;
    const auto parsed = parseEntity(renderMime(message));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const QList<Header> headers = parsed->all("From");
    QCOMPARE(headers.size(), 1);
    const QByteArray value = headers.first().value;
    for (const QByteArray &line : headers.first().lines)
        QVERIFY2(line.size() <= 78, line.constData());
    if (displayName.isEmpty()) {
        QCOMPARE(value, address);
        return;
    }
    // The addr-spec is never encoded: it ends the header as plain "<addr>".
    const QByteArray angleAddress = '<' + address + '>';
    QVERIFY2(value.endsWith(QByteArray(' ' + angleAddress)), value.constData());
    const QByteArray phrase = value.chopped(angleAddress.size() + 1).trimmed();
    const auto decoded = decodeEncodedWords(phrase);
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
    QString name = decoded->text;
    if (decoded->words == 0 && name.startsWith(u'"')) {
        QVERIFY(name.endsWith(u'"'));
        name = name.mid(1, name.size() - 2).replace(u"\\\""_s, u"\""_s);
    }
    QCOMPARE(name, displayName);
}

void TestMime::headerInjection_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    const QStringList attacks = {u"x\r\nBcc: x@y"_s, u"x\nBcc: x@y"_s, u"x\rBcc: x@y"_s,
                                 u"x\r\n\r\nBcc: x@y"_s, u"x\r\n Bcc: x@y"_s};
    for (const QString &field :
         {u"subject"_s, u"to"_s, u"from"_s, u"fromName"_s, u"messageId"_s, u"nonAsciiSubject"_s}) {
        for (qsizetype i = 0; i < attacks.size(); ++i) {
            QTest::addRow("%s #%lld", qPrintable(field), static_cast<long long>(i))
                << field << attacks.at(i);
        }
    }
}

void TestMime::headerInjection()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    Message message = sampleMessage();
    if (field == u"subject")
        message.subject = value;
    else if (field == u"nonAsciiSubject")
        message.subject = u"Grüße "_s + value;
    else if (field == u"to")
        message.to = value;
    else if (field == u"from")
        message.from = u"Desk <"_s + value + u">"_s;
    else if (field == u"fromName")
        message.from = value + u" <a@example.org>"_s;
    else
        message.messageId = value;

    const QByteArray raw = renderMime(message);
    const auto parsed = parseEntity(raw);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    const QList<QByteArray> expected = {"Date",       "From",         "To",          "Subject",
                                        "Message-ID", "MIME-Version", "Content-Type"};
    QCOMPARE(parsed->names(), expected);
    QVERIFY(!raw.contains("\nBcc:"));
    // And nothing spilled into the body: the first body line is the boundary.
    QVERIFY(parsed->body.startsWith("--"));
}

void TestMime::isHeaderSafe_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("safe");
    QTest::newRow("plain") << u"Confirm your email"_s << true;
    QTest::newRow("unicode") << u"Bestätigen — ça marche 🎉"_s << true;
    QTest::newRow("tab") << u"a\tb"_s << true;
    QTest::newRow("empty") << QString() << true;
    QTest::newRow("CRLF") << u"a\r\nBcc: x@y"_s << false;
    QTest::newRow("LF") << u"a\nb"_s << false;
    QTest::newRow("CR") << u"a\rb"_s << false;
    QTest::newRow("NUL") << QStringView(u"a\0b", 3).toString() << false;
}

void TestMime::isHeaderSafe()
{
    QFETCH(QString, value);
    QFETCH(bool, safe);
    QCOMPARE(sd::mail::isHeaderSafe(value), safe);
}

void TestMime::boundaryIsRandom()
{
    const auto boundaryOf = [](const QByteArray &raw) {
        const auto parsed = parseEntity(raw);
        return parsed ? parsed->value("Content-Type") : QByteArray();
    };
    const Message message = sampleMessage();
    const QByteArray first = boundaryOf(renderMime(message));
    const QByteArray second = boundaryOf(renderMime(message));
    QVERIFY(first.contains("boundary=\""));
    QVERIFY(first != second);
}

QTEST_GUILESS_MAIN(TestMime)
#include "tst_mime.moc"
