#include "audit/linkhits.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "crypto/crypto.h"
#include "sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace linkhits {

store::DbResult<void> record(const QSqlDatabase &db, const LinkHit &h)
{
    auto q =
        store::runQuery(db,
                        u"INSERT INTO link_hits (id, at, user_id, token_kind, method, remote_ip,"
                        " user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                        {h.id, h.atMs, h.userId.isEmpty() ? QVariant() : QVariant(h.userId),
                         h.tokenKind, h.method, h.remoteIp, h.userAgent});
    if (!q)
        return std::unexpected(q.error());
    return {};
}

store::DbResult<QList<LinkHit>> list(const QSqlDatabase &db, const QString &userId, int limit)
{
    const QString columns =
        u"SELECT id, at, user_id, token_kind, method, remote_ip, user_agent FROM link_hits"_s;
    auto q =
        userId.isEmpty()
            ? store::runQuery(db, columns + u" ORDER BY at DESC, id LIMIT ?"_s, {limit})
            : store::runQuery(db, columns + u" WHERE user_id = ? ORDER BY at DESC, id LIMIT ?"_s,
                              {userId, limit});
    if (!q)
        return std::unexpected(q.error());
    QList<LinkHit> out;
    while (q->next())
        out.append({q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toString(),
                    q->value(3).toString(), q->value(4).toString(), q->value(5).toString(),
                    q->value(6).toString()});
    return out;
}

} // namespace linkhits

Result<void> LinkHitLog::record(const QString &tokenKind, const QString &token,
                                const QString &userId, const QByteArray &method,
                                const RequestInfo &request, const QString &userAgent)
{
    auto db = m_database.connection();
    if (!db)
        return dbFail(db.error());
    LinkHit hit;
    hit.id = crypto::newId(u"hit_");
    hit.atMs = m_clock.nowMs();
    hit.tokenKind = tokenKind;
    hit.method = QString::fromLatin1(method);
    hit.remoteIp = request.remoteIp;
    hit.userAgent = userAgent.left(kMaxUserAgent);
    if (!token.isEmpty()) {
        TokenKind kind = TokenKind::Verification;
        if (tokenKind == u"login_link"_s)
            kind = TokenKind::LoginLink;
        else if (tokenKind == toString(TokenKind::PasswordReset))
            kind = TokenKind::PasswordReset;
        else if (tokenKind == toString(TokenKind::EmailChange))
            kind = TokenKind::EmailChange;
        auto row = tokenstore::findByHash(*db, m_digest.digest(token), kind);
        if (!row)
            return dbFail(row.error());
        if (*row)
            hit.userId = (*row)->userId;
    } else if (!userId.isEmpty()) {
        auto account = accountstore::findById(*db, userId);
        if (!account)
            return dbFail(account.error());
        if (*account)
            hit.userId = (*account)->id;
    }
    if (auto r = linkhits::record(*db, hit); !r)
        return dbFail(r.error());
    return {};
}

} // namespace sd::core
