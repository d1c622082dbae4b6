#include "flows/recovery/emailchangeservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "emails/mailcomposer.h"
#include "flows/codecheck.h"
#include "flows/flowsupport.h"
#include "flows/recovery/reauthentication.h"
#include "outbox.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

Result<void> EmailChangeService::request(const SessionUser &user, const QString &newEmail,
                                         const QString &currentPassword, const RequestInfo &request)
{
    auto account =
        checkCurrentPassword(m_ctx, user.account.id, currentPassword, request, u"email change"_s);
    if (!account)
        return std::unexpected(account.error());
    const QString address = newEmail.trimmed();
    Error invalid{ErrorCode::Validation, u"new email"_s, {}, 0};
    if (address.isEmpty())
        invalid.fields[u"new_email"_s] << u"required"_s;
    else if (!SignupValidator::isValidEmail(address))
        invalid.fields[u"new_email"_s] << u"invalid_format"_s;
    else if (emailKey(address) == emailKey(account->email))
        invalid.fields[u"new_email"_s] << u"unchanged"_s;
    if (!invalid.fields.isEmpty())
        return std::unexpected(invalid);
    clearLoginFailures(m_ctx, *account);
    // The new address's mail budget (SEC-10): the same whether or not another account has it.
    if (auto limited = limitMailsTo(m_ctx, u"email-change"_s, address); !limited)
        return limited;
    // SEC-42: whether the address is taken is looked up after the answer.
    const Context *ctx = &m_ctx;
    const QString userId = account->id;
    m_ctx.afterAnswer.post([ctx, userId, address, request] {
        if (auto r = EmailChangeService(*ctx).send(userId, address, request); !r)
            qWarning("email change: %s", qPrintable(r.error().detail));
    });
    return {};
}

Result<void> EmailChangeService::send(const QString &userId, const QString &newEmail,
                                      const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->status == AccountStatus::Disabled)
        return {};
    auto holder = accountstore::findByEmail(tx->db(), newEmail);
    if (!holder)
        return dbFail(holder.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::EmailChange, now); !r)
        return dbFail(r.error());
    MailComposer composer(m_ctx);
    if (*holder) {
        // Another account has the address: it learns only that someone tried it.
        const mail::Message notice = composer.alreadyRegistered(newEmail, (*account)->language);
        if (auto r =
                mail::Outbox::enqueue(tx->db(), u"already_registered"_s, QString(), notice, now);
            !r)
            return dbFail(r.error());
    } else {
        auto issued = issueCodedToken(m_ctx, tx->db(), userId, TokenKind::EmailChange,
                                      m_ctx.config.recoveryTtlSeconds, newEmail);
        if (!issued)
            return std::unexpected(issued.error());
        const mail::Message link =
            composer.emailChange(**account, newEmail, issued->token, issued->code);
        if (auto r = mail::Outbox::enqueue(tx->db(), u"email_change"_s, userId, link, now); !r)
            return dbFail(r.error());
    }
    // SEC-44: the current address hears of it either way.
    const mail::Message notice = composer.emailChangeNotice(**account, newEmail);
    if (auto r = mail::Outbox::enqueue(tx->db(), u"email_change_notice"_s, userId, notice, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + userId, u"email_change.requested"_s,
                                  userId, u"from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

Result<EmailChangeView> EmailChangeService::inspect(const QString &token) const
{
    if (token.isEmpty())
        return fail(ErrorCode::InvalidToken, u"no token"_s);
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = tokenstore::findByHash(*db, m_ctx.digest.digest(token), TokenKind::EmailChange);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(m_ctx.clock.nowMs()))
        return fail(ErrorCode::InvalidToken, u"unknown, used or expired email change"_s);
    auto account = accountstore::findById(*db, (*row)->userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->status == AccountStatus::Disabled)
        return fail(ErrorCode::InvalidToken, u"account gone or disabled"_s);
    return EmailChangeView{**account, (*row)->payload};
}

Result<Account> EmailChangeService::confirm(const QString &token, const RequestInfo &request)
{
    const QStringList keys{u"email-change-fail:ip:"_s + request.remoteIp};
    if (auto budget = failureBudget(m_ctx, keys); !budget)
        return std::unexpected(budget.error());
    auto row = [&]() -> Result<TokenRow> {
        if (token.isEmpty())
            return fail(ErrorCode::InvalidToken, u"no token"_s);
        auto db = m_ctx.database.connection();
        if (!db)
            return dbFail(db.error());
        auto r = tokenstore::findByHash(*db, m_ctx.digest.digest(token), TokenKind::EmailChange);
        if (!r)
            return dbFail(r.error());
        if (!*r)
            return fail(ErrorCode::InvalidToken, u"unknown email change token"_s);
        return **r;
    }();
    Result<Account> done = std::unexpected(Error{});
    if (row)
        done = apply(*row, u"link"_s, request);
    else
        done = std::unexpected(row.error());
    if (!done && done.error().code == ErrorCode::InvalidToken)
        countFailure(m_ctx, keys);
    return done;
}

Result<Account> EmailChangeService::confirmCode(const SessionUser &user, const QString &code,
                                                const RequestInfo &request)
{
    const QStringList keys{u"email-change-fail:user:"_s + user.account.id};
    if (auto budget = failureBudget(m_ctx, keys); !budget)
        return std::unexpected(budget.error());
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = matchCode(m_ctx, *db, user.account.id, TokenKind::EmailChange, code,
                         u"email_change.failed"_s);
    if (!row)
        return std::unexpected(row.error());
    if (!*row) {
        countFailure(m_ctx, keys);
        return fail(ErrorCode::InvalidToken, u"no live email change or wrong code"_s);
    }
    return apply(**row, u"code"_s, request);
}

Result<Account> EmailChangeService::apply(const TokenRow &row, const QString &how,
                                          const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    const QString newEmail = row.payload;
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto found = accountstore::findById(tx->db(), row.userId);
    if (!found)
        return dbFail(found.error());
    if (!*found || (*found)->status == AccountStatus::Disabled || newEmail.isEmpty())
        return fail(ErrorCode::InvalidToken, u"account gone or disabled"_s);
    Account account = **found;
    // Checked again now: the address may have been taken since the link was sent.
    auto holder = accountstore::findByEmail(tx->db(), newEmail);
    if (!holder)
        return dbFail(holder.error());
    if (*holder && (*holder)->id != account.id)
        return fail(ErrorCode::InvalidToken, u"address taken meanwhile"_s);
    auto consumed = tokenstore::consume(tx->db(), row.id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidToken, u"email change used, revoked, burned or expired"_s);
    // The unique email key settles a race with a signup or another change that the check
    // above could not see yet: the loser's transaction rolls back.
    if (auto r = accountstore::setVerifiedEmail(tx->db(), account.id, newEmail); !r)
        return fail(ErrorCode::InvalidToken, u"address taken meanwhile: "_s + r.error().message);
    if (auto r = tokenstore::revokeAll(tx->db(), account.id, TokenKind::EmailChange, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + account.id, u"email.changed"_s,
                                  account.id, how + u" from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    account.email = newEmail;
    account.verifiedEmail = true;
    if (auto r =
            queueWebhookEvent(m_ctx, tx->db(), webhookevent::EmailChanged, userObject(account));
        !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    // Cached sessions hold the old address.
    m_ctx.sessionCache.forgetUser(account.id);
    emit m_ctx.events.sessionsEnded(account.id); // other instances' caches too
    emit m_ctx.events.emailChanged(account.id);
    return account;
}

} // namespace sd::core
