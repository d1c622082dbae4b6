#include "pageroutes.h"

#include "crypto/crypto.h"
#include "emails/placeholders.h"
#include "errormapping.h"
#include "flows/emaillogin/redirectpolicy.h"
#include "jsonbody.h"
#include "validation/names.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;
using sd::core::Escaping;

namespace sd::http {

namespace {

const QByteArray kHtml = "text/html; charset=utf-8";
const QString kCsrfCookie = u"sd_csrf"_s;
const QString kTosMarker = u"\u0001tos\u0001"_s;

// ---------------------------------------------------------------------------------------------
// Resources: page fragments and the strings of each language, read once.

QString readResource(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        qWarning("page resource %s missing", qPrintable(path));
        return {};
    }
    return QString::fromUtf8(f.readAll());
}

const QHash<QString, QString> &fragments()
{
    static const QHash<QString, QString> loaded = [] {
        QHash<QString, QString> out;
        for (const QString &name :
             {u"layout"_s, u"verify_email"_s, u"verify_registration"_s, u"message"_s,
              u"resend_form"_s, u"login_confirm"_s, u"tos_checkbox"_s})
            out.insert(name, readResource(u":/pages/"_s + name + u".html"_s));
        return out;
    }();
    return loaded;
}

// "t.<key>" → text, per language; English fills what a language lacks.
const QHash<QString, QHash<QString, QString>> &catalogs()
{
    static const QHash<QString, QHash<QString, QString>> loaded = [] {
        QHash<QString, QHash<QString, QString>> out;
        QHash<QString, QString> english;
        for (const QString &language : core::Config::languages()) {
            const QJsonObject o =
                QJsonDocument::fromJson(
                    readResource(u":/pages/strings/"_s + language + u".json"_s).toUtf8())
                    .object();
            QHash<QString, QString> strings = english;
            for (auto it = o.begin(); it != o.end(); ++it)
                strings.insert(u"t."_s + it.key(), it.value().toString());
            if (language == u"en"_s)
                english = strings;
            out.insert(language, strings);
        }
        return out;
    }();
    return loaded;
}

QString text(const QString &language, const QString &key)
{
    return catalogs().value(language).value(u"t."_s + key, key);
}

// A fragment with its values (HTML-escaped) and the language's strings filled in.
QString fragment(const QString &name, const QString &language,
                 const QHash<QString, QString> &values = {})
{
    QHash<QString, QString> all = catalogs().value(language);
    all.insert(values);
    return core::fillPlaceholders(fragments().value(name), all, Escaping::Html);
}

QString message(const QString &language, const QString &key, const QString &cssClass = {})
{
    return fragment(u"message"_s, language,
                    {{u"message"_s, text(language, key)}, {u"class"_s, cssClass}});
}

// A whole page: `contentHtml` is already rendered; the title is a string key.
HttpResponse page(int status, const QString &language, const QString &titleKey,
                  const QString &contentHtml)
{
    const QString layout = fragments().value(u"layout"_s);
    const qsizetype at = layout.indexOf(u"{{content}}"_s);
    const QHash<QString, QString> values{{u"lang"_s, language},
                                         {u"title"_s, text(language, titleKey)}};
    const QString html = core::fillPlaceholders(layout.left(at), values, Escaping::Html) +
                         contentHtml +
                         core::fillPlaceholders(layout.mid(at + 11), values, Escaping::Html);
    return {status, kHtml, html.toUtf8(), {}};
}

// ---------------------------------------------------------------------------------------------
// Requests: forms, cookies, where a POST comes from.

struct Form
{
    QList<std::pair<QString, QString>> items;
    QString value(const QString &name) const
    {
        for (const auto &[key, value] : items)
            if (key == name)
                return value; // the first, as QUrlQuery did
        return {};
    }
    bool has(const QString &name) const
    {
        return std::any_of(items.cbegin(), items.cend(),
                           [&](const auto &item) { return item.first == name; });
    }
};

// application/x-www-form-urlencoded, strictly: a name or value whose percent-decoded bytes are
// not valid UTF-8 refuses the whole form (400), as JSON bodies do. Decoding them leniently
// would turn every bad byte into U+FFFD and make different inputs equal (SECURITY.md).
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

bool isHttps(const core::CoreServices &c)
{
    return c.publicUrl().startsWith(u"https://"_s, Qt::CaseInsensitive);
}

// Cookie attributes of API.md and SEC-18: HttpOnly, SameSite=Lax, Path=/, Secure with TLS.
QByteArray cookieHeader(const core::CoreServices &c, const QString &name, const QString &value,
                        qint64 maxAgeSeconds = -1)
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

// The synchronizer token of a form: HMAC(server secret, cookie).
QString csrfTokenFor(const core::CoreServices &c, const QString &cookieValue)
{
    return c.csrfToken(cookieValue);
}

// What a page GET needs for its forms: the CSRF token, and the cookie to set when the browser
// has none yet.
struct CsrfState
{
    QString token;
    std::optional<QByteArray> setCookie;
};

CsrfState csrfFor(const core::CoreServices &c, const HttpRequest &r)
{
    QString value = csrfCookie(r);
    CsrfState state;
    if (value.isEmpty()) {
        value = core::crypto::newToken();
        state.setCookie = cookieHeader(c, kCsrfCookie, value);
    }
    state.token = csrfTokenFor(c, value);
    return state;
}

HttpResponse withCookie(HttpResponse response, const CsrfState &csrf)
{
    if (csrf.setCookie)
        response.headers.append({"Set-Cookie", *csrf.setCookie});
    return response;
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

// A form POST may proceed: from this site, with the token that matches its cookie.
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

HttpResponse forbiddenPage(const QString &language)
{
    return page(403, language, u"forbidden_title"_s,
                message(language, u"forbidden_message"_s, u"error"_s));
}

// ---------------------------------------------------------------------------------------------
// Errors as pages.

QString errorKey(const ApiError &error)
{
    if (error.http) {
        switch (*error.http) {
        case HttpErrorCode::MethodNotAllowed:
            return u"error_method"_s;
        case HttpErrorCode::PayloadTooLarge:
            return u"error_too_large"_s;
        case HttpErrorCode::UnsupportedMediaType:
            return u"error_media_type"_s;
        default:
            return u"error_bad_request"_s;
        }
    }
    switch (error.domain.code) {
    case ErrorCode::NotFound:
        return u"error_not_found"_s;
    case ErrorCode::RateLimited:
        return u"error_rate_limited"_s;
    case ErrorCode::Busy:
    case ErrorCode::Unavailable:
        return u"error_busy"_s;
    case ErrorCode::Forbidden:
        return u"forbidden_message"_s;
    case ErrorCode::Internal:
        return u"error_internal"_s;
    default:
        return u"error_bad_request"_s;
    }
}

HttpResponse errorPage(const QString &language, const ApiError &error)
{
    if (error.is(ErrorCode::Unavailable))
        qWarning("unavailable: %s", qPrintable(error.domain.detail));
    HttpResponse r = page(httpStatus(error), language, u"error_title"_s,
                          message(language, errorKey(error), u"error"_s));
    addRetryAfter(r, error);
    return r;
}

const QSet<QString> &pagePaths()
{
    static const QSet<QString> paths{u"/"_s,
                                     u"/verify-email"_s,
                                     u"/verify-email/resend"_s,
                                     u"/verify-registration"_s,
                                     u"/login/confirm"_s,
                                     u"/static/signupdesk.css"_s};
    return paths;
}

// The per-address limit of API.md (60 a minute) on the page POSTs.
std::optional<core::Error> limitAddress(core::CoreServices &c, const QString &bucket,
                                        const HttpRequest &r)
{
    if (auto allowed = c.limitAddress(bucket, {r.remoteIp}); !allowed)
        return allowed.error();
    return std::nullopt;
}

void recordHit(core::CoreServices &c, const HttpRequest &r, const QString &kind,
               const QString &token, const QString &userId = {})
{
    auto done = c.linkHits().record(kind, token, userId, r.method, {r.remoteIp},
                                    QString::fromUtf8(r.header("user-agent")));
    if (!done)
        qWarning("link hit not recorded: %s", qPrintable(done.error().detail));
}

// ---------------------------------------------------------------------------------------------
// The verification pages.

QString resendForm(const QString &language, const QString &csrfToken, const QString &email)
{
    return fragment(u"resend_form"_s, language, {{u"csrf"_s, csrfToken}, {u"email"_s, email}});
}

HttpResponse verifiedPage(const QString &language, const core::Account &account)
{
    const bool waiting = account.status == core::AccountStatus::PendingApproval;
    return page(200, language, u"verified_title"_s,
                message(language, waiting ? u"verified_pending"_s : u"verified_active"_s));
}

// The page for a link that does not (or no longer) work, with "send me a new link".
HttpResponse brokenLinkPage(const QString &language, bool spent, const QString &csrfToken,
                            const QString &email)
{
    return page(400, language, spent ? u"spent_title"_s : u"invalid_title"_s,
                message(language, spent ? u"spent_message"_s : u"invalid_message"_s) +
                    resendForm(language, csrfToken, email));
}

HttpResponse verifyEmailGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString email = queryValue(r, u"email"_s), token = queryValue(r, u"token"_s);
    recordHit(c, r, u"verification"_s, token);
    const CsrfState csrf = csrfFor(c, r);
    auto state = c.verification().inspectToken(email, token);
    if (!state)
        return errorPage(language, state.error());
    if (*state != core::VerificationService::TokenState::Live)
        return withCookie(brokenLinkPage(language,
                                         *state == core::VerificationService::TokenState::Spent,
                                         csrf.token, email),
                          csrf);
    return withCookie(
        page(200, language, u"verify_title"_s,
             fragment(u"verify_email"_s, language,
                      {{u"csrf"_s, csrf.token}, {u"email"_s, email}, {u"token"_s, token}})),
        csrf);
}

HttpResponse verifyEmailPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString email = form.value(u"email"_s), token = form.value(u"token"_s);
    recordHit(c, r, u"verification"_s, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    auto verified = c.verification().verifyToken(email, token, {r.remoteIp});
    if (verified)
        return verifiedPage(language, *verified);
    if (verified.error().code != ErrorCode::InvalidVerification)
        return errorPage(language, verified.error());
    auto state = c.verification().inspectToken(email, token);
    const bool spent = state && *state == core::VerificationService::TokenState::Spent;
    return brokenLinkPage(language, spent, csrfTokenFor(c, csrfCookie(r)), email);
}

HttpResponse verifyRegistrationGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString userId = queryValue(r, u"user_id"_s);
    recordHit(c, r, u"signed_verification"_s, {}, userId);
    const CsrfState csrf = csrfFor(c, r);
    const QString timestamp = queryValue(r, u"timestamp"_s),
                  signature = queryValue(r, u"signature"_s);
    if (userId.isEmpty() || timestamp.isEmpty() || signature.isEmpty())
        return withCookie(brokenLinkPage(language, false, csrf.token, {}), csrf);
    return withCookie(page(200, language, u"verify_title"_s,
                           fragment(u"verify_registration"_s, language,
                                    {{u"csrf"_s, csrf.token},
                                     {u"user_id"_s, userId},
                                     {u"timestamp"_s, timestamp},
                                     {u"signature"_s, signature}})),
                      csrf);
}

