#pragma once

#include "pagesupport.h"
#include "websecurity.h"

#include <variant>

// One file per page flow; each registers its pages (and the JSON route of its flow, if any).
// A new flow adds its file under server/http/pages/, a line here, and a call in
// registerPageRoutes() (pageroutes.cpp); its HTML fragments go in resources/pages/ and its
// strings in resources/pages/strings/{en,fr,de}.json.
namespace sd::http::pages {

void registerHomePage(PageRoutes &routes);          // homepage.cpp: "/" and the stylesheet
void registerVerificationPages(PageRoutes &routes); // verificationpages.cpp
void registerEmailLoginPages(PageRoutes &routes);   // emailloginpages.cpp
void registerRecoveryPages(PageRoutes &routes);     // recoverypages.cpp
void registerAccountPages(PageRoutes &routes);      // accountpages.cpp: /login, /account
void registerInvitationPages(PageRoutes &routes);   // invitationpages.cpp: /accept-invite
void registerOAuthPages(PageRoutes &routes);        // oauthpages.cpp: /oauth/start, /oauth/done
void registerMfaPages(PageRoutes &routes);          // mfapages.cpp: /login/mfa, /account/mfa/*

// accountpages.cpp, shared with the other signed-in pages: a 303 to `location`; the checks
// every form POST starts with (a UTF-8 form, CSRF, the per-address limit of `bucket`): the
// form, or the page that refuses it; the signed-in user of the page cookie, if any.
HttpResponse seeOther(const QString &language, const QString &location,
                      const QString &titleKey = QStringLiteral("sign_in_title"));
std::variant<Form, HttpResponse> acceptForm(core::CoreServices &c, const HttpRequest &r,
                                            const QString &bucket);
std::optional<core::SessionUser> pageUser(core::CoreServices &c, const HttpRequest &r);

// mfapages.cpp, for the sign-in flows and /account: the page that asks for the second factor
// after a correct first one (no cookie yet; the form posts to /login/mfa), and the second
// factor's section of /account.
HttpResponse mfaCodePage(core::CoreServices &c, const HttpRequest &r, int status,
                         const QString &mfaToken, const QString &nextPage,
                         const QString &errorKey = {});
QString mfaAccountSection(const QString &language, const core::Account &account,
                          const QString &csrf);

} // namespace sd::http::pages
