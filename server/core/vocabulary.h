#pragma once

#include "database.h"
#include "result.h"

#include <QString>

namespace sd::core {

// Words every part of core speaks (flows, audit, settings, the console services), kept at the
// bottom so that none of them has to include a flow to say who acted or where a request came from.

// A database failure as a core error: the service is unavailable, the detail goes to the log.
inline std::unexpected<Error> dbFail(const store::DbError &e)
{
    return fail(ErrorCode::Unavailable, e.message);
}

// Who did something, for the audit log.
struct Actor
{
    // "system", "cli:<os user>", "console:<os user>" (localactor.h; "cli", "console" before),
    // "admin:<user id>", "user:<user id>"
    QString name;
    static Actor system() { return {QStringLiteral("system")}; }
};

// What the transport knows about a request.
struct RequestInfo
{
    RequestInfo() = default;
    // Not explicit: `{ip}` and `{ip, userAgent}` stay the way callers write one.
    RequestInfo(QString ip, QString agent = {})
        : remoteIp(std::move(ip)), userAgent(std::move(agent))
    {
    }
    QString remoteIp;  // plain address, IPv4-mapped IPv6 written as IPv4
    QString userAgent; // as sent, cut to 256 characters; shown in the user's session list
};

} // namespace sd::core
