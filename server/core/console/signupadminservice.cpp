#include "console/signupadminservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "flows/approval/approvalservice.h"
#include "flows/verification/verificationservice.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// The account behind a console action, or NotFound (super-users are not signups).
Result<Account> findSignup(const QSqlDatabase &db, const QString &userId)
{
    auto account = accountstore::findById(db, userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->isSuperuser)
        return fail(ErrorCode::NotFound, u"no such signup"_s);
    return **account;
}

} // namespace

Result<Account> SignupAdminService::markVerified(const QString &userId, const QString &reason,
                                                 const Actor &actor)
{
    if (reason.trimmed().isEmpty()) {
        Error e{ErrorCode::Validation, u"empty reason"_s, {}, 0};
        e.fields[u"reason"_s] << u"required"_s;
        return std::unexpected(e);
    }
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = findSignup(tx->db(), userId);
    if (!account)
        return account;
    const AccountStatus next = statusAfterVerification(m_ctx.live.current()->approvalRequired);
    auto moved =
        accountstore::transition(tx->db(), userId, AccountStatus::PendingVerification, next);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::Conflict, u"account is "_s + toString(account->status));
    if (auto r = accountstore::setVerified(tx->db(), userId); !r)
        return dbFail(r.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::Verification, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"email.verified_by_admin"_s, userId,
                                  u"reason="_s + reason);
        !r)
        return dbFail(r.error());
    account->verifiedEmail = true;
    account->status = next;
    if (auto r =
            queueWebhookEvent(m_ctx, tx->db(), webhookevent::EmailVerified, userObject(*account));
        !r)
        return std::unexpected(r.error());
    if (next == AccountStatus::Active) {
        auto activated = ApprovalService(m_ctx).activate(tx->db(), *account);
        if (!activated)
            return activated;
        account = *activated;
    }
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.emailVerified(userId);
    if (next == AccountStatus::Active)
        emit m_ctx.events.mailQueued();
    return account;
}

Result<int> SignupAdminService::revokeVerification(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = findSignup(tx->db(), userId);
    if (!account)
        return std::unexpected(account.error());
    auto revoked = tokenstore::revokeAll(tx->db(), userId, TokenKind::Verification, now);
    if (!revoked)
        return dbFail(revoked.error());
    if (*revoked == 0)
        return fail(ErrorCode::Conflict, u"no live verification token"_s);
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"verification.revoked"_s, userId,
                                  u"tokens=%1"_s.arg(*revoked));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return *revoked;
}

Result<void> SignupAdminService::resendVerification(const QString &userId, const Actor &actor)
{
    // Not VerificationService::resend: that one answers alike for every address (it serves
    // anonymous callers) and records the user as the actor; an admin needs the real outcome.
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = findSignup(tx->db(), userId);
    if (!account)
        return std::unexpected(account.error());
    if (account->status != AccountStatus::PendingVerification)
        return fail(ErrorCode::Conflict, u"account is "_s + toString(account->status));
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::Verification, now); !r)
        return dbFail(r.error());
    auto issued = VerificationService(m_ctx).issue(tx->db(), *account);
    if (!issued)
        return std::unexpected(issued.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"verification.resent"_s, userId); !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

} // namespace sd::core
