#pragma once

#include "accounts/account.h"
#include "accounts/tokenstore.h"
#include "result.h"

#include <optional>

namespace sd::core {

struct Context; // context.h: private to core

// Tokens that come with a 6-digit code (verification, password reset, email change), shared
// by the flows.

// A new token of `kind` for `userId` with its code, stored as digests only (TTL `ttlSeconds`).
struct CodedToken
{
    QString id;
    QString token; // raw: goes into the email, never stored
    QString code;  // six digits
};
Result<CodedToken> issueCodedToken(const Context &ctx, const QSqlDatabase &db,
                                   const QString &userId, TokenKind kind, qint64 ttlSeconds,
                                   const QString &payload = {});

// A code checked against the newest live token of `kind` of `userId`
// (empty: no such account), with the same reads and the same digest whether or not there is
// an account or a token, and nothing written before the answer. Returns the token when the
// code is right. A wrong code is counted in memory at once (the fifth makes every later
// submission fail, even the right code) and in the database after the answer, where the
// fifth burns the token; every wrong code leaves one `auditAction` row, known or not.
Result<std::optional<TokenRow>> matchCode(const Context &ctx, const QSqlDatabase &db,
                                          const QString &userId, TokenKind kind,
                                          const QString &code, const QString &auditAction);
// After the answer (it commits): one `auditAction` row about `userId` and, with a real token
// (`tokenId` not empty), one more wrong code on it; the fifth burns it (token.burned).
void countWrongCode(const Context &ctx, const QString &tokenId, const QString &userId,
                    const QString &auditAction);

// SEC-17 for code and token submissions: RateLimited while any key has had
// ratelimit/verify_failures failures within ratelimit/verify_window_seconds.
Result<void> failureBudget(const Context &ctx, const QStringList &keys);
void countFailure(const Context &ctx, const QStringList &keys);

} // namespace sd::core
