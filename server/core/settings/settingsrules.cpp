#include "settings/settingsrules.h"

#include "validation/signupvalidator.h"

#include <QRegularExpression>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::core {

QString SettingIssue::message() const
{
    switch (problem) {
    case SettingProblem::AppNotCodeName:
        return u"%1: \"%2\" is not an app code name (1 to 64 letters, digits, dots, dashes or "
               "underscores)"_s.arg(key, subject);
    case SettingProblem::AppListedTwice:
        return u"%1: \"%2\" is listed twice"_s.arg(key, subject);
    case SettingProblem::NoApp:
        return u"%1: name at least one app"_s.arg(key);
    case SettingProblem::GroupEmpty:
        return u"%1: name the group of new accounts"_s.arg(key);
    case SettingProblem::GroupBadCharacter:
        return u"%1: a group name cannot hold a comma or a control character"_s.arg(key);
    case SettingProblem::SmtpUrlInvalid:
        return u"%1: expected an SMTP URL like smtp://host:587 or smtps://user:password@host:465"_s
            .arg(key);
    case SettingProblem::SenderInvalid:
        return u"%1: expected a sender like SignupDesk <noreply@example.org>"_s.arg(key);
    case SettingProblem::TlsOnlyOne:
        return u"server/tls_cert and server/tls_key: set both or neither"_s;
    }
    return key;
}

namespace settingsrules {

QString addressOf(const QString &from)
{
    const qsizetype open = from.lastIndexOf(u'<');
    if (open >= 0 && from.endsWith(u'>'))
        return from.mid(open + 1, from.size() - open - 2).trimmed();
    return from.trimmed();
}

std::optional<SettingIssue> checkApps(const QStringList &apps)
{
    static const QRegularExpression appName(u"^[A-Za-z0-9._-]{1,64}\\z"_s);
    const QString key = u"signup/apps"_s;
    std::optional<SettingIssue> issue; // the last problem, as the dialog has always shown it
    QStringList seen;
    for (const QString &app : apps) {
        if (!appName.match(app).hasMatch())
            issue = SettingIssue{SettingProblem::AppNotCodeName, key, app};
        else if (seen.contains(app))
            issue = SettingIssue{SettingProblem::AppListedTwice, key, app};
        seen << app;
    }
    if (apps.isEmpty())
        issue = SettingIssue{SettingProblem::NoApp, key, {}};
    return issue;
}

std::optional<SettingIssue> checkDefaultGroup(const QString &group)
{
    const QString key = u"signup/default_group"_s;
    // New accounts join this group: without one they would join none, unnoticed.
    if (group.trimmed().isEmpty())
        return SettingIssue{SettingProblem::GroupEmpty, key, {}};
    static const QRegularExpression groupName(u"^[^,\\x00-\\x1f\\x7f]*\\z"_s);
    if (!groupName.match(group).hasMatch())
        return SettingIssue{SettingProblem::GroupBadCharacter, key, {}};
    return std::nullopt;
}

std::optional<SettingIssue> checkSmtpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (text.isEmpty() || !url.isValid() ||
        (url.scheme() != u"smtp"_s && url.scheme() != u"smtps"_s) || url.host().isEmpty())
        return SettingIssue{SettingProblem::SmtpUrlInvalid, u"mail/smtp_url"_s, {}};
    return std::nullopt;
}

std::optional<SettingIssue> checkSender(const QString &from)
{
    if (!SignupValidator::isValidEmail(addressOf(from)) || from.contains(u'\n') ||
        from.contains(u'\r'))
        return SettingIssue{SettingProblem::SenderInvalid, u"mail/from"_s, {}};
    return std::nullopt;
}

std::optional<SettingIssue> checkTlsPair(const QString &certFile, const QString &keyFile)
{
    if (certFile.isEmpty() != keyFile.isEmpty())
        return SettingIssue{SettingProblem::TlsOnlyOne, u"server/tls_key"_s, {}};
    return std::nullopt;
}

QList<SettingIssue> check(const Config &config)
{
    QList<SettingIssue> issues;
    for (auto issue : {checkApps(config.apps), checkDefaultGroup(config.defaultGroup),
                       config.mailTransport == u"smtp"_s || !config.smtpUrl.isEmpty()
                           ? checkSmtpUrl(config.smtpUrl)
                           : std::nullopt,
                       checkSender(config.mailFrom), checkTlsPair(config.tlsCert, config.tlsKey)})
        if (issue)
            issues << *issue;
    return issues;
}

} // namespace settingsrules

} // namespace sd::core
