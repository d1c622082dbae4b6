#pragma once

#include "result.h"
#include "store/database.h"

namespace sd::core {

// A database failure as a core error: the service is unavailable, the detail goes to the log.
inline std::unexpected<Error> dbFail(const store::DbError &e)
{
    return fail(ErrorCode::Unavailable, e.message);
}

// Who did something, for the audit log.
struct Actor
{
    QString name; // "system", "cli", "console", "admin:<user id>", "user:<user id>"
    static Actor system() { return {QStringLiteral("system")}; }
};

// What the transport knows about a request.
struct RequestInfo
{
    QString remoteIp; // plain address, IPv4-mapped IPv6 written as IPv4
};

} // namespace sd::core
