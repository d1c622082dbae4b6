#include "smtpmailer.h"

#include "mime.h"

#include <QList>
#include <QUrl>

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>

using namespace Qt::StringLiterals;

namespace sd::mail {

namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTotalTimeoutSeconds = 60;
constexpr qsizetype kMaxReplyLine = 512;
constexpr qsizetype kKeptReplyLines = 16;

// curl_global_init is not thread-safe; the outbox may start several senders at once.
CURLcode initCurlOnce()
{
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    return result;
}

struct EasyHandleDeleter
{
    void operator()(CURL *handle) const { curl_easy_cleanup(handle); }
};

struct StringListDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

struct Upload
{
    QByteArray bytes;
    qsizetype offset = 0;
};

size_t readUpload(char *buffer, size_t size, size_t count, void *userData)
{
    auto *upload = static_cast<Upload *>(userData);
    const size_t left = static_cast<size_t>(upload->bytes.size() - upload->offset);
    const size_t chunk = std::min(size * count, left);
    std::memcpy(buffer, upload->bytes.constData() + upload->offset, chunk);
    upload->offset += static_cast<qsizetype>(chunk);
    return chunk;
}

// The server's recent reply lines, for the console. Only CURLINFO_HEADER_IN (what the server
// sent) is read: our own AUTH lines are HEADER_OUT and never touched.
struct ServerReplies
{
    QByteArray pending;
    QList<QByteArray> lines; // the last few complete lines, oldest first

    // The reply that decided the outcome: after a failure libcurl still sends QUIT, so the
    // last line is often "221 Bye"; CURLINFO_RESPONSE_CODE tells which one counts.
    QByteArray lineFor(long code) const
    {
        const QByteArray prefix = QByteArray::number(code);
        for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
            if (it->startsWith(prefix) &&
                (it->size() == prefix.size() || it->at(prefix.size()) == ' ' ||
                 it->at(prefix.size()) == '-'))
                return *it;
        }
        return {};
    }
};

int collectReplies(CURL *, curl_infotype type, char *data, size_t size, void *userData)
{
    if (type != CURLINFO_HEADER_IN)
        return 0;
    auto *replies = static_cast<ServerReplies *>(userData);
    replies->pending.append(data, static_cast<qsizetype>(size));
    qsizetype newline = replies->pending.indexOf('\n');
    while (newline >= 0) {
        const QByteArray line = replies->pending.left(newline).trimmed();
        replies->pending.remove(0, newline + 1);
        if (!line.isEmpty())
            replies->lines.append(line.left(kMaxReplyLine));
        if (replies->lines.size() > kKeptReplyLines)
            replies->lines.removeFirst();
        newline = replies->pending.indexOf('\n');
    }
    if (replies->pending.size() > kMaxReplyLine) // a server that never ends its line
        replies->pending.truncate(kMaxReplyLine);
    return 0;
}

// "Name <a@b>" or "a@b" → "<a@b>", as MAIL FROM and RCPT TO want it.
QByteArray envelopeAddress(const QString &mailbox)
{
    const qsizetype open = mailbox.lastIndexOf(u'<');
    const qsizetype close = mailbox.lastIndexOf(u'>');
    const QString address = (open >= 0 && close > open)
                                ? mailbox.mid(open + 1, close - open - 1).trimmed()
                                : mailbox.trimmed();
    return '<' + address.toUtf8() + '>';
}

QString withoutUserInfo(const QString &url)
{
    const QUrl parsed(url);
    if (parsed.isValid() && !parsed.host().isEmpty())
        return parsed.toString(QUrl::RemoveUserInfo);
    // Unparseable: drop everything up to the last '@' rather than risk showing a password.
    const qsizetype at = url.lastIndexOf(u'@');
    if (at < 0)
        return url;
    const qsizetype schemeEnd = url.indexOf(u"://"_s);
    return (schemeEnd >= 0 && schemeEnd < at ? url.left(schemeEnd + 3) : QString()) +
           url.mid(at + 1);
}

// Belt and braces: no text we hand out may carry the password, whatever a server echoes.
QString redacted(QString text, const QUrl &url)
{
    for (const QString &secret :
         {url.password(QUrl::FullyDecoded), url.password(QUrl::FullyEncoded)}) {
        if (!secret.isEmpty())
            text.replace(secret, u"***"_s);
    }
    return text;
}

