#include "console/useradminservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "console/signupoverview.h"
#include "context.h"
#include "flows/oauth/oauthstore.h"
#include "sqlquery.h"
#include "transaction.h"
#include "validation/names.h"
#include "webhooks/webhooks.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

const QString kUsersColumns =
    u"SELECT u.id, u.username, u.email, u.display_name, u.status, u.is_superuser,"
    " u.sign_up_time, u.approved_at, u.approved_by,"
    " (SELECT COUNT(*) FROM tokens t WHERE t.user_id = u.id AND t.kind = 'session'"
    "   AND t.revoked_at IS NULL AND t.expires_at > ?),"
    " u.groups_list, (SELECT l.at FROM user_last_login l WHERE l.user_id = u.id),"
    " u.mfa_enabled"
    " FROM "_s;
const QString kUsersSql = kUsersColumns + u"users u"_s;

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

// The ORDER BY of a query: the keys of its order (by UserQuery::Order, each over an index of
// migrations 1, 14 or 16), then the id so that pages neither repeat nor skip rows, all in the
// query's direction. Inside the window's sub-select (`inner`) the last login is l.at, over
// user_last_login's index; outside it, the sub-select's column last_login.
QString userOrderBy(const UserQuery &query, bool inner)
{
    static const QList<QStringList> keysOf = {{u"u.sign_up_time"_s, u"u.id"_s},
                                              {u"u.username_key"_s, u"u.id"_s},
                                              {u"u.email_key"_s, u"u.id"_s},
                                              {u"lower(u.display_name)"_s, u"u.id"_s},
                                              {u"u.status"_s, u"u.sign_up_time"_s, u"u.id"_s},
                                              {u"l.at"_s, u"l.user_id"_s}};
    const QString direction = query.descending ? u" DESC"_s : u" ASC"_s;
    const QStringList keys = query.order == UserQuery::Order::LastLogin && !inner
                                 ? QStringList{u"u.last_login"_s, u"u.id"_s}
                                 : keysOf.at(int(query.order));
    return u" ORDER BY "_s + keys.join(direction + u", "_s) + direction;
}

// The window's accounts (rows offset .. offset + limit - 1 of the list), as a sub-select named
// u, and its values. Sorted by last login it carries the column last_login.
std::pair<QString, QVariantList> userWindow(const UserQuery &query, const ConsoleListPlan &plan,
                                            int offset, int limit)
{
    QVariantList params = plan.params;
    params << limit << offset;
    const QString window = u" LIMIT ? OFFSET ?"_s;
    if (query.order != UserQuery::Order::LastLogin)
        return {u"(SELECT u.* FROM users u"_s + plan.where + userOrderBy(query, true) + window +
                    u") u"_s,
                params};
    // Every account by last login: the window is read from user_last_login's index alone (an
    // offset skips index entries, not joined rows) and only its rows meet users. Every
    // account has its row (accountstore::insert), and a row its account (the foreign key).
    if (query.statuses.isEmpty() && query.words.isEmpty())
        return {u"(SELECT u.*, w.at AS last_login FROM (SELECT l.user_id, l.at"
                " FROM user_last_login l"_s +
                    userOrderBy(query, true) + window +
                    u") w JOIN users u ON u.id = w.user_id) u"_s,
                {limit, offset}};
    return {u"(SELECT u.*, l.at AS last_login FROM users u"
            " JOIN user_last_login l ON l.user_id = u.id"_s +
                plan.where + userOrderBy(query, true) + window + u") u"_s,
            params};
}

} // namespace

Result<QList<UserRow>> UserAdminService::query(const QString &where,
                                               const QVariantList &params) const
{
    return rows(kUsersSql + where + u" ORDER BY u.sign_up_time, u.id"_s, params);
}

Result<UserListPage> UserAdminService::page(const UserQuery &query, int offset, int limit,
                                            int countAhead) const
{
    // Every word must start the username, the email address or the display name.
    static const QStringList columns = {u"%1username_key"_s, u"%1email_key"_s,
                                        u"lower(%1display_name)"_s};
    UserListPage out;
    out.offset = std::max(0, offset);
    const qint64 cap = qint64(out.offset) + std::max(0, limit) + std::max(0, countAhead);
    auto plan =
        planConsoleList(m_ctx, {u" WHERE 1 = 1"_s, {}, query.statuses, query.words, columns}, cap);
    if (!plan)
        return std::unexpected(plan.error());
    out.total = int(plan->total);
    out.totalIsExact = plan->totalIsExact;
    // The window's accounts are picked first, in a sub-select, so the session counts run only
    // for the rows returned.
    if (limit > 0 && out.offset < out.total) {
        const auto [window, params] = userWindow(query, *plan, out.offset, limit);
        auto rows = this->rows(kUsersColumns + window + userOrderBy(query, false), params);
        if (!rows)
            return std::unexpected(rows.error());
        out.rows = std::move(*rows);
    }
    return out;
}

