#pragma once

#include "accounts/account.h"
#include "accounts/tokenstore.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// Who is changing their own password or email: the account of a checked session and that
// session's token id (the session that stays).
struct SessionUser
{
    Account account;
    QString sessionId;
};

// Password recovery (API.md "Account recovery and self-service", SEC-41…44):
// - requestReset mails a reset link and a 6-digit code (TokenKind::PasswordReset, TTL
//   recovery/ttl_seconds) to an active or pending_approval account and to nothing else, with
//   the same outcome for the caller either way: the address's mail budget (flowsupport.h,
//   shared with resend) is spent at once and the lookup runs after the answer (AfterAnswer),
//   as for email-link. A new request revokes the account's previous reset tokens.
// - resetWithToken / resetWithCode check the token (or email + code: 5 wrong codes burn it),
//   then the new password against the account (a Validation error leaves the token usable),
//   then consume the token with the guarded single-use UPDATE in one transaction with the new
//   hash, the end of every session and every other reset token, the audit row and the notice.
// - changePassword (a signed-in user) checks the current password like a login (a wrong one
//   counts as a failed login) and ends every other session of the account.
// - adminReset mails the same reset email for an administrator (NotFound; Conflict when the
//   email is not verified or the account is disabled).
// An account made through OAuth has no password hash: a reset gives it one.
class RecoveryService
{
public:
    static constexpr int kMaxCodeAttempts = 5;

    explicit RecoveryService(const Context &ctx) : m_ctx(ctx) {}

    Result<void> requestReset(const QString &email, const RequestInfo &request);
    Result<void> resetWithToken(const QString &token, const QString &newPassword,
                                const RequestInfo &request);
    Result<void> resetWithCode(const QString &email, const QString &code,
                               const QString &newPassword, const RequestInfo &request);
    // Read-only, for the page's GET/HEAD: the account a live reset token belongs to.
    Result<Account> inspect(const QString &token) const;
    Result<void> changePassword(const SessionUser &user, const QString &currentPassword,
                                const QString &newPassword, const RequestInfo &request);
    Result<void> adminReset(const QString &userId, const Actor &actor);

private:
    // A live reset token and its account (still allowed a reset), or InvalidToken.
    Result<std::pair<TokenRow, Account>> liveToken(const QString &token) const;
    // After the answer: the lookup, the token and the mail of requestReset.
    Result<void> sendReset(const QString &email, const RequestInfo &request);
    // Inside an open transaction: revokes the account's reset tokens, issues a new one and
    // queues its mail.
    Result<void> issue(const QSqlDatabase &db, const Account &account);
    // The rest of a reset once the token (`tokenId`) and its account are known.
    Result<void> finishReset(const QString &tokenId, const QString &userId,
                             const QString &newPassword, const QString &how,
                             const RequestInfo &request);
    const Context &m_ctx;
};

} // namespace sd::core
