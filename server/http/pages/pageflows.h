#pragma once

#include "pagesupport.h"

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

} // namespace sd::http::pages
