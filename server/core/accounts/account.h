#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace sd::core {

// The life of an account, in one place:
//   signup → pending_verification
//   pending_verification --verify--> pending_approval (approval required) or active
//   pending_approval --approve--> active
//   pending_verification | pending_approval --reject--> (deleted; the audit log remembers)
//   active <--disable/enable--> disabled
enum class AccountStatus
{
    PendingVerification,
    PendingApproval,
    Active,
    Disabled
};

QString toString(AccountStatus status);
std::optional<AccountStatus> accountStatusFromString(const QString &text);

// The status an account takes once its email is verified.
inline AccountStatus statusAfterVerification(bool approvalRequired)
{
    return approvalRequired ? AccountStatus::PendingApproval : AccountStatus::Active;
}
inline bool canApprove(AccountStatus s)
{
    return s == AccountStatus::PendingApproval;
}
inline bool canReject(AccountStatus s)
{
    return s == AccountStatus::PendingVerification || s == AccountStatus::PendingApproval;
}

struct Account
{
    QString id;
    QString username;
    QString email;
    QString displayName;
    QString passwordHash; // empty for accounts without a password
    AccountStatus status = AccountStatus::PendingVerification;
    bool verifiedEmail = false;
    bool isSuperuser = false;
    QStringList apps;
    QStringList groups;
    QString language = QStringLiteral("en");
    qint64 signUpTimeMs = 0;
    QString remoteIp;
    QString remoteAddr;
    QString tosAcceptedVersion;
    bool mfaEnabled = false; // a second factor is on (flows/mfa)

    bool operator==(const Account &) const = default; // every field, a new one too
};

// Keys under which usernames and emails are unique: case-insensitive.
inline QString usernameKey(const QString &username)
{
    return username.toLower();
}
inline QString emailKey(const QString &email)
{
    return email.trimmed().toLower();
}

} // namespace sd::core
