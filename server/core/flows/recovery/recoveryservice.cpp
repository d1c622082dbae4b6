#include "flows/recovery/recoveryservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "emails/mailcomposer.h"
#include "flows/codecheck.h"
#include "flows/flowsupport.h"
#include "flows/login/sessionservice.h"
#include "flows/recovery/reauthentication.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Who may get a reset: an active account or one waiting for approval (its email is proven),
// never a disabled one (API.md).
bool mayReset(const Account &a)
{
    return a.status == AccountStatus::Active || a.status == AccountStatus::PendingApproval;
}

Result<void> checkNewPassword(const Context &ctx, const Account &a, const QString &password)
{
    const QStringList problems = ctx.validator.passwordProblems(password, a.username, a.email);
    if (problems.isEmpty())
        return {};
    Error e{ErrorCode::Validation, u"new password"_s, {}, 0};
    e.fields[u"new_password"_s] = problems;
    return std::unexpected(e);
}

} // namespace

Result<void> RecoveryService::requestReset(const QString &email, const RequestInfo &request)
{
    // SEC-10: the same hourly cap as resend and email-link; a cooldown of its own.
    if (auto limited = limitMailsTo(m_ctx, u"password-reset"_s, email); !limited)
        return limited;
    // SEC-42: answered before any account-specific work, as resend and email-link are.
    const Context *ctx = &m_ctx;
    m_ctx.afterAnswer.post([ctx, email, request] {
        if (auto r = RecoveryService(*ctx).sendReset(email, request); !r)
            qWarning("password reset: %s", qPrintable(r.error().detail));
    });
    return {};
}

