#pragma once

#include "audit/auditlog.h"
#include "context.h"
#include "result.h"

#include <QHash>
#include <QList>

namespace sd::core {

// The audit log as the console's Audit tab shows it: every entry, and the accounts' usernames
// by id (of deleted accounts too, as their entries recorded them) so that actors and subjects
// read as names.
struct AuditListing
{
    QList<AuditEntry> entries;
    QHash<QString, QString> usernames;
};

// Read-only; call from a worker thread.
class AuditLogService
{
public:
    explicit AuditLogService(const Context &ctx) : m_ctx(ctx) {}

    Result<AuditListing> list() const;

private:
    const Context &m_ctx;
};

} // namespace sd::core
