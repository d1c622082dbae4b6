#pragma once

#include "accounts/account.h"
#include "result.h"
#include "vocabulary.h"

#include <QList>

namespace sd::core {

struct Context; // context.h: private to core

enum class SignupFilter
{
    PendingApproval,
    PendingVerification,
    All
};
std::optional<SignupFilter> signupFilterFromString(const QString &text); // accepts "to-confirm"

// Admin decisions on signups, shared by the HTTP admin API, the CLI and the console.
// Approve and reject are guarded transitions: of racing decisions exactly one wins.
class ApprovalService
{
public:
    explicit ApprovalService(const Context &ctx) : m_ctx(ctx) {}

    Result<QList<Account>> list(SignupFilter filter);
    // NotFound for an unknown id, Conflict unless pending_approval.
    Result<Account> approve(const QString &userId, const Actor &actor);
    // Deletes the account and its tokens; NotFound, Conflict if active or disabled;
    // Validation if the reason is empty.
    Result<void> reject(const QString &userId, const QString &reason, const Actor &actor);

    // Inside an open transaction, for an account that just became active: joins the default
    // group and queues the welcome email if configured.
    Result<Account> activate(const QSqlDatabase &db, Account account);

private:
    const Context &m_ctx;
};

} // namespace sd::core
