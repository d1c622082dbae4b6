#include "flows/account/accountsessions.h"

#include "audit/auditlog.h"
#include "context.h"
#include "sqlquery.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Audits the ending on the caller's transaction, commits, and stops the ended sessions at
// once here and (sessionsEnded) on every other instance.
Result<void> commitEnded(const Context &ctx, store::Transaction &tx, const QString &userId,
                         const QString &action, const QString &detail,
                         const std::optional<Actor> &actor = std::nullopt)
{
    const QString actorName = actor ? actor->name : u"user:"_s + userId;
    if (auto a = auditlog::record(tx.db(), ctx.clock.nowMs(), actorName, action, userId, detail);
        !a)
        return dbFail(a.error());
    if (auto c = tx.commit(); !c)
        return dbFail(c.error());
    // The cache is keyed by token digest: forgetting the account's entries is the sure way.
    ctx.sessionCache.forgetUser(userId);
    emit ctx.events.sessionsEnded(userId);
    return {};
}

} // namespace

Result<QList<SessionInfo>> AccountSessionService::list(const QString &userId,
                                                       const QString &currentSessionId) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    const qint64 now = m_ctx.clock.nowMs();
    const qint64 idleMs = m_ctx.live.current()->sessionIdleSeconds * 1000;
    auto q = store::runQuery(
        *db,
        u"SELECT id, created_at, last_used_at, ip, user_agent FROM tokens"
        " WHERE user_id = ? AND kind = 'session' AND revoked_at IS NULL AND expires_at > ?"
        " AND last_used_at > ? ORDER BY created_at DESC, id DESC"_s,
        {userId, now, now - idleMs});
    if (!q)
        return dbFail(q.error());
    QList<SessionInfo> out;
    while (q->next()) {
        SessionInfo s;
        s.id = q->value(0).toString();
        s.createdAtMs = q->value(1).toLongLong();
        s.lastUsedAtMs = q->value(2).toLongLong();
        s.ip = q->value(3).toString();
        s.userAgent = q->value(4).toString();
        s.current = s.id == currentSessionId;
        out.append(s);
    }
    return out;
}

Result<void> AccountSessionService::end(const QString &userId, const QString &sessionId,
                                        const std::optional<Actor> &actor)
{
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    // Guarded by the owner: another account's id deletes nothing and answers like an unknown one.
    auto r = store::runQuery(
        tx->db(), u"DELETE FROM tokens WHERE id = ? AND user_id = ? AND kind = 'session'"_s,
        {sessionId, userId});
    if (!r)
        return dbFail(r.error());
    if (r->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, u"no such session of this account"_s);
    return commitEnded(m_ctx, *tx, userId, u"session.ended"_s, sessionId, actor);
}

Result<int> AccountSessionService::endOthers(const QString &userId, const QString &currentSessionId)
{
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto r = store::runQuery(
        tx->db(), u"DELETE FROM tokens WHERE user_id = ? AND kind = 'session' AND id <> ?"_s,
        {userId, currentSessionId});
    if (!r)
        return dbFail(r.error());
    const int ended = r->numRowsAffected();
    if (auto done = commitEnded(m_ctx, *tx, userId, u"sessions.revoked_others"_s,
                                u"sessions=%1"_s.arg(ended));
        !done)
        return std::unexpected(done.error());
    return ended;
}

} // namespace sd::core
