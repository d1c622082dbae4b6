#include "flows/verification/verificationservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "flows/approval/approvalservice.h"
#include "flows/codecheck.h"
#include "flows/flowsupport.h"
#include "outbox.h"
#include "transaction.h"
#include "webhooks/webhooks.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace sd::core {

Result<IssuedVerification> VerificationService::issue(const QSqlDatabase &db,
                                                      const Account &account, bool queueMail)
{
    const qint64 now = m_ctx.clock.nowMs();
    IssuedVerification v{crypto::newId(u"tok_"), crypto::newToken(), crypto::newSixDigitCode()};
    TokenRow row;
    row.id = v.tokenId;
    row.userId = account.id;
    row.kind = toString(TokenKind::Verification);
    row.codeHash = m_ctx.digest.codeDigest(v.tokenId, v.code);
    row.createdAt = now;
    row.expiresAt = now + m_ctx.live.current()->verificationTtlSeconds * 1000;
    if (auto r = tokenstore::insert(db, row, m_ctx.digest.digest(v.token)); !r)
        return dbFail(r.error());
    if (!queueMail)
        return v;

    MailComposer composer(m_ctx);
    const qint64 timestamp = now / 1000;
    const mail::Message message =
        m_ctx.config.verificationStyle == u"signed"_s
            ? composer.verificationSigned(account, timestamp, signatureFor(account, timestamp))
            : composer.verification(account, v.token, v.code);
    if (auto r = mail::Outbox::enqueue(db, u"verification"_s, account.id, message, now); !r)
        return dbFail(r.error());
    return v;
}

QString VerificationService::signatureFor(const Account &account, qint64 timestamp) const
{
    // The verification state is part of what is signed, so a used link stops working.
    const QString state = account.verifiedEmail ? u"verified"_s : u"unverified"_s;
    return m_ctx.digest.sign(account.id + u'|' + QString::number(timestamp) + u'|' + state);
}

Result<Account> VerificationService::complete(const QSqlDatabase &db, Account account,
                                              const QString &how)
{
    const qint64 now = m_ctx.clock.nowMs();
    const AccountStatus next = statusAfterVerification(m_ctx.live.current()->approvalRequired);
    auto moved = accountstore::transition(db, account.id, AccountStatus::PendingVerification, next);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::InvalidVerification, u"account no longer pending verification"_s);
    if (auto r = accountstore::setVerified(db, account.id); !r)
        return dbFail(r.error());
    if (auto r = tokenstore::revokeAll(db, account.id, TokenKind::Verification, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(db, now, u"user:"_s + account.id, u"email.verified"_s, account.id,
                                  how);
        !r)
        return dbFail(r.error());
    account.verifiedEmail = true;
    account.status = next;
    if (auto r = queueWebhookEvent(m_ctx, db, webhookevent::EmailVerified, userObject(account)); !r)
        return std::unexpected(r.error());
    if (next == AccountStatus::Active) {
        auto activated = ApprovalService(m_ctx).activate(db, account);
        if (!activated)
            return std::unexpected(activated.error());
        account = *activated;
    }
    return account;
}

Result<Account> VerificationService::verifyTokenOnce(const QString &email, const QString &token)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto row =
        tokenstore::findByHash(tx->db(), m_ctx.digest.digest(token), TokenKind::Verification);
    if (!row)
        return dbFail(row.error());
    if (!*row)
        return fail(ErrorCode::InvalidVerification, u"unknown token"_s);
    auto account = accountstore::findById(tx->db(), (*row)->userId);
    if (!account)
        return dbFail(account.error());
    // The email must match too; compared as keys, in constant time.
    if (!*account ||
        !crypto::constantTimeEquals(emailKey((*account)->email).toUtf8(), emailKey(email).toUtf8()))
        return fail(ErrorCode::InvalidVerification, u"token of another address"_s);
    auto consumed = tokenstore::consume(tx->db(), (*row)->id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidVerification, u"token used, revoked, burned or expired"_s);
    auto done = complete(tx->db(), **account, u"token"_s);
    if (!done)
        return done;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.emailVerified(done->id);
    emit m_ctx.events.mailQueued();
    return done;
}

