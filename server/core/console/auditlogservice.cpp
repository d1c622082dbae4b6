#include "console/auditlogservice.h"

#include "console/useradminservice.h"

namespace sd::core {

Result<AuditListing> AuditLogService::list() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto all = auditlog::list(*db);
    if (!all)
        return dbFail(all.error());
    auto names = UserAdminService(m_ctx).usernames();
    if (!names)
        return std::unexpected(names.error());
    return AuditListing{*all, *names};
}

} // namespace sd::core