HttpResponse verifyRegistrationPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString userId = form.value(u"user_id"_s);
    recordHit(c, r, u"signed_verification"_s, {}, userId);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    bool isNumber = false;
    const qint64 timestamp = form.value(u"timestamp"_s).toLongLong(&isNumber);
    const QString csrfToken = csrfTokenFor(c, csrfCookie(r));
    if (!isNumber)
        return brokenLinkPage(language, false, csrfToken, {});
    auto verified =
        c.verification().verifySigned(userId, timestamp, form.value(u"signature"_s), {r.remoteIp});
    if (verified)
        return verifiedPage(language, *verified);
    if (verified.error().code != ErrorCode::InvalidSignature)
        return errorPage(language, verified.error());
    // Expired, used and forged signed links look the same: the link cannot tell them apart.
    return brokenLinkPage(language, false, csrfToken, {});
}

HttpResponse resendPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"resend"_s, r))
        return errorPage(language, *limited);
    const QString email = form.value(u"email"_s).trimmed();
    if (!email.isEmpty()) {
        auto done = c.verification().resend(email);
        if (!done && done.error().code != ErrorCode::RateLimited)
            return errorPage(language, done.error());
    }
    // The same page whether or not the address exists or waits for confirmation.
    return page(200, language, u"resend_title"_s, message(language, u"resend_message"_s));
}

