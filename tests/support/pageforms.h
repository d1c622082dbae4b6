#pragma once

#include "httpclient.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QUrl>

#include <utility>

// What the page tests read and send like a browser: form bodies, hidden fields, cookies.
namespace pageforms {

using Fields = QList<std::pair<QString, QString>>;

// The strict policy every page sends (API.md "Details that settle edge cases").
inline const QByteArray kCsp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

inline QString capture(const QString &text, const QString &pattern)
{
    return QRegularExpression(pattern).match(text).captured(1);
}

// application/x-www-form-urlencoded.
inline QByteArray formBody(const Fields &fields)
{
    QByteArrayList parts;
    for (const auto &[k, v] : fields)
        parts << QUrl::toPercentEncoding(k) + '=' + QUrl::toPercentEncoding(v);
    return parts.join('&');
}

// The value of the first input named `name`, its HTML escapes undone as a browser does.
inline QString hiddenValue(const QByteArray &html, const QString &name)
{
    return capture(QString::fromUtf8(html),
                   QStringLiteral("name=\"%1\" value=\"([^\"]*)\"").arg(name))
        .replace(QStringLiteral("&quot;"), QStringLiteral("\""))
        .replace(QStringLiteral("&lt;"), QStringLiteral("<"))
        .replace(QStringLiteral("&gt;"), QStringLiteral(">"))
        .replace(QStringLiteral("&#39;"), QStringLiteral("'"))
        .replace(QStringLiteral("&amp;"), QStringLiteral("&"));
}

// The value a Set-Cookie of the answer gives `name` (headers of one name are joined by ", ").
inline QString setCookieValue(const HttpResult &r, const QString &name)
{
    return capture(QString::fromLatin1(r.headers.value("set-cookie")),
                   QStringLiteral("(?:^|, )%1=([^;]*)").arg(name));
}

} // namespace pageforms
