#include "accounts/account.h"

using namespace Qt::StringLiterals;

namespace sd::core {

QString toString(AccountStatus status)
{
    switch (status) {
    case AccountStatus::PendingVerification:
        return u"pending_verification"_s;
    case AccountStatus::PendingApproval:
        return u"pending_approval"_s;
    case AccountStatus::Active:
        return u"active"_s;
    case AccountStatus::Disabled:
        return u"disabled"_s;
    }
    return {};
}

std::optional<AccountStatus> accountStatusFromString(const QString &text)
{
    for (auto s : {AccountStatus::PendingVerification, AccountStatus::PendingApproval,
                   AccountStatus::Active, AccountStatus::Disabled})
        if (toString(s) == text)
            return s;
    return std::nullopt;
}

} // namespace sd::core
