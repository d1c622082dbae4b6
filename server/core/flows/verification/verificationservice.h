#pragma once

#include "accounts/account.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

struct IssuedVerification
{
    QString tokenId;
    QString token; // raw: goes into the email (and the signup answer if configured), never stored
    QString code;  // six digits
};

struct ConfirmResult
{
    QString userId;
    bool approvalPending = false;
};

// Email verification: by email + token, by email + 6-digit code (5 wrong codes burn the
// token), by confirm token alone, by signed link (user_id, timestamp, signature); resend.
// Every failure of one kind answers the same error, whatever its cause, so nothing tells
// which emails exist or which tokens were real.
class VerificationService
{
public:
    static constexpr int kMaxCodeAttempts = 5;
    static constexpr qint64 kSignedSkewSeconds = 300;

    explicit VerificationService(const Context &ctx) : m_ctx(ctx) {}

    // Failed submissions are counted per submitted email (or user id) and per client address
    // (SEC-17, ratelimit/verify_*); past the limit every submission, right or wrong, is
    // RateLimited until the window ends, and nothing is consumed meanwhile.
    Result<Account> verifyToken(const QString &email, const QString &token,
                                const RequestInfo &request = {});
    Result<Account> verifyCode(const QString &email, const QString &code,
                               const RequestInfo &request = {});
    Result<ConfirmResult> confirm(const QString &confirmToken, const RequestInfo &request = {});
    Result<Account> verifySigned(const QString &userId, qint64 timestamp, const QString &signature,
                                 const RequestInfo &request = {});
    // Always succeeds for unknown addresses too (the caller answers 202 either way), except
    // RateLimited: the address's mail budget (SEC-10, flowsupport.h) is spent. The lookup and
    // the new token run after the answer (AfterAnswer), so unknown and known cost the same.
    Result<void> resend(const QString &email);

    // Read-only, for the link pages: what a token of this address is now. Spent covers used,
    // revoked, burned and expired tokens of that address; anything else is Invalid.
    enum class TokenState
    {
        Live,
        Spent,
        Invalid
    };
    Result<TokenState> inspectToken(const QString &email, const QString &token) const;

    // Inside an open transaction: a fresh token + code for the account, and its email queued
    // unless `queueMail` is false (the address's mail budget is spent).
    Result<IssuedVerification> issue(const QSqlDatabase &db, const Account &account,
                                     bool queueMail = true);
    // The signature of a signed link for this account in its current verification state.
    QString signatureFor(const Account &account, qint64 timestamp) const;

private:
    Result<void> resendNow(const QString &email);
    // After the answer: one more wrong code for the token; the fifth burns it.
    static void countWrongCode(const Context &ctx, const QString &tokenId, const QString &userId);
    Result<Account> verifyTokenOnce(const QString &email, const QString &token);
    Result<Account> verifyCodeOnce(const QString &email, const QString &code);
    Result<ConfirmResult> confirmOnce(const QString &confirmToken);
    Result<Account> verifySignedOnce(const QString &userId, qint64 timestamp,
                                     const QString &signature);
    // SEC-17: RateLimited while any of the keys has too many failures; counting them.
    QStringList failureKeys(const QString &kind, const QString &subject,
                            const RequestInfo &request) const;
    Result<void> failureBudget(const QStringList &keys) const;
    void countFailure(const QStringList &keys) const;
    // Inside an open transaction: marks the email verified and moves the account on.
    Result<Account> complete(const QSqlDatabase &db, Account account, const QString &how);
    const Context &m_ctx;
};

} // namespace sd::core
