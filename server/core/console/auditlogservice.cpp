#include "console/auditlogservice.h"

#include "console/useradminservice.h"
#include "sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::core {

Result<AuditListing> AuditLogService::list() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto all = auditlog::list(*db);
    if (!all)
        return dbFail(all.error());
    auto live = UserAdminService(m_ctx).usernames();
    if (!live)
        return std::unexpected(live.error());
    // Accounts deleted since (rejected, say) keep the name their entries recorded.
    auto q = store::runQuery(*db, u"SELECT subject_id, MAX(subject_name) FROM audit_log"
                                  " WHERE subject_name <> '' GROUP BY subject_id"_s);
    if (!q)
        return dbFail(q.error());
    QHash<QString, QString> names;
    while (q->next())
        names.insert(q->value(0).toString(), q->value(1).toString());
    names.insert(*live); // a renamed account reads as it is called now
    return AuditListing{*all, names};
}

} // namespace sd::core
