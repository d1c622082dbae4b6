#pragma once

#include "audit/auditlog.h"

#include <QList>
#include <QStringList>

namespace sd::ui {

// RFC 4180 CSV: fields with a comma, a quote, a CR or LF are quoted and their quotes doubled;
// lines end with CRLF. A field that a spreadsheet would run as a formula (starting with =, +,
// -, @, tab or CR) gets a leading apostrophe.
QString toCsv(const QList<QStringList> &rows);

// The audit log as CSV, with a header row; times in UTC, ISO 8601. Only what the audit log
// holds (never a secret: entries carry reasons and counts, no tokens or passwords).
QString auditLogCsv(const QList<core::AuditEntry> &entries);

} // namespace sd::ui
