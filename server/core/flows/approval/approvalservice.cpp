#include "flows/approval/approvalservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "emails/mailcomposer.h"
#include "outbox.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

std::optional<SignupFilter> signupFilterFromString(const QString &text)
{
    if (text == u"pending_approval"_s || text == u"to-confirm"_s)
        return SignupFilter::PendingApproval;
    if (text == u"pending_verification"_s)
        return SignupFilter::PendingVerification;
    if (text == u"all"_s)
        return SignupFilter::All;
    return std::nullopt;
}

Result<QList<Account>> ApprovalService::list(SignupFilter filter)
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    std::optional<AccountStatus> status;
    if (filter == SignupFilter::PendingApproval)
        status = AccountStatus::PendingApproval;
    else if (filter == SignupFilter::PendingVerification)
        status = AccountStatus::PendingVerification;
    auto r = accountstore::listSignups(*db, status);
    if (!r)
        return dbFail(r.error());
    return *r;
}

Result<Account> ApprovalService::activate(const QSqlDatabase &db, Account account)
{
    const qint64 now = m_ctx.clock.nowMs();
    const auto live = m_ctx.live.current();
    if (!live->defaultGroup.isEmpty() && !account.groups.contains(live->defaultGroup)) {
        account.groups.append(live->defaultGroup);
        if (auto r = accountstore::setGroups(db, account.id, account.groups); !r)
            return dbFail(r.error());
    }
    account.status = AccountStatus::Active;
    if (auto r = queueWebhookEvent(m_ctx, db, webhookevent::Activated, userObject(account)); !r)
        return std::unexpected(r.error());
    if (live->mailWelcome) {
        const auto message = MailComposer(m_ctx).welcome(account);
        if (auto r = mail::Outbox::enqueue(db, u"welcome"_s, account.id, message, now); !r)
            return dbFail(r.error());
    }
    return account;
}

Result<Account> ApprovalService::approve(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto moved = accountstore::transition(tx->db(), userId, AccountStatus::PendingApproval,
                                          AccountStatus::Active);
    if (!moved)
        return dbFail(moved.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->isSuperuser)
        return fail(ErrorCode::NotFound, u"no such signup"_s);
    if (!*moved)
        return fail(ErrorCode::Conflict, u"signup is "_s + toString((*account)->status));
    auto activated = activate(tx->db(), **account);
    if (!activated)
        return activated;
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"signup.approved"_s, userId); !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.signupApproved(userId);
    emit m_ctx.events.mailQueued();
    return activated;
}

Result<void> ApprovalService::reject(const QString &userId, const QString &reason,
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
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->isSuperuser)
        return fail(ErrorCode::NotFound, u"no such signup"_s);
    auto removed = accountstore::removeIfStatus(
        tx->db(), userId, {AccountStatus::PendingVerification, AccountStatus::PendingApproval});
    if (!removed)
        return dbFail(removed.error());
    if (!*removed)
        return fail(ErrorCode::Conflict, u"account is "_s + toString((*account)->status));
    if (m_ctx.live.current()->mailRejection) {
        const auto message = MailComposer(m_ctx).rejection(**account, reason);
        if (auto r = mail::Outbox::enqueue(tx->db(), u"rejection"_s, {}, message, now); !r)
            return dbFail(r.error());
    }
    QJsonObject rejected = userSummary(**account);
    rejected.insert(u"reason"_s, reason);
    if (auto r = queueWebhookEvent(m_ctx, tx->db(), webhookevent::Rejected, rejected); !r)
        return std::unexpected(r.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"signup.rejected"_s, userId,
                                  u"username=%1; reason=%2"_s.arg((*account)->username, reason));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.signupRejected(userId);
    emit m_ctx.events.mailQueued();
    return {};
}

} // namespace sd::core
