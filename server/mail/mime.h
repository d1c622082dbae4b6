#pragma once

#include "message.h"

#include <QByteArray>

namespace sd::mail {

// Renders a message as RFC 5322 bytes with CRLF line ends: From, To, Subject (RFC 2047 when
// not ASCII), Date, Message-ID, MIME-Version and a multipart/alternative body with a text/plain
// and a text/html part, both UTF-8 and quoted-printable. Header values never carry CR or LF.
QByteArray renderMime(const Message &message);

// True when the value may go into a header (no CR, LF or NUL).
bool isHeaderSafe(const QString &value);

} // namespace sd::mail
