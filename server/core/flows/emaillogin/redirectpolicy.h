#pragma once

#include <QString>
#include <QStringList>

namespace sd::core {

// Where a login may send the browser (SEC-22): `nextPage` unchanged if it is a path starting
// with a single '/' (not "//", not "/\"), or an absolute http(s) URL without user info whose
// host is exactly one of `allowedHosts` (case-insensitive); "/" for anything else. Any control
// character, backslash, space or non-ASCII character, raw or percent-encoded, also gives "/",
// so the result can never carry CR/LF into a Location header. Pure: no I/O, no state.
QString resolveRedirect(const QString &nextPage, const QStringList &allowedHosts);

} // namespace sd::core
