#pragma once

#include "config.h"

#include <QList>
#include <QString>

#include <optional>

namespace sd::core {

// What values the editable settings take: one rule per key, used by config loading (a bad
// value in the INI file, the environment or the command line stops the start with a message
// naming the key; the live settings a console changes parse the same way) and by the console's
// Settings dialog (which words each problem for its field).
enum class SettingProblem
{
    AppNotCodeName, // subject: the app
    AppListedTwice, // subject: the app
    NoApp,
    GroupEmpty,
    GroupBadCharacter, // a comma or a control character
    SmtpUrlInvalid,
    SenderInvalid,
    TlsOnlyOne, // a certificate without a key or the reverse
};

struct SettingIssue
{
    SettingProblem problem;
    QString key;     // "section/key" as in the INI file
    QString subject; // the offending part, when there is one (an app name)

    // English, for logs and start-up errors: "signup/apps: …".
    QString message() const;
};

namespace settingsrules {

// The addr-spec of "Name <addr>" or of a bare address.
QString addressOf(const QString &from);

std::optional<SettingIssue> checkApps(const QStringList &apps);
std::optional<SettingIssue> checkDefaultGroup(const QString &group);
std::optional<SettingIssue> checkSmtpUrl(const QString &url);
std::optional<SettingIssue> checkSender(const QString &from);
std::optional<SettingIssue> checkTlsPair(const QString &certFile, const QString &keyFile);

// Every rule above that applies to this config (the SMTP URL when mail/transport=smtp or when
// one is given).
QList<SettingIssue> check(const Config &config);

} // namespace settingsrules

} // namespace sd::core
