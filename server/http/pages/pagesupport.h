#pragma once

#include "apiserver.h"
#include "coreservices.h"

#include <QSet>
#include <QString>

#include <functional>
#include <optional>

// What every page flow file uses to register its routes: each page flow has a
// `registerXxxPages(PageRoutes &)` (declared in pageflows.h) that adds its GET/POST routes
// here; registerPageRoutes() then tells the server which paths are pages (HTML errors, served
// only under public_url's Host, SEC-25).
namespace sd::http::pages {

using PageHandler = std::function<HttpResponse(core::CoreServices &, const HttpRequest &)>;

class PageRoutes
{
public:
    PageRoutes(ApiServer &server, core::CoreServices &core) : m_server(server), m_core(core) {}

    // A page route: its path becomes a page path. GETs that record a link hit, and every POST,
    // run on the worker pool (they write).
    void add(const char *method, const QString &path, RunOn runOn, PageHandler handler);
    // A JSON API route that belongs to a page flow (not a page path).
    void addApi(Route route) { m_server.addRoute(std::move(route)); }

    core::CoreServices &core() const { return m_core; }
    const QSet<QString> &paths() const { return m_paths; }

private:
    ApiServer &m_server;
    core::CoreServices &m_core;
    QSet<QString> m_paths;
};

// The per-address limit of API.md (60 a minute) on the page POSTs; the error when spent.
std::optional<core::Error> limitAddress(core::CoreServices &c, const QString &bucket,
                                        const HttpRequest &r);

// Records that an email link was opened (the console's link hits); a failure is logged.
void recordHit(core::CoreServices &c, const HttpRequest &r, const QString &kind,
               const QString &token, const QString &userId = {});

} // namespace sd::http::pages
