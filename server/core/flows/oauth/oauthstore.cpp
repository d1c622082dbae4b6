#include "flows/oauth/oauthstore.h"

#include "sqlquery.h"

using namespace Qt::StringLiterals;
using sd::store::DbResult;
using sd::store::runQuery;

namespace sd::core::oauthstore {

namespace {

const QString kIdentityColumns =
    u"SELECT id, user_id, provider, provider_user_id, email, created_at FROM oauth_identities"_s;

OAuthIdentityRow identityFromRow(const QSqlQuery &q)
{
    return {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
            q.value(3).toString(), q.value(4).toString(), q.value(5).toLongLong()};
}

} // namespace

DbResult<void> insertState(const QSqlDatabase &db, const QString &stateHash,
                           const QString &provider, const QString &language, qint64 nowMs,
                           qint64 expiresAtMs, const QString &bindingHash)
{
    auto q = runQuery(db,
                      u"INSERT INTO oauth_states (state_hash, provider, language, created_at,"
                      " expires_at, binding_hash) VALUES (?, ?, ?, ?, ?, ?)"_s,
                      {stateHash, provider, language, nowMs, expiresAtMs, bindingHash});
    if (!q)
        return std::unexpected(q.error());
    return {};
}

DbResult<std::optional<OAuthStateRow>> consumeState(const QSqlDatabase &db,
                                                    const QString &stateHash, qint64 nowMs)
{
    auto used =
        runQuery(db,
                 u"UPDATE oauth_states SET used_at = ? WHERE state_hash = ? AND used_at IS NULL"
                 " AND expires_at > ?"_s,
                 {nowMs, stateHash, nowMs});
    if (!used)
        return std::unexpected(used.error());
    if (used->numRowsAffected() != 1)
        return std::optional<OAuthStateRow>();
    auto q = runQuery(
        db, u"SELECT provider, language, binding_hash FROM oauth_states WHERE state_hash = ?"_s,
        {stateHash});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<OAuthStateRow>();
    return std::optional<OAuthStateRow>(
        OAuthStateRow{q->value(0).toString(), q->value(1).toString(), q->value(2).toString()});
}

DbResult<int> deleteExpiredStates(const QSqlDatabase &db, qint64 nowMs)
{
    auto q = runQuery(db, u"DELETE FROM oauth_states WHERE expires_at <= ?"_s, {nowMs});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected();
}

DbResult<std::optional<OAuthIdentityRow>>
findIdentity(const QSqlDatabase &db, const QString &provider, const QString &providerUserId)
{
    auto q = runQuery(db, kIdentityColumns + u" WHERE provider = ? AND provider_user_id = ?"_s,
                      {provider, providerUserId});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<OAuthIdentityRow>();
    return std::optional<OAuthIdentityRow>(identityFromRow(*q));
}

DbResult<void> insertIdentity(const QSqlDatabase &db, const OAuthIdentityRow &row)
{
    auto q =
        runQuery(db,
                 u"INSERT INTO oauth_identities (id, user_id, provider, provider_user_id, email,"
                 " created_at) VALUES (?, ?, ?, ?, ?, ?)"_s,
                 {row.id, row.userId, row.provider, row.providerUserId, row.email, row.createdAt});
    if (!q)
        return std::unexpected(q.error());
    return {};
}

DbResult<QList<OAuthIdentityRow>> identitiesOf(const QSqlDatabase &db, const QString &userId)
{
    auto q =
        runQuery(db, kIdentityColumns + u" WHERE user_id = ? ORDER BY created_at, id"_s, {userId});
    if (!q)
        return std::unexpected(q.error());
    QList<OAuthIdentityRow> out;
    while (q->next())
        out.append(identityFromRow(*q));
    return out;
}

DbResult<bool> removeIdentity(const QSqlDatabase &db, const QString &id)
{
    auto q = runQuery(db, u"DELETE FROM oauth_identities WHERE id = ?"_s, {id});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

} // namespace sd::core::oauthstore
