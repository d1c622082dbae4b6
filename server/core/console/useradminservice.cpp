#include "console/useradminservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "store/sqlquery.h"
#include "store/transaction.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

const QString kUsersSql =
    u"SELECT u.id, u.username, u.email, u.display_name, u.status, u.is_superuser,"
    " u.sign_up_time, u.approved_at, u.approved_by,"
    " (SELECT COUNT(*) FROM tokens t WHERE t.user_id = u.id AND t.kind = 'session'"
    "   AND t.revoked_at IS NULL AND t.expires_at > ?)"
    " FROM users u"_s;

// Session rows are deleted, as SessionService::revokeAll does, but on the caller's
// transaction so the change and its audit entry commit together.
store::DbResult<int> deleteSessions(const QSqlDatabase &db, const QString &userId)
{
    auto r = store::runQuery(db, u"DELETE FROM tokens WHERE user_id = ? AND kind = 'session'"_s,
                             {userId});
    if (!r)
        return std::unexpected(r.error());
    return r->numRowsAffected();
}

} // namespace

Result<QList<UserRow>> UserAdminService::query(const QString &where, const QVariantList &params) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    QVariantList all{m_ctx.clock.nowMs()};
    all += params;
    auto q = store::runQuery(*db, kUsersSql + where + u" ORDER BY u.sign_up_time, u.id"_s, all);
    if (!q)
        return dbFail(q.error());
    QList<UserRow> out;
    while (q->next()) {
        UserRow r;
        r.id = q->value(0).toString();
        r.username = q->value(1).toString();
        r.email = q->value(2).toString();
        r.displayName = q->value(3).toString();
        r.status = accountStatusFromString(q->value(4).toString()).value_or(AccountStatus::Disabled);
        r.isSuperuser = q->value(5).toInt() != 0;
        r.signUpTimeMs = q->value(6).toLongLong();
        r.approvedAt = q->value(7).toLongLong();
        r.approvedBy = q->value(8).toString();
        r.liveSessions = q->value(9).toInt();
        out.append(r);
    }
    return out;
}

Result<QList<UserRow>> UserAdminService::list() const
{
    return query({}, {});
}

Result<std::optional<UserRow>> UserAdminService::find(const QString &userId) const
{
    auto rows = query(u" WHERE u.id = ?"_s, {userId});
    if (!rows)
        return std::unexpected(rows.error());
    if (rows->isEmpty())
        return std::optional<UserRow>();
    return std::optional<UserRow>(rows->constFirst());
}

Result<int> UserAdminService::disable(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    if ((*account)->isSuperuser)
        return fail(ErrorCode::Forbidden, u"super-users are managed with the CLI"_s);
    auto moved = accountstore::transition(tx->db(), userId, AccountStatus::Active, AccountStatus::Disabled);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::Conflict, u"account is "_s + toString((*account)->status));
    auto sessions = deleteSessions(tx->db(), userId);
    if (!sessions)
        return dbFail(sessions.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"user.disabled"_s, userId,
                                  u"sessions_revoked=%1"_s.arg(*sessions));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return *sessions;
}

Result<void> UserAdminService::enable(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    auto moved = accountstore::transition(tx->db(), userId, AccountStatus::Disabled, AccountStatus::Active);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::Conflict, u"account is "_s + toString((*account)->status));
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"user.enabled"_s, userId); !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return {};
}

Result<int> UserAdminService::revokeSessions(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findById(tx->db(), userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    auto sessions = deleteSessions(tx->db(), userId);
    if (!sessions)
        return dbFail(sessions.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"sessions.revoked"_s, userId,
                                  u"sessions=%1"_s.arg(*sessions));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return *sessions;
}

} // namespace sd::core
