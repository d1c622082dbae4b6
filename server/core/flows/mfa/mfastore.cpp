#include "flows/mfa/mfastore.h"

#include "crypto/crypto.h"
#include "sqlquery.h"

using namespace Qt::StringLiterals;
using sd::store::DbResult;
using sd::store::runQuery;

namespace sd::core::mfastore {

DbResult<std::optional<TotpFactorRow>> findFactor(const QSqlDatabase &db, const QString &userId)
{
    auto q = runQuery(db,
                      u"SELECT user_id, secret_sealed, created_at, enabled_at, last_step"
                      " FROM mfa_totp WHERE user_id = ?"_s,
                      {userId});
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<TotpFactorRow>();
    TotpFactorRow row;
    row.userId = q->value(0).toString();
    row.sealedSecret = q->value(1).toString();
    row.createdAt = q->value(2).toLongLong();
    row.enabledAt = q->value(3).isNull() ? 0 : q->value(3).toLongLong();
    row.lastStep = q->value(4).toLongLong();
    return std::optional<TotpFactorRow>(row);
}

DbResult<void> putPending(const QSqlDatabase &db, const QString &userId,
                          const QString &sealedSecret, qint64 nowMs)
{
    if (auto r = runQuery(db, u"DELETE FROM mfa_totp WHERE user_id = ? AND enabled_at IS NULL"_s,
                          {userId});
        !r)
        return std::unexpected(r.error());
    if (auto r = runQuery(db,
                          u"INSERT INTO mfa_totp (user_id, secret_sealed, created_at, last_step)"
                          " VALUES (?, ?, ?, 0)"_s,
                          {userId, sealedSecret, nowMs});
        !r)
        return std::unexpected(r.error());
    return {};
}

DbResult<bool> enable(const QSqlDatabase &db, const QString &userId, qint64 nowMs)
{
    auto q = runQuery(
        db, u"UPDATE mfa_totp SET enabled_at = ? WHERE user_id = ? AND enabled_at IS NULL"_s,
        {nowMs, userId});
    if (!q)
        return std::unexpected(q.error());
    if (q->numRowsAffected() != 1)
        return false;
    if (auto r = runQuery(db, u"UPDATE users SET mfa_enabled = 1 WHERE id = ?"_s, {userId}); !r)
        return std::unexpected(r.error());
    return true;
}

DbResult<bool> useStep(const QSqlDatabase &db, const QString &userId, qint64 step)
{
    auto q =
        runQuery(db, u"UPDATE mfa_totp SET last_step = ? WHERE user_id = ? AND last_step < ?"_s,
                 {step, userId, step});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

DbResult<bool> remove(const QSqlDatabase &db, const QString &userId)
{
    auto factor = runQuery(
        db, u"DELETE FROM mfa_totp WHERE user_id = ? AND enabled_at IS NOT NULL"_s, {userId});
    if (!factor)
        return std::unexpected(factor.error());
    const bool removed = factor->numRowsAffected() > 0;
    for (const QString &sql : {u"DELETE FROM mfa_totp WHERE user_id = ?"_s,
                               u"DELETE FROM mfa_recovery_codes WHERE user_id = ?"_s,
                               u"UPDATE users SET mfa_enabled = 0 WHERE id = ?"_s}) {
        if (auto r = runQuery(db, sql, {userId}); !r)
            return std::unexpected(r.error());
    }
    return removed;
}

DbResult<void> replaceRecoveryCodes(const QSqlDatabase &db, const QString &userId,
                                    const QStringList &digests, qint64 nowMs)
{
    if (auto r = runQuery(db, u"DELETE FROM mfa_recovery_codes WHERE user_id = ?"_s, {userId}); !r)
        return std::unexpected(r.error());
    for (const QString &digest : digests) {
        if (auto r = runQuery(db,
                              u"INSERT INTO mfa_recovery_codes (id, user_id, code_hash, created_at)"
                              " VALUES (?, ?, ?, ?)"_s,
                              {crypto::newId(u"rcv_"), userId, digest, nowMs});
            !r)
            return std::unexpected(r.error());
    }
    return {};
}

DbResult<bool> useRecoveryCode(const QSqlDatabase &db, const QString &userId, const QString &digest,
                               qint64 nowMs)
{
    auto q = runQuery(db,
                      u"UPDATE mfa_recovery_codes SET used_at = ?"
                      " WHERE user_id = ? AND code_hash = ? AND used_at IS NULL"_s,
                      {nowMs, userId, digest});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

DbResult<int> unusedRecoveryCodes(const QSqlDatabase &db, const QString &userId)
{
    auto q = runQuery(
        db, u"SELECT count(*) FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NULL"_s,
        {userId});
    if (!q)
        return std::unexpected(q.error());
    return q->next() ? q->value(0).toInt() : 0;
}

} // namespace sd::core::mfastore
