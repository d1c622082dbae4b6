#pragma once

#include <QDateTime>
#include <QString>

namespace sd::mail {

// A finished email, as the outbox stores it and a transport sends it.
// The Message-ID is fixed when the message is queued, so it stays the same across retries.
struct Message
{
    QString messageId; // without angle brackets, e.g. "msg_abc@signupdesk"
    QString from;      // "Name <addr@host>" or "addr@host"
    QString to;        // a bare addr-spec
    QString subject;   // may be non-ASCII; encoded per RFC 2047 when rendered
    QString textBody;  // text/plain part
    QString htmlBody;  // text/html part
    QDateTime date;    // UTC
    // The text part with every secret masked (links holding a token, codes): what the console
    // may show, before and after sending (the bodies are redacted once sent). Empty: none.
    QString previewText;
};

} // namespace sd::mail