Result<void> RecoveryService::sendReset(const QString &email, const RequestInfo &request)
{
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findByEmail(tx->db(), email);
    if (!account)
        return dbFail(account.error());
    if (!*account || !mayReset(**account))
        return {}; // nothing to send; the caller answered as for a real reset
    if (auto r = issue(tx->db(), **account); !r)
        return r;
    if (auto r = auditlog::record(tx->db(), m_ctx.clock.nowMs(), u"user:"_s + (*account)->id,
                                  u"password_reset.requested"_s, (*account)->id,
                                  u"from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

Result<void> RecoveryService::issue(const QSqlDatabase &db, const Account &account)
{
    const qint64 now = m_ctx.clock.nowMs();
    // A new request revokes the previous one (SEC-41).
    if (auto r = tokenstore::revokeAll(db, account.id, TokenKind::PasswordReset, now); !r)
        return dbFail(r.error());
    auto issued = issueCodedToken(m_ctx, db, account.id, TokenKind::PasswordReset,
                                  m_ctx.config.recoveryTtlSeconds);
    if (!issued)
        return std::unexpected(issued.error());
    const mail::Message message =
        MailComposer(m_ctx).passwordReset(account, issued->token, issued->code);
    if (auto r = mail::Outbox::enqueue(db, u"password_reset"_s, account.id, message, now); !r)
        return dbFail(r.error());
    return {};
}

Result<std::pair<TokenRow, Account>> RecoveryService::liveToken(const QString &token) const
{
    if (token.isEmpty())
        return fail(ErrorCode::InvalidToken, u"no token"_s);
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = tokenstore::findByHash(*db, m_ctx.digest.digest(token), TokenKind::PasswordReset);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(m_ctx.clock.nowMs()))
        return fail(ErrorCode::InvalidToken, u"unknown, used or expired reset token"_s);
    auto account = accountstore::findById(*db, (*row)->userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || !mayReset(**account))
        return fail(ErrorCode::InvalidToken, u"account gone or disabled"_s);
    return std::pair{**row, **account};
}

Result<Account> RecoveryService::inspect(const QString &token) const
{
    auto live = liveToken(token);
    if (!live)
        return std::unexpected(live.error());
    return live->second;
}

Result<void> RecoveryService::resetWithToken(const QString &token, const QString &newPassword,
                                             const RequestInfo &request)
{
    // A token names no address: failures are counted per client address only (SEC-17).
    const QStringList keys{u"reset-fail:ip:"_s + request.remoteIp};
    if (auto budget = failureBudget(m_ctx, keys); !budget)
        return budget;
    auto live = liveToken(token);
    if (!live) {
        if (live.error().code == ErrorCode::InvalidToken)
            countFailure(m_ctx, keys);
        return std::unexpected(live.error());
    }
    return finishReset(live->first.id, live->second.id, newPassword, u"link"_s, request);
}

Result<void> RecoveryService::resetWithCode(const QString &email, const QString &code,
                                            const QString &newPassword, const RequestInfo &request)
{
    QStringList keys{u"reset-fail:email:"_s + emailKey(email)};
    if (!request.remoteIp.isEmpty())
        keys << u"reset-fail:ip:"_s + request.remoteIp;
    if (auto budget = failureBudget(m_ctx, keys); !budget)
        return budget;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    // SEC-42: an unknown address, a disabled account and a wrong code read and digest alike.
    auto account = accountstore::findByEmail(*db, email);
    if (!account)
        return dbFail(account.error());
    const bool eligible = *account && mayReset(**account);
    const QString userId = eligible ? (*account)->id : QString();
    auto row =
        matchCode(m_ctx, *db, userId, TokenKind::PasswordReset, code, u"password_reset.failed"_s);
    if (!row)
        return std::unexpected(row.error());
    if (!*row) {
        countFailure(m_ctx, keys);
        return fail(ErrorCode::InvalidToken, u"unknown email, no live reset or wrong code"_s);
    }
    return finishReset((*row)->id, userId, newPassword, u"code"_s, request);
}

Result<void> RecoveryService::finishReset(const QString &tokenId, const QString &userId,
                                          const QString &newPassword, const QString &how,
                                          const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto current = [&]() -> Result<Account> {
        auto db = m_ctx.database.connection();
        if (!db)
            return dbFail(db.error());
        auto a = accountstore::findById(*db, userId);
        if (!a)
            return dbFail(a.error());
        if (!*a || !mayReset(**a))
            return fail(ErrorCode::InvalidToken, u"account gone or disabled"_s);
        return **a;
    }();
    if (!current)
        return std::unexpected(current.error());
    // Checked before anything is consumed: a refused password leaves the token usable.
    if (auto ok = checkNewPassword(m_ctx, *current, newPassword); !ok)
        return ok;
    // Hashed before the transaction, so no write lock is held while hashing.
    const QString hash = m_ctx.hasher.hash(newPassword);

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto consumed = tokenstore::consume(tx->db(), tokenId, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidToken, u"reset token consumed concurrently"_s);
    if (auto r = accountstore::setPasswordHash(tx->db(), userId, hash); !r)
        return dbFail(r.error());
    // SEC-41: every session and every other open reset token of the account ends.
    if (auto r = store::runQuery(
            tx->db(), u"DELETE FROM tokens WHERE user_id = ? AND kind = 'session'"_s, {userId});
        !r)
        return dbFail(r.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::PasswordReset, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + userId, u"password.reset"_s, userId,
                                  how + u" from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    const mail::Message notice = MailComposer(m_ctx).passwordChanged(*current);
    if (auto r = mail::Outbox::enqueue(tx->db(), u"password_changed"_s, userId, notice, now); !r)
        return dbFail(r.error());
    if (auto r =
            queueWebhookEvent(m_ctx, tx->db(), webhookevent::PasswordChanged, userObject(*current));
        !r)
        return r;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    m_ctx.sessionCache.forgetUser(userId);
    emit m_ctx.events.sessionsEnded(userId); // other instances' caches too
    emit m_ctx.events.passwordChanged(userId);
    emit m_ctx.events.mailQueued();
    return {};
}

Result<void> RecoveryService::changePassword(const SessionUser &user,
                                             const QString &currentPassword,
                                             const QString &newPassword, const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    const QString userId = user.account.id;
    auto checked =
        checkCurrentPassword(m_ctx, userId, currentPassword, request, u"password change"_s);
    if (!checked)
        return std::unexpected(checked.error());
    const Account &account = *checked;
    if (auto ok = checkNewPassword(m_ctx, account, newPassword); !ok)
        return ok;
    const QString hash = m_ctx.hasher.hash(newPassword);

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    if (auto r = accountstore::setPasswordHash(tx->db(), userId, hash); !r)
        return dbFail(r.error());
    // Every other session ends; the one that asked stays.
    if (auto r = store::runQuery(
            tx->db(), u"DELETE FROM tokens WHERE user_id = ? AND kind = 'session' AND id <> ?"_s,
            {userId, user.sessionId});
        !r)
        return dbFail(r.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::PasswordReset, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + userId, u"password.changed"_s, userId,
                                  u"from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    const mail::Message notice = MailComposer(m_ctx).passwordChanged(account);
    if (auto r = mail::Outbox::enqueue(tx->db(), u"password_changed"_s, userId, notice, now); !r)
        return dbFail(r.error());
    if (auto r =
            queueWebhookEvent(m_ctx, tx->db(), webhookevent::PasswordChanged, userObject(account));
        !r)
        return r;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    m_ctx.sessionCache.forgetUser(userId);
    emit m_ctx.events.sessionsEnded(userId); // other instances' caches too
    clearLoginFailures(m_ctx, account);
    emit m_ctx.events.passwordChanged(userId);
    emit m_ctx.events.mailQueued();
    return {};
}

Result<void> RecoveryService::adminReset(const QString &userId, const Actor &actor)
{
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    if (!(*account)->verifiedEmail)
        return fail(ErrorCode::Conflict, u"email not verified"_s);
    if (!mayReset(**account))
        return fail(ErrorCode::Conflict, u"account disabled"_s);
    if (auto r = issue(tx->db(), **account); !r)
        return r;
    if (auto r = auditlog::record(tx->db(), m_ctx.clock.nowMs(), actor.name,
                                  u"password_reset.requested"_s, userId, u"by an administrator"_s);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

} // namespace sd::core
