#pragma once

// What the page tests read from and send to the embedded pages: the strict CSP of API.md,
// form bodies, hidden fields and Set-Cookie values.

#include "httpclient.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QUrl>

namespace pageforms {

inline const QByteArray kCsp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

inline QString capture(const QString &text, const QString &pattern)
{
    return QRegularExpression(pattern).match(text).captured(1);
}

// application/x-www-form-urlencoded
inline QByteArray formBody(const QList<std::pair<QString, QString>> &fields)
{
    QByteArrayList parts;
    for (const auto &[k, v] : fields)
        parts << QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    return parts.join('&');
}

// The value of the first <input name="NAME" value="…"> of a page.
inline QString hiddenValue(const QByteArray &html, const QString &name)
{
    return capture(QString::fromUtf8(html),
                   QStringLiteral("name=\"%1\" value=\"([^\"]*)\"").arg(name));
}

inline QString setCookieValue(const HttpResult &r, const QString &name)
{
    return capture(QString::fromLatin1(r.headers.value("set-cookie")),
                   QStringLiteral("(?:^|, )%1=([^;]*)").arg(name));
}

} // namespace pageforms