Result<Account> VerificationService::verifyCodeOnce(const QString &email, const QString &code)
{
    static const QRegularExpression sixDigits(u"^[0-9]{6}\\z"_s);
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    // Issue 18 item 5: an unknown address, an account without a live token and a wrong code
    // do the same reads and the same digest before the answer, and write nothing before it.
    auto account = accountstore::findByEmail(tx->db(), email);
    if (!account)
        return dbFail(account.error());
    auto row =
        tokenstore::findLiveVerification(tx->db(), *account ? (*account)->id : QString(), now);
    if (!row)
        return dbFail(row.error());
    const QString tokenId = *row ? (*row)->id : u"tok_none"_s;
    const QByteArray expected = *row ? (*row)->codeHash.toLatin1() : QByteArray();
    const bool right =
        sixDigits.match(code).hasMatch() &
        crypto::constantTimeEquals(m_ctx.digest.codeDigest(tokenId, code).toLatin1(), expected);
    // The wrong codes are also counted in memory, at once, so the next submission already
    // sees a token burned by a count still on its way to the database.
    const QString codeKey = u"wrong-code:"_s + tokenId;
    const qint64 window = m_ctx.live.current()->verificationTtlSeconds;
    const bool burned = m_ctx.limiter.blockedFor(codeKey, kMaxCodeAttempts, window) > 0;
    if (!*row || burned || !right) {
        const bool counts = *row && !burned;
        if (counts)
            (void)m_ctx.limiter.hit(codeKey, kMaxCodeAttempts, window);
        // Counted in the database after the answer (the fifth burns the token); a burst
        // racing the count is held by the per-email failure window (SEC-17).
        const Context *ctx = &m_ctx;
        const QString countedToken = counts ? tokenId : QString();
        const QString userId = *account ? (*account)->id : QString();
        m_ctx.afterAnswer.post(
            [ctx, countedToken, userId] { countWrongCode(*ctx, countedToken, userId); });
        return fail(ErrorCode::InvalidVerification,
                    u"unknown email, no live token or wrong code"_s);
    }
    auto consumed = tokenstore::consume(tx->db(), (*row)->id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidVerification, u"token consumed concurrently"_s);
    auto done = complete(tx->db(), **account, u"code"_s);
    if (!done)
        return done;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.emailVerified(done->id);
    emit m_ctx.events.mailQueued();
    return done;
}

void VerificationService::countWrongCode(const Context &ctx, const QString &tokenId,
                                         const QString &userId)
{
    // Every wrong code leaves one audit row, whoever it was for, and one commit: the work after
    // the answer (which the next request may feel) is alike for known and unknown addresses.
    core::countWrongCode(ctx, tokenId, userId, u"verification.failed"_s);
}

Result<ConfirmResult> VerificationService::confirmOnce(const QString &confirmToken)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto row = tokenstore::findByHash(tx->db(), m_ctx.digest.digest(confirmToken),
                                      TokenKind::Verification);
    if (!row)
        return dbFail(row.error());
    if (!*row)
        return fail(ErrorCode::InvalidToken, u"unknown token"_s);
    auto consumed = tokenstore::consume(tx->db(), (*row)->id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidToken, u"token used, revoked, burned or expired"_s);
    auto account = accountstore::findById(tx->db(), (*row)->userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::InvalidToken, u"account gone"_s);
    auto done = complete(tx->db(), **account, u"confirm_token"_s);
    if (!done) {
        if (done.error().code == ErrorCode::InvalidVerification)
            return fail(ErrorCode::InvalidToken, done.error().detail);
        return std::unexpected(done.error());
    }
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.emailVerified(done->id);
    emit m_ctx.events.mailQueued();
    return ConfirmResult{done->id, done->status == AccountStatus::PendingApproval};
}

Result<Account> VerificationService::verifySignedOnce(const QString &userId, qint64 timestamp,
                                                      const QString &signature)
{
    const qint64 nowSeconds = m_ctx.clock.nowMs() / 1000;
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    // Compute the expected signature even for unknown ids, so both cost the same.
    Account subject;
    subject.id = userId;
    if (*account)
        subject = **account;
    const bool valid =
        m_ctx.digest.verifySignature(subject.id + u'|' + QString::number(timestamp) + u'|' +
                                         (subject.verifiedEmail ? u"verified"_s : u"unverified"_s),
                                     signature);
    if (!valid || !*account)
        return fail(ErrorCode::InvalidSignature, u"bad signature or unknown user"_s);
    if (timestamp + m_ctx.live.current()->verificationTtlSeconds < nowSeconds ||
        timestamp > nowSeconds + kSignedSkewSeconds)
        return fail(ErrorCode::InvalidSignature, u"link expired or from the future"_s);
    auto done = complete(tx->db(), **account, u"signed_link"_s);
    if (!done) {
        if (done.error().code == ErrorCode::InvalidVerification)
            return fail(ErrorCode::InvalidSignature, done.error().detail);
        return done;
    }
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.emailVerified(done->id);
    emit m_ctx.events.mailQueued();
    return done;
}