// ---------------------------------------------------------------------------------------------
// Email-link login.

HttpResponse loginForm(core::CoreServices &c, int status, const QString &language,
                       const core::LoginLinkView &view, const QString &csrfToken,
                       const QString &token, const QString &nextPage, const QString &displayName,
                       const QStringList &errorKeys)
{
    QString errors;
    for (const QString &key : errorKeys)
        errors += message(language, key, u"error"_s);
    QString tos;
    if (view.tosRequired) {
        QHash<QString, QString> values;
        values.insert(u"t.tos_label"_s,
                      core::fillPlaceholders(text(language, u"tos_label"_s),
                                             {{u"version"_s, c.config().tosVersion}},
                                             Escaping::None));
        tos = fragment(u"tos_checkbox"_s, language, values);
    }
    const QString form = fragment(u"login_confirm"_s, language,
                                  {{u"csrf"_s, csrfToken},
                                   {u"token"_s, token},
                                   {u"next_page"_s, nextPage},
                                   {u"email"_s, view.account.email},
                                   {u"display_name"_s, displayName},
                                   {u"tos"_s, kTosMarker}});
    // The checkbox fragment is already escaped HTML: put in after the form was filled (the
    // marker is a control character, which no escaped value can contain).
    QString html = form;
    html.replace(kTosMarker, tos);
    return page(status, language, u"login_title"_s, errors + html);
}

