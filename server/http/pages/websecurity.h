#pragma once

#include "coreservices.h"
#include "httpmessage.h"

#include <QList>
#include <QString>

#include <optional>
#include <utility>

// The web security of the embedded pages: strict form parsing, cookies with the attributes of
// API.md and SEC-18, and CSRF (a synchronizer token bound to a pre-session cookie, plus Fetch
// Metadata / Origin checks, SEC-21).
namespace sd::http::pages {

struct Form
{
    QList<std::pair<QString, QString>> items;
    QString value(const QString &name) const; // the first of that name, as QUrlQuery did
    bool has(const QString &name) const;
};

// application/x-www-form-urlencoded, strictly: a name or value whose percent-decoded bytes are
// not valid UTF-8 refuses the whole form (nullopt → 400), as JSON bodies do.
std::optional<Form> parseForm(const HttpRequest &r);

QString queryValue(const HttpRequest &r, const QString &name);
QString cookie(const HttpRequest &r, const QString &name);

// Set-Cookie value: HttpOnly, SameSite=Lax, Path=/, Secure when public_url is https.
QByteArray cookieHeader(const core::CoreServices &c, const QString &name, const QString &value,
                        qint64 maxAgeSeconds = -1);
// "__Host-sd_session" behind https, else "sd_session".
QString sessionCookieName(const core::CoreServices &c);
// The cookie that binds an OAuth state of the browser flow to its browser (SEC-26):
// "sd_oauth_<16 hex of SHA-256(state)>" ("__Host-" before it behind https). One per flow, so
// two sign-ins started in one browser (two tabs) each find their own at the callback.
QString oauthBindingCookieName(const core::CoreServices &c, const QString &state);

// What a page GET needs for its forms: the CSRF token, and the cookie to set when the browser
// has none yet.
struct CsrfState
{
    QString token;
    std::optional<QByteArray> setCookie;
};
CsrfState csrfFor(const core::CoreServices &c, const HttpRequest &r);
// The CSRF token for a page shown again after a POST (the browser has the cookie by then).
QString csrfTokenAgain(const core::CoreServices &c, const HttpRequest &r);
HttpResponse withCookie(HttpResponse response, const CsrfState &csrf);

// A form POST may proceed: from this site, with the token that matches its cookie.
bool csrfPasses(const core::CoreServices &c, const HttpRequest &r, const Form &form);

} // namespace sd::http::pages