Result<void> VerificationService::resend(const QString &email)
{
    if (auto limited = limitMailsTo(m_ctx, u"resend"_s, email); !limited)
        return limited;
    // Issue 18 item 5: the answer goes before any account-specific work, so neither its bytes
    // nor its time tell a pending account from an unknown address.
    const Context *ctx = &m_ctx;
    m_ctx.afterAnswer.post([ctx, email] {
        if (auto r = VerificationService(*ctx).resendNow(email); !r)
            qWarning("resend: %s", qPrintable(r.error().detail));
    });
    return {};
}

Result<void> VerificationService::resendNow(const QString &email)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findByEmail(tx->db(), email);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->status != AccountStatus::PendingVerification)
        return {}; // nothing to send
    if (auto r = tokenstore::revokeAll(tx->db(), (*account)->id, TokenKind::Verification, now); !r)
        return dbFail(r.error());
    auto issued = issue(tx->db(), **account);
    if (!issued)
        return std::unexpected(issued.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + (*account)->id,
                                  u"verification.resent"_s, (*account)->id);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

Result<VerificationService::TokenState>
VerificationService::inspectToken(const QString &email, const QString &token) const
{
    if (token.isEmpty())
        return TokenState::Invalid;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = tokenstore::findByHash(*db, m_ctx.digest.digest(token), TokenKind::Verification);
    if (!row)
        return dbFail(row.error());
    if (!*row)
        return TokenState::Invalid;
    auto account = accountstore::findById(*db, (*row)->userId);
    if (!account)
        return dbFail(account.error());
    if (!*account ||
        !crypto::constantTimeEquals(emailKey((*account)->email).toUtf8(), emailKey(email).toUtf8()))
        return TokenState::Invalid;
    if ((*account)->status != AccountStatus::PendingVerification)
        return TokenState::Spent;
    return (*row)->isLive(m_ctx.clock.nowMs()) ? TokenState::Live : TokenState::Spent;
}

// ---------------------------------------------------------------------------------------------
// SEC-17: failed submissions per subject (email or user id) and per client address.

QStringList VerificationService::failureKeys(const QString &kind, const QString &subject,
                                             const RequestInfo &request) const
{
    QStringList keys;
    if (!subject.isNull())
        keys << u"verify-fail:"_s + kind + u':' + subject;
    if (!request.remoteIp.isEmpty())
        keys << u"verify-fail:ip:"_s + request.remoteIp;
    return keys;
}

Result<void> VerificationService::failureBudget(const QStringList &keys) const
{
    return core::failureBudget(m_ctx, keys);
}

void VerificationService::countFailure(const QStringList &keys) const
{
    core::countFailure(m_ctx, keys);
}

Result<Account> VerificationService::verifyToken(const QString &email, const QString &token,
                                                 const RequestInfo &request)
{
    const QStringList keys = failureKeys(u"email"_s, emailKey(email), request);
    if (auto budget = failureBudget(keys); !budget)
        return std::unexpected(budget.error());
    auto result = verifyTokenOnce(email, token);
    if (!result && result.error().code == ErrorCode::InvalidVerification)
        countFailure(keys);
    return result;
}

Result<Account> VerificationService::verifyCode(const QString &email, const QString &code,
                                                const RequestInfo &request)
{
    const QStringList keys = failureKeys(u"email"_s, emailKey(email), request);
    if (auto budget = failureBudget(keys); !budget)
        return std::unexpected(budget.error());
    auto result = verifyCodeOnce(email, code);
    if (!result && result.error().code == ErrorCode::InvalidVerification)
        countFailure(keys);
    return result;
}

Result<ConfirmResult> VerificationService::confirm(const QString &confirmToken,
                                                   const RequestInfo &request)
{
    // A confirm token names no address: counted per client address only.
    const QStringList keys = failureKeys(u"email"_s, QString(), request);
    if (auto budget = failureBudget(keys); !budget)
        return std::unexpected(budget.error());
    auto result = confirmOnce(confirmToken);
    if (!result && result.error().code == ErrorCode::InvalidToken)
        countFailure(keys);
    return result;
}

Result<Account> VerificationService::verifySigned(const QString &userId, qint64 timestamp,
                                                  const QString &signature,
                                                  const RequestInfo &request)
{
    const QStringList keys = failureKeys(u"user"_s, userId, request);
    if (auto budget = failureBudget(keys); !budget)
        return std::unexpected(budget.error());
    auto result = verifySignedOnce(userId, timestamp, signature);
    if (!result && result.error().code == ErrorCode::InvalidSignature)
        countFailure(keys);
    return result;
}

} // namespace sd::core
