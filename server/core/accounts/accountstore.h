#pragma once

#include "accounts/account.h"
#include "database.h"

#include <QList>

namespace sd::core {

// SQL for the users table. Every function runs on the connection it is given, so callers put
// several of them in one transaction.
namespace accountstore {

// The users columns in the order readAccount() expects, optionally prefixed "alias.".
QString selectColumns(const QString &alias);
// An account from a row whose users columns start at `firstColumn`.
Account readAccount(const QSqlQuery &query, int firstColumn);

store::DbResult<std::optional<Account>> findById(const QSqlDatabase &db, const QString &id);
store::DbResult<std::optional<Account>> findByUsername(const QSqlDatabase &db,
                                                       const QString &username);
store::DbResult<std::optional<Account>> findByEmail(const QSqlDatabase &db, const QString &email);
// Username or email, whichever matches.
store::DbResult<std::optional<Account>> findByLogin(const QSqlDatabase &db,
                                                    const QString &identifier);

// The account's row and its last-login row (never: 0), both or neither inside the caller's
// transaction.
store::DbResult<void> insert(const QSqlDatabase &db, const Account &account);
// A successful sign-in at `atMs`: the account's last-login row (migration 16), not users.
store::DbResult<void> recordLogin(const QSqlDatabase &db, const QString &id, qint64 atMs);
// Issue 18 item 1: the pending account a signup with an already registered email makes, so
// the requested username is held exactly as a new signup holds it. It keeps the submitted
// address for the administrators' lists, but under an email key of its own: findByEmail (and
// so login by email, resend, verification by code) never finds it, and only an administrator's
// reject removes it, as for any pending signup.
store::DbResult<void> insertPlaceholder(const QSqlDatabase &db, const Account &account);
store::DbResult<void> insertWithEmailKey(const QSqlDatabase &db, const Account &account,
                                         const QString &key);
// Moves an account from one status to another; false when it was not in `from` any more.
store::DbResult<bool> transition(const QSqlDatabase &db, const QString &id, AccountStatus from,
                                 AccountStatus to);
store::DbResult<void> setVerified(const QSqlDatabase &db, const QString &id);
store::DbResult<void> setGroups(const QSqlDatabase &db, const QString &id,
                                const QStringList &groups);
store::DbResult<void> setPasswordHash(const QSqlDatabase &db, const QString &id,
                                      const QString &hash);
// A confirmed email change: the new address, verified. Fails (the unique email key) when
// another account has it.
store::DbResult<void> setVerifiedEmail(const QSqlDatabase &db, const QString &id,
                                       const QString &email);
store::DbResult<void> setRemoteAddr(const QSqlDatabase &db, const QString &id, const QString &name);
// Deletes the account if its status is one of `allowed`; false otherwise.
store::DbResult<bool> removeIfStatus(const QSqlDatabase &db, const QString &id,
                                     const QList<AccountStatus> &allowed);

// Accounts that are not super-users, optionally of one status, oldest first.
store::DbResult<QList<Account>> listSignups(const QSqlDatabase &db,
                                            std::optional<AccountStatus> status);

} // namespace accountstore
} // namespace sd::core
