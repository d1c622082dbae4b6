#include "apiroutes.h"
#include "pageflows.h"
#include "pagerender.h"
#include "websecurity.h"

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

// Accepting an invitation (issue 13): /accept-invite?token=… shows the invited address and asks
// for a username, a display name, a password and, when tos/version is set, the Terms of Service.
// GET and HEAD change nothing; only the POST with the CSRF token makes the account.
namespace sd::http::pages {

namespace {

struct Typed
{
    QString username;
    QString displayName;
};

HttpResponse inviteForm(core::CoreServices &c, int status, const QString &language,
                        const core::InvitationRow &invitation, const QString &csrfToken,
                        const QString &token, const Typed &typed, const QStringList &errorKeys)
{
    QString errors;
    for (const QString &key : errorKeys)
        errors += message(language, key, u"error"_s);
    const QString html = fragmentWithTos(u"accept_invite"_s, language,
                                         {{u"csrf"_s, csrfToken},
                                          {u"token"_s, token},
                                          {u"email"_s, invitation.email},
                                          {u"username"_s, typed.username},
                                          {u"display_name"_s, typed.displayName}},
                                         c.config().tosVersion);
    return page(status, language, u"invite_title"_s, errors + html);
}

HttpResponse inviteInvalidPage(const QString &language)
{
    return page(400, language, u"invite_invalid_title"_s,
                message(language, u"invite_invalid"_s, u"error"_s));
}

HttpResponse acceptInviteGet(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const QString token = queryValue(r, u"token"_s);
    recordHit(c, r, u"invitation"_s, token);
    auto invitation = c.invitations().pending(token);
    if (!invitation) {
        if (invitation.error().code != ErrorCode::InvalidToken)
            return errorPage(language, invitation.error());
        return inviteInvalidPage(language);
    }
    const CsrfState csrf = csrfFor(c, r);
    return withCookie(inviteForm(c, 200, language, *invitation, csrf.token, token,
                                 {{}, invitation->displayName}, {}),
                      csrf);
}

HttpResponse acceptInvitePost(core::CoreServices &c, const HttpRequest &r)
{
    const QString language = r.language();
    const auto parsed = parseForm(r);
    if (!parsed)
        return errorPage(language, ApiError(HttpErrorCode::InvalidBody, u"form is not UTF-8"_s));
    const Form &form = *parsed;
    const QString token = form.value(u"token"_s);
    recordHit(c, r, u"invitation"_s, token);
    if (!csrfPasses(c, r, form))
        return forbiddenPage(language);
    if (auto limited = limitAddress(c, u"signup"_s, r))
        return errorPage(language, *limited);
    auto invitation = c.invitations().pending(token);
    if (!invitation)
        return invitation.error().code == ErrorCode::InvalidToken
                   ? inviteInvalidPage(language)
                   : errorPage(language, invitation.error());
    const Typed typed{form.value(u"username"_s), form.value(u"display_name"_s)};
    const QString tosVersion = c.config().tosVersion;
    if (!tosVersion.isEmpty() && form.value(u"tos"_s).isEmpty())
        return inviteForm(c, 400, language, *invitation, csrfTokenAgain(c, r), token, typed,
                          {u"tos_required"_s});
    core::SignupInput input;
    input.username = typed.username;
    input.displayName = typed.displayName;
    input.password = form.value(u"password"_s);
    input.language = language;
    auto result = c.invitations().accept(token, input, tosVersion, requestInfo(r));
    if (!result) {
        const core::Error &e = result.error();
        if (e.code == ErrorCode::Validation) {
            // Shown again, invitation unused.
            QStringList keys;
            if (e.fields.contains(u"username"_s))
                keys << u"username_invalid"_s;
            if (e.fields.contains(u"display_name"_s))
                keys << u"name_invalid"_s;
            if (e.fields.contains(u"password"_s))
                keys << u"password_invalid"_s;
            return inviteForm(c, 400, language, *invitation, csrfTokenAgain(c, r), token, typed,
                              keys);
        }
        if (e.code == ErrorCode::InvalidToken)
            return inviteInvalidPage(language);
        return errorPage(language, e);
    }
    return page(200, language, u"invite_done_title"_s, message(language, u"invite_done"_s));
}

} // namespace

void registerInvitationPages(PageRoutes &routes)
{
    routes.add("GET", u"/accept-invite"_s, RunOn::WorkerPool, acceptInviteGet);
    routes.add("POST", u"/accept-invite"_s, RunOn::WorkerPool, acceptInvitePost);
}

} // namespace sd::http::pages
