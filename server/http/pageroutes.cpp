#include "pageroutes.h"

#include "pages/pageflows.h"
#include "pages/pagerender.h"

using namespace Qt::StringLiterals;

namespace sd::http {

void registerPageRoutes(ApiServer &server, core::CoreServices &core)
{
    pages::PageRoutes routes(server, core);
    pages::registerHomePage(routes);
    pages::registerVerificationPages(routes);
    pages::registerEmailLoginPages(routes);
    pages::registerRecoveryPages(routes);
    pages::registerAccountPages(routes);
    pages::registerInvitationPages(routes);
    pages::registerOAuthPages(routes);
    pages::registerMfaPages(routes);

    const QSet<QString> paths = routes.paths();
    server.setErrorRenderer(
        [paths](const HttpRequest &r, const ApiError &e) -> std::optional<HttpResponse> {
            QString path = r.path;
            if (path.size() > 1 && path.endsWith(u'/'))
                path.chop(1);
            if (!paths.contains(path))
                return std::nullopt;
            return pages::errorPage(r.language(), e);
        });
    server.setPagePaths(paths); // served only under public_url's Host (SEC-25)
}

} // namespace sd::http
