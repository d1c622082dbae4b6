#pragma once

#include <QCoreApplication>
#include <QString>

namespace sd::ui {

// The console's words for the Detail of an audit entry or timeline event. Core writes details
// in a small fixed English grammar ("from 203.0.113.9", "code from …", "username=…; reason=…",
// "via github from …", "600 s after 10 failures"); the audit log is sealed, so the words are
// chosen when shown, not when written: every entry, old or new, reads in the console's
// language. Addresses, names, ids and the admin's own words stay as they were written; the
// recorded text is the tooltip and what the CSV export holds.
class AuditDetails
{
    Q_DECLARE_TR_FUNCTIONS(sd::ui::AuditDetails)
public:
    // The detail of an audit entry in the console's words; a detail outside the grammar is
    // shown as recorded, and `understood` (when given) says which of the two happened.
    static QString text(const QString &detail, bool *understood = nullptr);
    // The detail of a timeline event: audit entries as above; an email's kind ("welcome: 250
    // OK") and a visited link ("GET verification from …: <browser>") in words too.
    static QString timelineText(const QString &action, const QString &detail,
                                bool *understood = nullptr);
};

} // namespace sd::ui
