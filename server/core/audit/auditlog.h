#pragma once

#include "database.h"

#include <QList>

namespace sd::core {

struct AuditEntry
{
    QString id;
    qint64 atMs = 0;
    QString actor;     // "system", "user:<id>", "admin:<id>", "cli:<os user>", "console:<os user>"
    QString action;    // e.g. signup.created, email.verified, signup.approved, login.failed
    QString subjectId; // usually a user id
    QString detail;    // never a secret
};

// The audit log: written inside the same transaction as the change it records.
namespace auditlog {
store::DbResult<void> record(const QSqlDatabase &db, qint64 nowMs, const QString &actor,
                             const QString &action, const QString &subjectId,
                             const QString &detail = {});
store::DbResult<QList<AuditEntry>> list(const QSqlDatabase &db, const QString &subjectId = {});
} // namespace auditlog

} // namespace sd::core
