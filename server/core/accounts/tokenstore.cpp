#include "accounts/tokenstore.h"

#include "sqlquery.h"

using namespace Qt::StringLiterals;
using sd::store::DbResult;
using sd::store::runQuery;

namespace sd::core {

QString toString(TokenKind kind)
{
    switch (kind) {
    case TokenKind::Verification:
        return u"verification"_s;
    case TokenKind::Session:
        return u"session"_s;
    case TokenKind::LoginLink:
        return u"login_link"_s;
    case TokenKind::OAuthConfirmation:
        return u"oauth_confirmation"_s;
    case TokenKind::PasswordReset:
        return u"password_reset"_s;
    case TokenKind::EmailChange:
        return u"email_change"_s;
    case TokenKind::MfaChallenge:
        return u"mfa_challenge"_s;
    }
    return {};
}

namespace tokenstore {

namespace {

const QString kColumns =
    u"SELECT id, user_id, kind, code_hash, code_attempts, created_at, expires_at, used_at,"
    " revoked_at, burned_at, last_used_at, payload FROM tokens"_s;

TokenRow fromRow(const QSqlQuery &q)
{
    TokenRow t;
    t.id = q.value(0).toString();
    t.userId = q.value(1).toString();
    t.kind = q.value(2).toString();
    t.codeHash = q.value(3).toString();
    t.codeAttempts = q.value(4).toInt();
    t.createdAt = q.value(5).toLongLong();
    t.expiresAt = q.value(6).toLongLong();
    t.usedAt = q.value(7).toLongLong();
    t.revokedAt = q.value(8).toLongLong();
    t.burnedAt = q.value(9).toLongLong();
    t.lastUsedAt = q.value(10).toLongLong();
    t.payload = q.value(11).toString();
    return t;
}

QVariant nullableString(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

} // namespace

DbResult<void> insert(const QSqlDatabase &db, const TokenRow &row, const QString &tokenHash)
{
    auto q = runQuery(db,
                      u"INSERT INTO tokens (id, user_id, kind, token_hash, code_hash, created_at,"
                      " expires_at, last_used_at, payload, ip, user_agent)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
                      {row.id, row.userId, row.kind, tokenHash, nullableString(row.codeHash),
                       row.createdAt, row.expiresAt, row.lastUsedAt, nullableString(row.payload),
                       row.ip, row.userAgent.left(256)});
    if (!q)
        return std::unexpected(q.error());
    return {};
}

DbResult<std::optional<TokenRow>> findByHash(const QSqlDatabase &db, const QString &tokenHash,
                                             TokenKind kind)
{
    auto q = runQuery(db, kColumns + u" WHERE token_hash = ? AND kind = ?"_s,
                      {tokenHash, toString(kind)});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<TokenRow>();
    return std::optional<TokenRow>(fromRow(*q));
}

DbResult<std::optional<TokenRow>> findLiveVerification(const QSqlDatabase &db,
                                                       const QString &userId, qint64 nowMs)
{
    return findLive(db, userId, TokenKind::Verification, nowMs);
}

DbResult<std::optional<TokenRow>> findLive(const QSqlDatabase &db, const QString &userId,
                                           TokenKind kind, qint64 nowMs)
{
    auto q = runQuery(db,
                      kColumns + u" WHERE user_id = ? AND kind = ? AND used_at IS NULL"
                                 " AND revoked_at IS NULL AND burned_at IS NULL AND expires_at > ?"
                                 " ORDER BY created_at DESC, id LIMIT 1"_s,
                      {userId, toString(kind), nowMs});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<TokenRow>();
    return std::optional<TokenRow>(fromRow(*q));
}

DbResult<QList<TokenRow>> listForUser(const QSqlDatabase &db, const QString &userId)
{
    auto q = runQuery(db, kColumns + u" WHERE user_id = ? ORDER BY created_at, id"_s, {userId});
    if (!q)
        return std::unexpected(q.error());
    QList<TokenRow> out;
    while (q->next())
        out.append(fromRow(*q));
    return out;
}

DbResult<bool> consume(const QSqlDatabase &db, const QString &tokenId, qint64 nowMs)
{
    auto q = runQuery(db,
                      u"UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL"
                      " AND revoked_at IS NULL AND burned_at IS NULL AND expires_at > ?"_s,
                      {nowMs, tokenId, nowMs});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

DbResult<int> revokeAll(const QSqlDatabase &db, const QString &userId, TokenKind kind, qint64 nowMs)
{
    auto q = runQuery(db,
                      u"UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = ?"
                      " AND used_at IS NULL AND revoked_at IS NULL AND burned_at IS NULL"_s,
                      {nowMs, userId, toString(kind)});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected();
}

DbResult<int> countWrongCode(const QSqlDatabase &db, const QString &tokenId, int maxAttempts,
                             qint64 nowMs)
{
    auto bump = runQuery(db,
                         u"UPDATE tokens SET code_attempts = code_attempts + 1"
                         " WHERE id = ? AND burned_at IS NULL"_s,
                         {tokenId});
    if (!bump)
        return std::unexpected(bump.error());
    auto burn = runQuery(db,
                         u"UPDATE tokens SET burned_at = ? WHERE id = ? AND burned_at IS NULL"
                         " AND code_attempts >= ?"_s,
                         {nowMs, tokenId, maxAttempts});
    if (!burn)
        return std::unexpected(burn.error());
    auto q = runQuery(db, u"SELECT code_attempts FROM tokens WHERE id = ?"_s, {tokenId});
    if (!q)
        return std::unexpected(q.error());
    return q->next() ? q->value(0).toInt() : 0;
}

} // namespace tokenstore
} // namespace sd::core