bool isLoopback(const QString &host)
{
    return host == u"localhost"_s || host == u"::1"_s || host.startsWith(u"127."_s);
}

// STARTTLS when the server offers it. A password, though, is never sent in clear text to
// another machine: a man in the middle could strip STARTTLS from the EHLO reply.
curl_usessl tlsPolicy(const QUrl &url)
{
    if (!url.password().isEmpty() && !isLoopback(url.host()))
        return CURLUSESSL_ALL;
    return CURLUSESSL_TRY;
}

} // namespace

SmtpMailer::SmtpMailer(QString url, QString caFile)
    : m_url(std::move(url)), m_caFile(std::move(caFile))
{
}

SendResult SmtpMailer::send(const Message &message)
{
    using Kind = SendResult::Kind;
    const QUrl url(m_url);
    if (initCurlOnce() != CURLE_OK)
        return {Kind::TemporaryFailure, u"libcurl could not be initialised"_s};
    if (!isHeaderSafe(message.from) || !isHeaderSafe(message.to))
        return {Kind::PermanentFailure, u"invalid sender or recipient address"_s};

    // Everything the handle points at is declared before it, so it outlives the handle: the
    // cleanup may still send QUIT and call the debug callback.
    const QByteArray urlBytes = m_url.toUtf8();
    const QByteArray caFile = m_caFile.toLocal8Bit();
    const QByteArray mailFrom = envelopeAddress(message.from);
    const QByteArray rcptTo = envelopeAddress(message.to);
    const std::unique_ptr<curl_slist, StringListDeleter> recipients(
        curl_slist_append(nullptr, rcptTo.constData()));
    Upload upload{renderMime(message)};
    ServerReplies replies;
    char errorText[CURL_ERROR_SIZE] = {};

    const std::unique_ptr<CURL, EasyHandleDeleter> handle(curl_easy_init());
    if (!handle || !recipients)
        return {Kind::TemporaryFailure, u"libcurl could not allocate a transfer"_s};
    CURL *const curl = handle.get();

    CURLcode setup = CURLE_OK;
    const auto set = [&](CURLoption option, auto value) {
        if (setup == CURLE_OK)
            setup = curl_easy_setopt(curl, option, value);
    };
    set(CURLOPT_URL, urlBytes.constData());
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(CURLOPT_USE_SSL, static_cast<long>(tlsPolicy(url)));
    if (!caFile.isEmpty())
        set(CURLOPT_CAINFO, caFile.constData());
    set(CURLOPT_MAIL_FROM, mailFrom.constData());
    set(CURLOPT_MAIL_RCPT, recipients.get());
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &readUpload);
    set(CURLOPT_READDATA, &upload);
    set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.bytes.size()));
    set(CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
    set(CURLOPT_TIMEOUT, kTotalTimeoutSeconds);
    set(CURLOPT_NOSIGNAL, 1L); // we run on worker threads: no SIGALRM for DNS timeouts
    set(CURLOPT_ERRORBUFFER, errorText);
    set(CURLOPT_DEBUGFUNCTION, &collectReplies); // replaces verbose output on stderr
    set(CURLOPT_DEBUGDATA, &replies);
    set(CURLOPT_VERBOSE, 1L);
    if (setup != CURLE_OK) {
        return {Kind::TemporaryFailure,
                u"libcurl setup failed: "_s + QString::fromUtf8(curl_easy_strerror(setup))};
    }

    const CURLcode result = curl_easy_perform(curl);
    long responseCode = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &responseCode);
    const QString serverReply = QString::fromUtf8(replies.lineFor(responseCode));

    if (result == CURLE_OK) {
        const QString reply = serverReply.isEmpty() ? QString::number(responseCode) : serverReply;
        return {Kind::Sent, redacted(reply, url)};
    }

    const QString error =
        QString::fromUtf8(errorText[0] != '\0' ? errorText : curl_easy_strerror(result));
    // A refusal is best told by the server's own words; anything else (no connection, TLS,
    // timeout) by libcurl's.
    const QString reply = responseCode >= 400 && !serverReply.isEmpty() ? serverReply : error;
    const Kind kind = (responseCode >= 500 && responseCode <= 599) ? Kind::PermanentFailure
                                                                   : Kind::TemporaryFailure;
    return {kind, redacted(reply, url)};
}

QString SmtpMailer::describe() const
{
    return withoutUserInfo(m_url);
}

} // namespace sd::mail
