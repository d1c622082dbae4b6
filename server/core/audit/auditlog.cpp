#include "audit/auditlog.h"

#include "crypto/crypto.h"
#include "sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::core::auditlog {

store::DbResult<void> record(const QSqlDatabase &db, qint64 nowMs, const QString &actor,
                             const QString &action, const QString &subjectId, const QString &detail)
{
    // The subject's username, while the account exists (display only: not in the hash chain).
    auto q = store::runQuery(
        db,
        u"INSERT INTO audit_log (id, at, actor, action, subject_id, detail, subject_name)"
        " VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT username FROM users WHERE id = ?), ''))"_s,
        {crypto::newId(u"aud_"), nowMs, actor, action, subjectId, detail, subjectId});
    if (!q)
        return std::unexpected(q.error());
    return {};
}

store::DbResult<QList<AuditEntry>> list(const QSqlDatabase &db, const QString &subjectId)
{
    const QString base = u"SELECT id, at, actor, action, subject_id, detail FROM audit_log"_s;
    auto q =
        subjectId.isEmpty()
            ? store::runQuery(db, base + u" ORDER BY at, id"_s)
            : store::runQuery(db, base + u" WHERE subject_id = ? ORDER BY at, id"_s, {subjectId});
    if (!q)
        return std::unexpected(q.error());
    QList<AuditEntry> out;
    while (q->next())
        out.append({q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toString(),
                    q->value(3).toString(), q->value(4).toString(), q->value(5).toString()});
    return out;
}

} // namespace sd::core::auditlog
