#include "websecurity.h"

#include "crypto/crypto.h"
#include "validation/names.h"

#include <QCryptographicHash>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::http::pages {

namespace {

const QString kCsrfCookie = u"sd_csrf"_s;

bool isHttps(const core::CoreServices &c)
{
    return c.publicUrl().startsWith(u"https://"_s, Qt::CaseInsensitive);
}

// The pre-session cookie a CSRF token is bound to: a token of ours (43 base64url characters),
// or empty.
QString csrfCookie(const HttpRequest &r)
{
    const QString value = cookie(r, kCsrfCookie);
    bool ok = false;
    if (value.size() != 43 || core::crypto::fromBase64Url(value, &ok).size() != 32 || !ok)
        return {};
    return value;
}

bool sameOrigin(const QByteArray &origin, const QString &publicUrl)
{
    const QUrl a(QString::fromLatin1(origin), QUrl::StrictMode);
    const QUrl b(publicUrl);
    if (!a.isValid() || a.host().isEmpty())
        return false;
    const QString scheme = a.scheme().toLower();
    return scheme == b.scheme().toLower() && a.host().toLower() == b.host().toLower() &&
           a.port(defaultPort(scheme)) == b.port(defaultPort(scheme));
}

// SEC-21: Fetch Metadata first; without it, a foreign Origin is refused too.
bool isCrossSite(const core::CoreServices &c, const HttpRequest &r)
{
    const QByteArray site = r.header("sec-fetch-site").trimmed().toLower();
    if (!site.isEmpty())
        return site == "cross-site";
    const QByteArray origin = r.header("origin").trimmed();
    return !origin.isEmpty() && !sameOrigin(origin, c.publicUrl());
}

} // namespace

QString Form::value(const QString &name) const
{
    for (const auto &[key, value] : items)
        if (key == name)
            return value;
    return {};
}

bool Form::has(const QString &name) const
{
    return std::any_of(items.cbegin(), items.cend(),
                       [&](const auto &item) { return item.first == name; });
}

// Decoding bad bytes leniently would turn each into U+FFFD and make different inputs equal
// (SECURITY.md).
std::optional<Form> parseForm(const HttpRequest &r)
{
    Form form;
    for (QByteArray part : r.body.split('&')) {
        if (part.isEmpty())
            continue;
        // The form encoding spells spaces as '+'; replaced before decoding, so %2B stays a '+'.
        part.replace('+', ' ');
        const qsizetype eq = part.indexOf('=');
        const auto name = core::names::decodeUtf8Strictly(
            QByteArray::fromPercentEncoding(part.left(eq < 0 ? part.size() : eq)));
        const auto value = core::names::decodeUtf8Strictly(
            QByteArray::fromPercentEncoding(eq < 0 ? QByteArray() : part.mid(eq + 1)));
        if (!name || !value)
            return std::nullopt;
        form.items.append({*name, *value});
    }
    return form;
}

QString queryValue(const HttpRequest &r, const QString &name)
{
    return r.query.queryItemValue(name, QUrl::FullyDecoded);
}

QString cookie(const HttpRequest &r, const QString &name)
{
    for (const QByteArray &part : r.header("cookie").split(';')) {
        const QByteArray item = part.trimmed();
        const qsizetype eq = item.indexOf('=');
        if (eq > 0 && QString::fromLatin1(item.left(eq)) == name)
            return QString::fromLatin1(item.mid(eq + 1));
    }
    return {};
}

QByteArray cookieHeader(const core::CoreServices &c, const QString &name, const QString &value,
                        qint64 maxAgeSeconds)
{
    QString header = name + u'=' + value + u"; HttpOnly; SameSite=Lax; Path=/"_s;
    if (maxAgeSeconds >= 0)
        header += u"; Max-Age="_s + QString::number(maxAgeSeconds);
    if (isHttps(c))
        header += u"; Secure"_s;
    return header.toLatin1();
}

QString sessionCookieName(const core::CoreServices &c)
{
    return isHttps(c) ? u"__Host-sd_session"_s : u"sd_session"_s;
}

QString oauthBindingCookieName(const core::CoreServices &c, const QString &state)
{
    const QByteArray tag =
        QCryptographicHash::hash(state.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return (isHttps(c) ? u"__Host-sd_oauth_"_s : u"sd_oauth_"_s) + QString::fromLatin1(tag);
}

CsrfState csrfFor(const core::CoreServices &c, const HttpRequest &r)
{
    QString value = csrfCookie(r);
    CsrfState state;
    if (value.isEmpty()) {
        value = core::crypto::newToken();
        state.setCookie = cookieHeader(c, kCsrfCookie, value);
    }
    state.token = c.csrfToken(value);
    return state;
}

QString csrfTokenAgain(const core::CoreServices &c, const HttpRequest &r)
{
    return c.csrfToken(csrfCookie(r));
}

HttpResponse withCookie(HttpResponse response, const CsrfState &csrf)
{
    if (csrf.setCookie)
        response.headers.append({"Set-Cookie", *csrf.setCookie});
    return response;
}

bool csrfPasses(const core::CoreServices &c, const HttpRequest &r, const Form &form)
{
    if (isCrossSite(c, r))
        return false;
    const QString value = csrfCookie(r);
    const QString given = form.value(u"csrf_token"_s);
    if (value.isEmpty() || given.isEmpty())
        return false;
    return c.csrfTokenMatches(value, given);
}

} // namespace sd::http::pages
