#pragma once

#include "database.h"

#include <optional>

namespace sd::core {

// The stored second factor of an account (table mfa_totp): pending until enabled_at is set.
struct TotpFactorRow
{
    QString userId;
    QString sealedSecret; // SecretBox::seal of the raw secret, the user id as associated data
    qint64 createdAt = 0;
    qint64 enabledAt = 0; // 0: pending (enrolment not confirmed yet)
    qint64 lastStep = 0;  // the newest step whose code was accepted
};

namespace mfastore {

store::DbResult<std::optional<TotpFactorRow>> findFactor(const QSqlDatabase &db,
                                                         const QString &userId);
// Replaces a pending factor (never an enabled one: the caller checked) with a new secret.
store::DbResult<void> putPending(const QSqlDatabase &db, const QString &userId,
                                 const QString &sealedSecret, qint64 nowMs);
// Pending → enabled, with users.mfa_enabled; false when it was not pending any more.
store::DbResult<bool> enable(const QSqlDatabase &db, const QString &userId, qint64 nowMs);
// The guarded UPDATE of SEC-45: records `step` as used when it is newer than every step used
// before. True for exactly one caller per step, however many race (and across instances).
store::DbResult<bool> useStep(const QSqlDatabase &db, const QString &userId, qint64 step);
// Removes the factor and the recovery codes and clears users.mfa_enabled. True when an enabled
// factor was removed.
store::DbResult<bool> remove(const QSqlDatabase &db, const QString &userId);
// The account's recovery codes become exactly these digests.
store::DbResult<void> replaceRecoveryCodes(const QSqlDatabase &db, const QString &userId,
                                           const QStringList &digests, qint64 nowMs);
// Marks an unused code used: true for exactly one caller, however many race.
store::DbResult<bool> useRecoveryCode(const QSqlDatabase &db, const QString &userId,
                                      const QString &digest, qint64 nowMs);
store::DbResult<int> unusedRecoveryCodes(const QSqlDatabase &db, const QString &userId);

} // namespace mfastore
} // namespace sd::core
