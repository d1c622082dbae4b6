#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QString>

namespace sd::ui {

// The console's words for what the audit log and the timelines record: one readable, translated
// label per action or event code (the code itself stays in the tooltips and the CSV export),
// and the actor as a person.
class AuditWords
{
    Q_DECLARE_TR_FUNCTIONS(sd::ui::AuditWords)
public:
    // "Approved", "Login failed", …; an action this console does not know yet: as recorded.
    static QString action(const QString &code);
    // "alice (console)", "bob (command line)", "carol (the user)", "admin dave", "system".
    // `names`: usernames by account id, of live and of deleted accounts (may be empty: "the
    // user", "admin <id>").
    static QString actor(const QString &actor, const QHash<QString, QString> &names = {});
};

} // namespace sd::ui
