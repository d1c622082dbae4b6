#pragma once

#include "accounts/account.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// Admin operations on a signup's verification that only the console offers (approve and
// reject are ApprovalService's). Each is one guarded transaction with its audit entry:
// the account must still be pending verification when the change commits.
class SignupAdminService
{
public:
    explicit SignupAdminService(const Context &ctx) : m_ctx(ctx) {}

    // Marks the email verified without a token, as an admin; the reason is recorded.
    // NotFound, Validation (empty reason), Conflict unless pending_verification. The account
    // moves on as after a user's verification (pending_approval, or active + welcome email).
    Result<Account> markVerified(const QString &userId, const QString &reason, const Actor &actor);
    // Revokes the account's live verification tokens. NotFound; Conflict when none is live.
    Result<int> revokeVerification(const QString &userId, const Actor &actor);
    // Revokes the live tokens and issues a fresh one, emailed. NotFound; Conflict unless
    // pending_verification.
    Result<void> resendVerification(const QString &userId, const Actor &actor);

private:
    const Context &m_ctx;
};

} // namespace sd::core
