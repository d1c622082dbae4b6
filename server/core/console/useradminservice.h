#pragma once

#include "accounts/account.h"
#include "console/signupoverview.h"
#include "flows/account/accountsessions.h"
#include "flows/oauth/oauthstore.h"
#include "result.h"
#include "vocabulary.h"

#include <QHash>
#include <QList>

namespace sd::core {

struct Context; // context.h: private to core

// One account as the console's Users tab lists it. Times are Unix milliseconds; 0: none.
struct UserRow
{
    QString id;
    QString username;
    QString email;
    QString displayName;
    AccountStatus status = AccountStatus::PendingVerification;
    bool isSuperuser = false;
    qint64 signUpTimeMs = 0;
    qint64 approvedAt = 0;
    QString approvedBy;
    int liveSessions = 0; // session tokens neither revoked nor past their absolute expiry
    QStringList groups;
    qint64 lastLoginMs = 0;  // user_last_login.at; 0: never signed in
    bool mfaEnabled = false; // a second factor is on (issue 14)
};

// What the console's paged Users list shows (UserAdminService::page): which accounts, in which
// order. Done by the database with indexes (migrations 14 and 16), by the Signups list's rules:
// a search word is a prefix of the username, the email address or the display name.
struct UserQuery
{
    // The keys: sign_up_time; username_key and email_key (lower case); lower(display_name);
    // status (its text), sign_up_time; the last login (never: 0). Then the id.
    enum class Order
    {
        SignedUp,
        Username,
        Email,
        DisplayName,
        Status,
        LastLogin
    };
    Order order = Order::Username;
    bool descending = false;
    QList<AccountStatus> statuses; // empty: every status
    QStringList words;             // every word starts the username, email or display name

    bool operator==(const UserQuery &) const = default;
};

// A window of the list: `rows` are rows offset .. offset + rows.size() - 1 of `total`.
struct UserListPage
{
    int total = 0;
    bool totalIsExact = true; // false: a search counted only ahead (core::planConsoleList)
    int offset = 0;
    QList<UserRow> rows;
};

// One account as the console's page per user shows it: the account (its password hash
// emptied: `hasPassword` says whether it has one), its last login, live sessions (newest
// first, none marked current) and linked sign-ins (oldest first).
struct UserDetails
{
    Account account;
    bool hasPassword = false;
    qint64 lastLoginMs = 0;
    QList<SessionInfo> sessions;
    QList<OAuthIdentityRow> identities;
};

// One page of the admin API's user search: the accounts with their last login (ms, 0: none).
struct UserSearch
{
    QString query; // matches username, email or display name (case-insensitive substring)
    std::optional<AccountStatus> status;
    int limit = 100; // 1..500
    QString after;   // the cursor of the previous page, or empty
};
struct UserPage
{
    QList<std::pair<Account, qint64>> users; // oldest signup first
    QString next;                            // the cursor of the next page; empty: the last
};

// Every account and the admin operations on accounts that only the console offers. Each change
// is one guarded transaction with its audit entry; call from a worker thread.
class UserAdminService
{
public:
    explicit UserAdminService(const Context &ctx) : m_ctx(ctx) {}

    // Every account (super-users too), oldest first, with its live session count.
    Result<QList<UserRow>> list() const;
    Result<std::optional<UserRow>> find(const QString &userId) const;
    // Rows offset .. offset + limit - 1 of the accounts (super-users too) `query` selects, in
    // its order, and how many it selects (a search counts up to offset + limit + countAhead:
    // core::planConsoleList). The session counts, groups and the rest are read for those rows
    // only: the console's Users tab at a million accounts.
    Result<UserListPage> page(const UserQuery &query, int offset, int limit,
                              int countAhead = kConsoleCountAhead) const;
    // Every account's username by id: the audit log shows names instead of ids.
    Result<QHash<QString, QString>> usernames() const;
    // Search with cursor paging (the admin API and the CLI). Validation (fields.after) for a
    // cursor this service did not make.
    Result<UserPage> search(const UserSearch &search) const;

    // active → disabled, and every session of the account ends in the same transaction.
    // NotFound; Forbidden for a super-user (managed with the CLI); Conflict unless active.
    // Returns the number of sessions revoked.
    Result<int> disable(const QString &userId, const Actor &actor, const QString &reason = {});
    // disabled → active. NotFound; Conflict unless disabled.
    Result<void> enable(const QString &userId, const Actor &actor);
    // Ends every session of the account (the user must log in again); returns how many.
    // NotFound.
    Result<int> revokeSessions(const QString &userId, const Actor &actor);

    // Everything the page per user shows, read in one go. NotFound.
    Result<UserDetails> details(const QString &userId) const;
    // The display name an administrator typed, by the one name rule (names::checkDisplayName:
    // Validation with fields.display_name "too_long" or "invalid_characters"; empty clears it).
    // NotFound. Audited as user.display_name_changed (the name itself is not in the audit
    // detail: personal data). Returns the name as stored.
    Result<QString> setDisplayName(const QString &userId, const QString &displayName,
                                   const Actor &actor);
    // Ends one session of the account (the page per user), audited as session.ended with the
    // administrator as actor. NotFound alike for an unknown session and another account's.
    Result<void> endSession(const QString &userId, const QString &sessionId, const Actor &actor);

    // The OAuth identities (GitHub, Google…) linked to the account, oldest first. NotFound.
    Result<QList<OAuthIdentityRow>> identities(const QString &userId) const;
    // Unlinks one identity of this account (the provider account then signs in as a new
    // user), audited as oauth.unlinked. NotFound for an unknown account, or an identity that
    // is not (or no longer) linked to this account.
    Result<void> unlinkIdentity(const QString &userId, const QString &identityId,
                                const Actor &actor);

private:
    Result<QList<UserRow>> query(const QString &where, const QVariantList &params) const;
    // The rows of a statement over kUsersSql's columns; its first parameter, the time now, is
    // put before `params`.
    Result<QList<UserRow>> rows(const QString &sql, const QVariantList &params) const;
    const Context &m_ctx;
};

} // namespace sd::core
