#include "accounts/accountstore.h"

#include "sqlquery.h"

using namespace Qt::StringLiterals;
using sd::store::DbResult;
using sd::store::runQuery;

namespace sd::core::accountstore {

namespace {

const QStringList kColumnNames = {u"id"_s,
                                  u"username"_s,
                                  u"email"_s,
                                  u"display_name"_s,
                                  u"password_hash"_s,
                                  u"status"_s,
                                  u"verified_email"_s,
                                  u"is_superuser"_s,
                                  u"apps"_s,
                                  u"groups_list"_s,
                                  u"language"_s,
                                  u"sign_up_time"_s,
                                  u"remote_ip"_s,
                                  u"remote_addr"_s,
                                  u"tos_accepted_version"_s,
                                  u"mfa_enabled"_s};

const QString kColumns = u"SELECT "_s + selectColumns({}) + u" FROM users"_s;

QStringList splitList(const QString &s)
{
    return s.split(u',', Qt::SkipEmptyParts);
}

Account fromRow(const QSqlQuery &q)
{
    return readAccount(q, 0);
}

} // namespace

QString selectColumns(const QString &alias)
{
    QStringList out;
    for (const QString &c : kColumnNames)
        out << (alias.isEmpty() ? c : alias + u'.' + c);
    return out.join(u", "_s);
}

Account readAccount(const QSqlQuery &q, int first)
{
    Account a;
    a.id = q.value(first + 0).toString();
    a.username = q.value(first + 1).toString();
    a.email = q.value(first + 2).toString();
    a.displayName = q.value(first + 3).toString();
    a.passwordHash = q.value(first + 4).toString();
    a.status =
        accountStatusFromString(q.value(first + 5).toString()).value_or(AccountStatus::Disabled);
    a.verifiedEmail = q.value(first + 6).toInt() != 0;
    a.isSuperuser = q.value(first + 7).toInt() != 0;
    a.apps = splitList(q.value(first + 8).toString());
    a.groups = splitList(q.value(first + 9).toString());
    a.language = q.value(first + 10).toString();
    a.signUpTimeMs = q.value(first + 11).toLongLong();
    a.remoteIp = q.value(first + 12).toString();
    a.remoteAddr = q.value(first + 13).toString();
    a.tosAcceptedVersion = q.value(first + 14).toString();
    a.mfaEnabled = q.value(first + 15).toInt() != 0;
    return a;
}

namespace {

DbResult<std::optional<Account>> findOne(const QSqlDatabase &db, const QString &where,
                                         const QVariantList &params)
{
    auto q = store::runQueryWith(db, kColumns + u" WHERE "_s + where, params);
    if (!q)
        return std::unexpected(q.error());
    if (!q->next())
        return std::optional<Account>();
    return std::optional<Account>(fromRow(*q));
}

DbResult<void> exec(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> p)
{
    auto q = runQuery(db, sql, p);
    if (!q)
        return std::unexpected(q.error());
    return {};
}

} // namespace

DbResult<std::optional<Account>> findById(const QSqlDatabase &db, const QString &id)
{
    return findOne(db, u"id = ?"_s, {id});
}

DbResult<std::optional<Account>> findByUsername(const QSqlDatabase &db, const QString &username)
{
    return findOne(db, u"username_key = ?"_s, {usernameKey(username)});
}

DbResult<std::optional<Account>> findByEmail(const QSqlDatabase &db, const QString &email)
{
    return findOne(db, u"email_key = ?"_s, {emailKey(email)});
}

DbResult<std::optional<Account>> findByLogin(const QSqlDatabase &db, const QString &identifier)
{
    if (identifier.contains(u'@'))
        return findByEmail(db, identifier);
    return findByUsername(db, identifier);
}

DbResult<void> insert(const QSqlDatabase &db, const Account &a)
{
    return insertWithEmailKey(db, a, emailKey(a.email));
}

DbResult<void> insertPlaceholder(const QSqlDatabase &db, const Account &a)
{
    // Under a key no address normalizes to, so the owner's account keeps the address.
    return insertWithEmailKey(db, a, u"placeholder:"_s + a.id);
}

DbResult<void> insertWithEmailKey(const QSqlDatabase &db, const Account &a, const QString &key)
{
    auto q = runQuery(
        db,
        u"INSERT INTO users (id, username, username_key, email, email_key, display_name,"
        " password_hash, status, verified_email, is_superuser, apps, groups_list, language,"
        " sign_up_time, remote_ip, remote_addr, tos_accepted_version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
        {a.id, a.username, usernameKey(a.username), a.email, key, a.displayName,
         a.passwordHash.isEmpty() ? QVariant() : a.passwordHash, toString(a.status),
         a.verifiedEmail ? 1 : 0, a.isSuperuser ? 1 : 0, a.apps.join(u','), a.groups.join(u','),
         a.language, a.signUpTimeMs, a.remoteIp, a.remoteAddr, a.tosAcceptedVersion});
    if (!q)
        return std::unexpected(q.error());
    // Every account has its last-login row (migration 16): the Users tab's order by last login
    // joins it.
    return exec(db, u"INSERT INTO user_last_login (user_id, at) VALUES (?, 0)"_s, {a.id});
}

DbResult<void> recordLogin(const QSqlDatabase &db, const QString &id, qint64 atMs)
{
    // An upsert, so that an account whose row is missing (made by hand in SQL) gets one.
    return exec(db,
                u"INSERT INTO user_last_login (user_id, at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET at = excluded.at"_s,
                {id, atMs});
}

DbResult<bool> transition(const QSqlDatabase &db, const QString &id, AccountStatus from,
                          AccountStatus to)
{
    auto q = runQuery(db, u"UPDATE users SET status = ? WHERE id = ? AND status = ?"_s,
                      {toString(to), id, toString(from)});
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

DbResult<void> setVerified(const QSqlDatabase &db, const QString &id)
{
    return exec(db, u"UPDATE users SET verified_email = 1 WHERE id = ?"_s, {id});
}

DbResult<void> setGroups(const QSqlDatabase &db, const QString &id, const QStringList &groups)
{
    return exec(db, u"UPDATE users SET groups_list = ? WHERE id = ?"_s, {groups.join(u','), id});
}

DbResult<void> setPasswordHash(const QSqlDatabase &db, const QString &id, const QString &hash)
{
    return exec(db, u"UPDATE users SET password_hash = ? WHERE id = ?"_s, {hash, id});
}

DbResult<void> setVerifiedEmail(const QSqlDatabase &db, const QString &id, const QString &email)
{
    return exec(db, u"UPDATE users SET email = ?, email_key = ?, verified_email = 1 WHERE id = ?"_s,
                {email, emailKey(email), id});
}

DbResult<void> setRemoteAddr(const QSqlDatabase &db, const QString &id, const QString &name)
{
    return exec(db, u"UPDATE users SET remote_addr = ? WHERE id = ?"_s, {name, id});
}

DbResult<bool> removeIfStatus(const QSqlDatabase &db, const QString &id,
                              const QList<AccountStatus> &allowed)
{
    if (allowed.isEmpty())
        return false; // nothing may go; and "IN ()" is a syntax error on PostgreSQL
    QStringList marks;
    QVariantList params{id};
    for (AccountStatus s : allowed) {
        marks << u"?"_s;
        params << toString(s);
    }
    // Tokens go with the account (ON DELETE CASCADE); deleted explicitly as well so the rule
    // does not depend on the foreign-key setting of a connection.
    auto tokens = runQuery(db,
                           u"DELETE FROM tokens WHERE user_id = ? AND EXISTS (SELECT 1 FROM"
                           " users WHERE id = ? AND status IN ("_s +
                               marks.join(u',') + u"))"_s,
                           QVariantList{id, id} + params.mid(1));
    if (!tokens)
        return std::unexpected(tokens.error());
    auto q = store::runQueryWith(
        db, u"DELETE FROM users WHERE id = ? AND status IN ("_s + marks.join(u',') + u")"_s,
        params);
    if (!q)
        return std::unexpected(q.error());
    return q->numRowsAffected() == 1;
}

DbResult<QList<Account>> listSignups(const QSqlDatabase &db, std::optional<AccountStatus> status)
{
    auto q = status
                 ? runQuery(db,
                            kColumns + u" WHERE is_superuser = 0 AND status = ?"
                                       " ORDER BY sign_up_time, id"_s,
                            {toString(*status)})
                 : runQuery(db, kColumns + u" WHERE is_superuser = 0 ORDER BY sign_up_time, id"_s);
    if (!q)
        return std::unexpected(q.error());
    QList<Account> out;
    while (q->next())
        out.append(fromRow(*q));
    return out;
}

} // namespace sd::core::accountstore