Result<QList<UserRow>> UserAdminService::rows(const QString &sql, const QVariantList &params) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    QVariantList all{m_ctx.clock.nowMs()};
    all += params;
    auto q = store::runQuery(*db, sql, all);
    if (!q)
        return dbFail(q.error());
    QList<UserRow> out;
    while (q->next()) {
        UserRow r;
        r.id = q->value(0).toString();
        r.username = q->value(1).toString();
        r.email = q->value(2).toString();
        r.displayName = q->value(3).toString();
        r.status =
            accountStatusFromString(q->value(4).toString()).value_or(AccountStatus::Disabled);
        r.isSuperuser = q->value(5).toInt() != 0;
        r.signUpTimeMs = q->value(6).toLongLong();
        r.approvedAt = q->value(7).toLongLong();
        r.approvedBy = q->value(8).toString();
        r.liveSessions = q->value(9).toInt();
        r.groups = q->value(10).toString().split(u',', Qt::SkipEmptyParts);
        r.lastLoginMs = q->value(11).toLongLong();
        r.mfaEnabled = q->value(12).toInt() != 0;
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

Result<QHash<QString, QString>> UserAdminService::usernames() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db, u"SELECT id, username FROM users"_s, {});
    if (!q)
        return dbFail(q.error());
    QHash<QString, QString> out;
    while (q->next())
        out.insert(q->value(0).toString(), q->value(1).toString());
    return out;
}

Result<UserPage> UserAdminService::search(const UserSearch &search) const
{
    // The cursor is "<sign_up_time>:<id>" of the last row, base64url: opaque to clients.
    qint64 afterTime = -1;
    QString afterId;
    if (!search.after.isEmpty()) {
        const QString plain = QString::fromUtf8(
            QByteArray::fromBase64(search.after.toLatin1(),
                                   QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        const qsizetype colon = plain.indexOf(u':');
        bool ok = false;
        afterTime = colon > 0 ? plain.left(colon).toLongLong(&ok) : -1;
        afterId = plain.mid(colon + 1);
        if (!ok || afterId.isEmpty()) {
            Error e{ErrorCode::Validation, u"bad cursor"_s, {}, 0};
            e.fields[u"after"_s] << u"invalid"_s;
            return std::unexpected(e);
        }
    }
    QString where = u" WHERE 1 = 1"_s;
    QVariantList params;
    if (!search.query.isEmpty()) {
        QString like = search.query.toLower();
        like.replace(u'\\', u"\\\\"_s).replace(u'%', u"\\%"_s).replace(u'_', u"\\_"_s);
        like = u'%' + like + u'%';
        where += u" AND (lower(username) LIKE ? ESCAPE '\\' OR lower(email) LIKE ? ESCAPE '\\'"
                 " OR lower(display_name) LIKE ? ESCAPE '\\')"_s;
        params << like << like << like;
    }
    if (search.status) {
        where += u" AND status = ?"_s;
        params << toString(*search.status);
    }
    if (afterTime >= 0) {
        where += u" AND (sign_up_time > ? OR (sign_up_time = ? AND id > ?))"_s;
        params << afterTime << afterTime << afterId;
    }
    const int limit = std::clamp(search.limit, 1, 500);
    params << limit + 1;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db,
                             u"SELECT "_s + accountstore::selectColumns({}) +
                                 u", (SELECT at FROM user_last_login WHERE user_id = users.id)"
                                 " FROM users"_s +
                                 where + u" ORDER BY sign_up_time, id LIMIT ?"_s,
                             params);
    if (!q)
        return dbFail(q.error());
    const int lastLoginColumn = int(accountstore::selectColumns({}).count(u',')) + 1;
    UserPage page;
    while (q->next())
        page.users.append(
            {accountstore::readAccount(*q, 0), q->value(lastLoginColumn).toLongLong()});
    if (page.users.size() > limit) {
        page.users.removeLast();
        const Account &last = page.users.constLast().first;
        page.next = QString::fromLatin1(
            (QString::number(last.signUpTimeMs) + u':' + last.id)
                .toUtf8()
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    }
    return page;
}

Result<int> UserAdminService::disable(const QString &userId, const Actor &actor,
                                      const QString &reason)
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
    auto moved =
        accountstore::transition(tx->db(), userId, AccountStatus::Active, AccountStatus::Disabled);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::Conflict, u"account is "_s + toString((*account)->status));
    auto sessions = deleteSessions(tx->db(), userId);
    if (!sessions)
        return dbFail(sessions.error());
    QString detail = u"sessions_revoked=%1"_s.arg(*sessions);
    if (!reason.trimmed().isEmpty())
        detail += u"; reason="_s + reason.trimmed();
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"user.disabled"_s, userId, detail);
        !r)
        return dbFail(r.error());
    if (auto r = queueWebhookEvent(m_ctx, tx->db(), webhookevent::Disabled, userSummary(**account));
        !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    m_ctx.sessionCache.forgetUser(userId); // the sessions end now, not when the cache expires
    emit m_ctx.events.sessionsEnded(userId);
    emit m_ctx.events.userDisabled(userId);
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
    auto moved =
        accountstore::transition(tx->db(), userId, AccountStatus::Disabled, AccountStatus::Active);
    if (!moved)
        return dbFail(moved.error());
    if (!*moved)
        return fail(ErrorCode::Conflict, u"account is "_s + toString((*account)->status));
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"user.enabled"_s, userId); !r)
        return dbFail(r.error());
    // Enabled again: active once more (API.md "Webhooks", user.activated).
    Account enabled = **account;
    enabled.status = AccountStatus::Active;
    if (auto r = queueWebhookEvent(m_ctx, tx->db(), webhookevent::Activated, userObject(enabled));
        !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.userEnabled(userId);
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
    m_ctx.sessionCache.forgetUser(userId); // the sessions end now, not when the cache expires
    emit m_ctx.events.sessionsEnded(userId);
    return *sessions;
}