HttpResponse loginInvalidPage(const QString &language)
{
    return page(400, language, u"login_invalid_title"_s,
                message(language, u"login_invalid"_s, u"error"_s));
}

HttpResponse loginConfirmGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString token = queryValue(r, u"token"_s);
    recordHit(c, r, u"login_link"_s, token);
    auto view = c.emailLogin().inspect(token);
    if (!view) {
        if (view.error().code != ErrorCode::InvalidToken)
            return errorPage(language, view.error());
        return loginInvalidPage(language);
    }
    const CsrfState csrf = csrfFor(c, r);
    // A stored name that today's rule would refuse (an older row) is offered cleaned, so
    // sending the form back unchanged always passes.
    return withCookie(loginForm(c, 200, language, *view, csrf.token, token,
                                queryValue(r, u"next_page"_s),
                                core::names::sanitizedDisplayName(view->account.displayName), {}),
                      csrf);
}

HttpResponse loginConfirmPost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString token = form.value(u"token"_s);
    recordHit(c, r, u"login_link"_s, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"verify"_s, r))
        return errorPage(language, *limited);
    core::EmailLoginConfirmation input;
    input.token = token;
    if (form.has(u"display_name"_s))
        input.displayName = form.value(u"display_name"_s);
    input.tosAccepted = !form.value(u"tos"_s).isEmpty();
    const QString nextPage = form.value(u"next_page"_s);
    auto result = c.emailLogin().confirm(input, {r.remoteIp});
    if (!result) {
        const core::Error &e = result.error();
        if (e.code == ErrorCode::Validation) {
            // Shown again, token unused, no cookie.
            auto view = c.emailLogin().inspect(token);
            if (!view)
                return loginInvalidPage(language);
            QStringList keys;
            if (e.fields.contains(u"tos"_s))
                keys << u"tos_required"_s;
            if (e.fields.contains(u"display_name"_s))
                keys << u"name_invalid"_s;
            return loginForm(c, 400, language, *view, csrfTokenFor(c, csrfCookie(r)), token,
                             nextPage,
                             input.displayName.value_or(
                                 core::names::sanitizedDisplayName(view->account.displayName)),
                             keys);
        }
        if (e.code == ErrorCode::InvalidToken)
            return loginInvalidPage(language);
        return errorPage(language, e);
    }
    const QString location = core::resolveRedirect(nextPage, c.config().allowedRedirectHosts);
    HttpResponse response =
        page(303, language, u"login_title"_s,
             u"<p><a href=\""_s + location.toHtmlEscaped() + u"\">"_s +
                 text(language, u"login_button"_s).toHtmlEscaped() + u"</a></p>"_s);
    response.headers.append({"Location", location.toLatin1()});
    response.headers.append({"Set-Cookie", cookieHeader(c, sessionCookieName(c), result->ust,
                                                        c.liveSettings()->sessionTtlSeconds)});
    return response;
}

