#pragma once

#include "database.h"

#include <QList>

#include <optional>

namespace sd::core {

// A consumed OAuth state: what init remembered about the flow.
struct OAuthStateRow
{
    QString provider;
    QString language;
    QString bindingHash; // the digest of the browser's cookie (/oauth/start), or empty
};

struct OAuthIdentityRow
{
    QString id;
    QString userId;
    QString provider;
    QString providerUserId;
    QString email;
    qint64 createdAt = 0;
};

// SQL for oauth_states and oauth_identities; each function runs on the connection given.
namespace oauthstore {

store::DbResult<void> insertState(const QSqlDatabase &db, const QString &stateHash,
                                  const QString &provider, const QString &language, qint64 nowMs,
                                  qint64 expiresAtMs, const QString &bindingHash = {});
// The single guarded consumption: the row of a live state for exactly one caller, however
// many race; nullopt for an unknown, used or expired state.
store::DbResult<std::optional<OAuthStateRow>> consumeState(const QSqlDatabase &db,
                                                           const QString &stateHash, qint64 nowMs);
store::DbResult<int> deleteExpiredStates(const QSqlDatabase &db, qint64 nowMs);

store::DbResult<std::optional<OAuthIdentityRow>>
findIdentity(const QSqlDatabase &db, const QString &provider, const QString &providerUserId);
store::DbResult<void> insertIdentity(const QSqlDatabase &db, const OAuthIdentityRow &row);
store::DbResult<QList<OAuthIdentityRow>> identitiesOf(const QSqlDatabase &db,
                                                      const QString &userId);
store::DbResult<bool> removeIdentity(const QSqlDatabase &db, const QString &id);

} // namespace oauthstore
} // namespace sd::core
