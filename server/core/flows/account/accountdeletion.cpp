#include "flows/account/accountdeletion.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "emails/mailcomposer.h"
#include "flows/recovery/reauthentication.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

Result<void> AccountDeletionService::deleteOwn(const QString &userId, const QString &password,
                                               const RequestInfo &request)
{
    // Hashed outside any transaction, so no write lock is held while hashing.
    if (auto ok = checkCurrentPassword(m_ctx, userId, password, request, u"account deletion"_s);
        !ok)
        return std::unexpected(ok.error());
    return erase(userId, {u"user:"_s + userId}, u"by the user"_s);
}

Result<void> AccountDeletionService::deleteByAdmin(const QString &userId, const QString &reason,
                                                   const Actor &actor)
{
    if (reason.trimmed().isEmpty()) {
        Error e{ErrorCode::Validation, u"empty reason"_s, {}, 0};
        e.fields[u"reason"_s] << u"required"_s;
        return std::unexpected(e);
    }
    // The reason is the administrator's own words, kept for accountability as reject keeps it.
    return erase(userId, actor, u"reason="_s + reason.trimmed());
}

Result<void> AccountDeletionService::erase(const QString &userId, const Actor &actor,
                                           const QString &detail)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto found = accountstore::findById(tx->db(), userId);
    if (!found)
        return dbFail(found.error());
    if (!*found)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    const Account account = **found;
    if (account.isSuperuser)
        return fail(ErrorCode::Forbidden, u"super-users are managed with the CLI"_s);

    // What else names the account: its link hits (address, user agent), its mail (address and
    // bodies), invitations to its address, and the details of its audit entries (addresses,
    // usernames). The audit entries stay as links of the chain, emptied.
    const QList<std::pair<QString, QVariantList>> statements = {
        {u"DELETE FROM link_hits WHERE user_id = ?"_s, QVariantList{userId}},
        {u"DELETE FROM outbox WHERE user_id = ?"_s, QVariantList{userId}},
        {u"DELETE FROM invitations WHERE accepted_user_id = ? OR email_key = ?"_s,
         QVariantList{userId, emailKey(account.email)}},
        // The username kept for the console's audit view (subject_name) goes too: a deletion
        // leaves only the id. (A rejected signup keeps its name there.)
        {u"UPDATE audit_log SET detail = '', subject_name = '', redacted_at = ?"
         " WHERE subject_id = ? OR actor = ?"_s,
         QVariantList{now, userId, QString(u"user:"_s + userId)}},
        // Tokens (sessions too) and OAuth identities go with the row (ON DELETE CASCADE).
        {u"DELETE FROM users WHERE id = ?"_s, QVariantList{userId}},
    };
    for (const auto &[sql, params] : statements) {
        if (auto r = store::runQuery(tx->db(), sql, params); !r)
            return dbFail(r.error());
    }
    if (account.verifiedEmail) {
        const auto message = MailComposer(m_ctx).goodbye(account);
        // Not linked to the id: nothing in the outbox points back to the deleted account.
        if (auto r = mail::Outbox::enqueue(tx->db(), u"goodbye"_s, {}, message, now); !r)
            return dbFail(r.error());
    }
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"account.deleted"_s, userId, detail);
        !r)
        return dbFail(r.error());
    if (auto r = queueWebhookEvent(m_ctx, tx->db(), webhookevent::Deleted, userSummary(account));
        !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    m_ctx.sessionCache.forgetUser(userId);
    emit m_ctx.events.sessionsEnded(userId);
    emit m_ctx.events.accountDeleted(userId);
    if (account.verifiedEmail)
        emit m_ctx.events.mailQueued();
    return {};
}

} // namespace sd::core
