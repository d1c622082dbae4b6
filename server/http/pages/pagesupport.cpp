#include "pagesupport.h"

using namespace Qt::StringLiterals;

namespace sd::http::pages {

void PageRoutes::add(const char *method, const QString &path, RunOn runOn, PageHandler handler)
{
    m_paths.insert(path);
    core::CoreServices *c = &m_core;
    m_server.addRoute(
        Route{method, path, runOn, false,
              [c, handler = std::move(handler)](const HttpRequest &r) { return handler(*c, r); }});
}

std::optional<core::Error> limitAddress(core::CoreServices &c, const QString &bucket,
                                        const HttpRequest &r)
{
    if (auto allowed = c.limitAddress(bucket, {r.remoteIp}); !allowed)
        return allowed.error();
    return std::nullopt;
}

void recordHit(core::CoreServices &c, const HttpRequest &r, const QString &kind,
               const QString &token, const QString &userId)
{
    auto done = c.linkHits().record(kind, token, userId, r.method, {r.remoteIp},
                                    QString::fromUtf8(r.header("user-agent")));
    if (!done)
        qWarning("link hit not recorded: %s", qPrintable(done.error().detail));
}

} // namespace sd::http::pages