Result<UserDetails> UserAdminService::details(const QString &userId) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db,
                             u"SELECT "_s + accountstore::selectColumns({}) +
                                 u", (SELECT at FROM user_last_login WHERE user_id = users.id)"
                                 " FROM users WHERE id = ?"_s,
                             {userId});
    if (!q)
        return dbFail(q.error());
    if (!q->next())
        return fail(ErrorCode::NotFound, u"no such account"_s);
    const int lastLoginColumn = int(accountstore::selectColumns({}).count(u',')) + 1;
    UserDetails d;
    d.account = accountstore::readAccount(*q, 0);
    d.lastLoginMs = q->value(lastLoginColumn).toLongLong();
    d.hasPassword = !d.account.passwordHash.isEmpty();
    d.account.passwordHash.clear(); // never further than this
    auto sessions = AccountSessionService(m_ctx).list(userId, {});
    if (!sessions)
        return std::unexpected(sessions.error());
    d.sessions = *sessions;
    auto identities = oauthstore::identitiesOf(*db, userId);
    if (!identities)
        return dbFail(identities.error());
    d.identities = *identities;
    return d;
}

Result<QString> UserAdminService::setDisplayName(const QString &userId, const QString &displayName,
                                                 const Actor &actor)
{
    auto name = names::checkDisplayName(displayName);
    if (!name) {
        Error e{ErrorCode::Validation, u"display name refused"_s, {}, 0};
        e.fields[u"display_name"_s] << name.error();
        return std::unexpected(e);
    }
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto r = store::runQuery(tx->db(), u"UPDATE users SET display_name = ? WHERE id = ?"_s,
                             {*name, userId});
    if (!r)
        return dbFail(r.error());
    if (r->numRowsAffected() != 1)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    if (auto a = auditlog::record(tx->db(), m_ctx.clock.nowMs(), actor.name,
                                  u"user.display_name_changed"_s, userId);
        !a)
        return dbFail(a.error());
    if (auto c = tx->commit(); !c)
        return dbFail(c.error());
    emit m_ctx.events.accountsChanged({userId}); // the lists show the new name
    return *name;
}

Result<void> UserAdminService::endSession(const QString &userId, const QString &sessionId,
                                          const Actor &actor)
{
    return AccountSessionService(m_ctx).end(userId, sessionId, actor);
}

Result<QList<OAuthIdentityRow>> UserAdminService::identities(const QString &userId) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto account = accountstore::findById(*db, userId);
    if (!account)
        return dbFail(account.error());
    if (!*account)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    auto rows = oauthstore::identitiesOf(*db, userId);
    if (!rows)
        return dbFail(rows.error());
    return *rows;
}

Result<void> UserAdminService::unlinkIdentity(const QString &userId, const QString &identityId,
                                              const Actor &actor)
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
    // Only an identity of this account: a stale id from the console never unlinks another's.
    auto linked = oauthstore::identitiesOf(tx->db(), userId);
    if (!linked)
        return dbFail(linked.error());
    const auto it = std::find_if(linked->cbegin(), linked->cend(),
                                 [&](const OAuthIdentityRow &r) { return r.id == identityId; });
    if (it == linked->cend())
        return fail(ErrorCode::NotFound, u"identity not linked to this account"_s);
    auto removed = oauthstore::removeIdentity(tx->db(), identityId);
    if (!removed)
        return dbFail(removed.error());
    if (!*removed) // a concurrent unlink won
        return fail(ErrorCode::NotFound, u"identity already unlinked"_s);
    if (auto r = auditlog::record(
            tx->db(), now, actor.name, u"oauth.unlinked"_s, userId,
            u"provider=%1 provider_user_id=%2"_s.arg(it->provider, it->providerUserId));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return {};
}

} // namespace sd::core
