#pragma once

#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// Deleting an active (or any) account for good, by its owner or an administrator.
// In one transaction: the account row (its tokens, sessions and linked identities go with it),
// its link hits, its queued and sent mail, its invitations, and the personal data of its audit
// entries (emptied and marked redacted, see audit/auditchain.h); then `account.deleted` with the
// id is recorded and a goodbye email is queued (not linked to the id). Sessions stop at once
// on every instance (sessionsEnded), and accountDeleted is emitted. Call from a worker thread.
class AccountDeletionService
{
public:
    explicit AccountDeletionService(const Context &ctx) : m_ctx(ctx) {}

    // Self-service: re-authenticated by the password (a wrong one counts as a failed login:
    // InvalidCredentials, RateLimited). Forbidden for a super-user (managed with the CLI).
    Result<void> deleteOwn(const QString &userId, const QString &password,
                           const RequestInfo &request);
    // An administrator's deletion with a reason (Validation when empty). NotFound; Forbidden
    // for a super-user.
    Result<void> deleteByAdmin(const QString &userId, const QString &reason, const Actor &actor);

private:
    Result<void> erase(const QString &userId, const Actor &actor, const QString &detail);
    const Context &m_ctx;
};

} // namespace sd::core