HttpResponse homeGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString ust = cookie(r, sessionCookieName(c));
    if (!ust.isEmpty()) {
        if (auto session = c.sessions().check(ust)) {
            const core::Account &a = session->account;
            const QString name = a.displayName.isEmpty() ? a.username : a.displayName;
            const QString line = core::fillPlaceholders(text(language, u"home_signed_in"_s),
                                                        {{u"name"_s, name}}, Escaping::None);
            return page(200, language, u"home_title"_s,
                        fragment(u"message"_s, language,
                                 {{u"message"_s, line}, {u"class"_s, u"signed-in"_s}}));
        }
    }
    return page(200, language, u"home_title"_s, message(language, u"home_anonymous"_s));
}

// Guards a handler against exceptions of its own is the server's job; this only names routes.
Route pageRoute(const char *method, const QString &path, RunOn runOn,
                std::function<HttpResponse(core::CoreServices &, const HttpRequest &)> handler,
                core::CoreServices *c)
{
    return Route{
        method, path, runOn, false,
        [c, handler = std::move(handler)](const HttpRequest &r) { return handler(*c, r); }};
}

} // namespace

void registerPageRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;
    server.setErrorRenderer(
        [](const HttpRequest &r, const ApiError &e) -> std::optional<HttpResponse> {
            QString path = r.path;
            if (path.size() > 1 && path.endsWith(u'/'))
                path.chop(1);
            if (!pagePaths().contains(path))
                return std::nullopt;
            return errorPage(r.language(), e);
        });
    server.setPagePaths(pagePaths()); // served only under public_url's Host (SEC-25)

    server.addRoute(
        {"GET", u"/static/signupdesk.css"_s, RunOn::ServerThread, false, [](const HttpRequest &) {
             static const QByteArray css = readResource(u":/pages/signupdesk.css"_s).toUtf8();
             return HttpResponse{200, "text/css; charset=utf-8", css, {}};
         }});
    server.addRoute(pageRoute("GET", u"/"_s, RunOn::ServerThread, homeGet, c));
    // Link pages run on the pool: recording the hit is a write.
    server.addRoute(pageRoute("GET", u"/verify-email"_s, RunOn::WorkerPool, verifyEmailGet, c));
    server.addRoute(pageRoute("POST", u"/verify-email"_s, RunOn::WorkerPool, verifyEmailPost, c));
    server.addRoute(pageRoute("POST", u"/verify-email/resend"_s, RunOn::WorkerPool, resendPost, c));
    server.addRoute(
        pageRoute("GET", u"/verify-registration"_s, RunOn::WorkerPool, verifyRegistrationGet, c));
    server.addRoute(
        pageRoute("POST", u"/verify-registration"_s, RunOn::WorkerPool, verifyRegistrationPost, c));
    server.addRoute(pageRoute("GET", u"/login/confirm"_s, RunOn::WorkerPool, loginConfirmGet, c));
    server.addRoute(pageRoute("POST", u"/login/confirm"_s, RunOn::WorkerPool, loginConfirmPost, c));

    // The JSON half of email-link login (API.md "Login and sessions"): 202 whatever the address.
    server.addRoute({"POST", u"/api/v1/login/email-link"_s, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         const QString language = r.language();
                         if (auto limited = limitAddress(*c, u"email-link"_s, r))
                             return errorResponse(*limited, language);
                         auto body = JsonBody::parse(r.body);
                         if (!body)
                             return errorResponse(body.error(), language);
                         auto email = body->requiredString(u"email"_s);
                         if (!email)
                             return errorResponse(email.error(), language);
                         auto nextPage = body->optionalString(u"next_page"_s);
                         if (!nextPage)
                             return errorResponse(nextPage.error(), language);
                         if (email->trimmed().isEmpty()) {
                             core::Error e{ErrorCode::Validation, {}, {}, 0};
                             e.fields[u"email"_s] << u"required"_s;
                             return errorResponse(e, language);
                         }
                         auto done = c->emailLogin().requestLink(
                             *email, nextPage->value_or(QString()), {r.remoteIp});
                         if (!done)
                             return errorResponse(done.error(), language);
                         return HttpResponse::json(202, QJsonObject{{u"status"_s, u"ok"_s}});
                     }});
}

} // namespace sd::http
