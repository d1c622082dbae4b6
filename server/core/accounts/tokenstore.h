#pragma once

#include "database.h"

#include <optional>

namespace sd::core {

enum class TokenKind
{
    Verification,
    Session,
    LoginLink,
    OAuthConfirmation,
    PasswordReset,
    EmailChange,
    MfaChallenge // the mfa_token between a correct password and the second factor
};
QString toString(TokenKind kind);

// One stored token row (never the raw token: only its digest).
struct TokenRow
{
    QString id;
    QString userId;
    QString kind;
    QString codeHash;
    int codeAttempts = 0;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    qint64 usedAt = 0;
    qint64 revokedAt = 0;
    qint64 burnedAt = 0;
    qint64 lastUsedAt = 0;
    QString payload;   // what the token proves besides its account (an email change's new address)
    QString ip;        // sessions: where it was started from (written by insert, not read back)
    QString userAgent; // sessions: the client's User-Agent, at most 256 characters

    bool isLive(qint64 nowMs) const
    {
        return usedAt == 0 && revokedAt == 0 && burnedAt == 0 && expiresAt > nowMs;
    }
};

namespace tokenstore {

store::DbResult<void> insert(const QSqlDatabase &db, const TokenRow &row, const QString &tokenHash);
store::DbResult<std::optional<TokenRow>> findByHash(const QSqlDatabase &db,
                                                    const QString &tokenHash, TokenKind kind);
// The newest live verification token of an account.
store::DbResult<std::optional<TokenRow>> findLiveVerification(const QSqlDatabase &db,
                                                              const QString &userId, qint64 nowMs);
// The newest live token of a kind for an account.
store::DbResult<std::optional<TokenRow>> findLive(const QSqlDatabase &db, const QString &userId,
                                                  TokenKind kind, qint64 nowMs);
store::DbResult<QList<TokenRow>> listForUser(const QSqlDatabase &db, const QString &userId);

// The single guarded consumption: true for exactly one caller, however many race.
store::DbResult<bool> consume(const QSqlDatabase &db, const QString &tokenId, qint64 nowMs);
// Revokes every live token of a kind for an account; returns how many.
store::DbResult<int> revokeAll(const QSqlDatabase &db, const QString &userId, TokenKind kind,
                               qint64 nowMs);
// Counts a wrong code; burns the token at `maxAttempts`. Returns the attempts so far.
store::DbResult<int> countWrongCode(const QSqlDatabase &db, const QString &tokenId, int maxAttempts,
                                    qint64 nowMs);

} // namespace tokenstore
} // namespace sd::core
