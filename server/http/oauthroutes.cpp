#include "oauthroutes.h"

#include "apiroutes.h"
#include "errormapping.h"
#include "jsonbody.h"
#include "pages/websecurity.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

const QString kCallbackPrefix = u"/oauth/callback/from"_s;

HttpResponse redirect(const QString &location)
{
    HttpResponse r = HttpResponse::empty(302);
    r.headers.append({"Location", location.toUtf8()});
    return r;
}

} // namespace

void registerOAuthRoutes(ApiServer &server, core::CoreServices &core)
{
    core::CoreServices *c = &core;

    server.addRoute(
        {"POST", u"/oauth/init"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             if (auto allowed = c->limitAddress(u"oauth-init"_s, {r.remoteIp}); !allowed)
                 return errorResponse(allowed.error(), lang);
             auto body = JsonBody::parse(r.body);
             if (!body)
                 return errorResponse(body.error(), lang);
             auto provider = body->requiredString(u"provider"_s);
             if (!provider)
                 return errorResponse(provider.error(), lang);
             auto language = body->optionalString(u"language"_s);
             if (!language)
                 return errorResponse(language.error(), lang);
             auto start = c->oauth().init(*provider, *language, {r.remoteIp});
             if (!start)
                 return errorResponse(start.error(), lang);
             return HttpResponse::json(200, QJsonObject{{u"state"_s, start->state},
                                                        {u"authorize_url"_s, start->authorizeUrl}});
         }});

    // The provider sends the browser here. Every outcome is a 302 to the frontend; the worker
    // waits for the provider (bounded by oauth/timeout_seconds), never the server thread.
    server.addRoute({"GET", kCallbackPrefix, RunOn::WorkerPool, false,
                     [c](const HttpRequest &r) {
                         // HEAD answers like GET but changes nothing: the state stays unspent.
                         if (r.method == "HEAD")
                             return redirect(c->oauth().frontendUrl());
                         QString provider = r.path.mid(kCallbackPrefix.size());
                         while (provider.endsWith(u'/'))
                             provider.chop(1);
                         if (provider.startsWith(u'/'))
                             provider.remove(0, 1);
                         core::OAuthCallbackInput input;
                         input.code = r.query.queryItemValue(u"code"_s, QUrl::FullyDecoded);
                         input.state = r.query.queryItemValue(u"state"_s, QUrl::FullyDecoded);
                         input.error = r.query.queryItemValue(u"error"_s, QUrl::FullyDecoded);
                         const QString bindingCookie =
                             pages::oauthBindingCookieName(*c, input.state);
                         input.binding = pages::cookie(r, bindingCookie);
                         const core::OAuthRedirect outcome =
                             c->oauth().callback(provider, input, {r.remoteIp});
                         HttpResponse response = redirect(outcome.location);
                         // The state is spent either way: its cookie has done its work.
                         if (!input.binding.isEmpty())
                             response.headers.append(
                                 {"Set-Cookie", pages::cookieHeader(*c, bindingCookie, {}, 0)});
                         return response;
                     },
                     /*prefix=*/true, u"/oauth/callback/from/<provider>"_s});

    server.addRoute(
        {"POST", u"/oauth/login"_s, RunOn::WorkerPool, false, [c](const HttpRequest &r) {
             const QString lang = r.language();
             auto body = JsonBody::parse(r.body);
             if (!body)
                 return errorResponse(body.error(), lang);
             auto confirmation = body->requiredString(u"confirmation"_s);
             if (!confirmation)
                 return errorResponse(confirmation.error(), lang);
             auto result = c->oauth().login(*confirmation, requestInfo(r));
             if (!result)
                 return errorResponse(result.error(), lang);
             return HttpResponse::json(200, loginJson(*result));
         }});
}

} // namespace sd::http
