#pragma once

#include "accounts/account.h"
#include "accounts/tokenstore.h"
#include "flows/approval/approvalservice.h"
#include "result.h"

#include <QList>

#include <optional>

namespace sd::core {

struct Context; // context.h: private to core

// Where an account's newest verification token stands at a given time.
enum class TokenState
{
    None,
    Issued,
    Expired,
    Used,
    Burned,
    Revoked
};
QString toString(TokenState state);
// Used, burned and revoked win over expiry: they say what happened to the token.
TokenState tokenStateAt(const TokenRow &row, qint64 nowMs);

// One signup as the console lists it: the account, its newest verification token and its
// newest email (any kind). Times are Unix milliseconds; 0 means "none".
struct SignupOverviewRow
{
    Account account;
    TokenState tokenState = TokenState::None;
    qint64 tokenCreatedAt = 0;
    qint64 tokenExpiresAt = 0;
    int codeAttempts = 0;
    QString mailId;
    QString mailKind;
    QString mailStatus; // queued, processing, sent, dead (mail::OutboxStatus); empty: none
    int mailAttempts = 0;
    QString mailLastError;
    QString mailServerReply;
    qint64 mailCreatedAt = 0;
    qint64 mailSentAt = 0;
};

// One step in the life of a signup, from the audit log, the outbox, the token rows or the
// hits on its email links.
struct TimelineEntry
{
    enum class Source
    {
        Audit,
        Mail,
        Token,
        Link
    };
    qint64 atMs = 0;
    Source source = Source::Audit;
    QString action; // audit action (signup.created, …), mail.queued / mail.sent / mail.failed,
                    // token.issued / token.used / token.revoked / token.burned / token.expired,
                    // link.visited
    QString actor;  // for audit entries: system, user:<id>, console, cli, admin:<id>
    QString detail; // never a secret: a reason, the server's reply, an error
};

// What the console's paged Signups list shows (SignupOverview::page): which accounts, in which
// order. Everything is done by the database, with indexes (migration 14), so the console never
// holds more than a window of rows.
struct SignupQuery
{
    enum class Order
    {
        SignedUp,      // sign_up_time, id
        Username,      // username_key (lower case), id
        Email,         // email_key (lower case), id
        DisplayName,   // lower(display_name), id
        Status,        // status (its text), sign_up_time, id
        ClientAddress, // remote_ip, id
    };
    QList<AccountStatus> statuses; // empty: every status
    // Every word must start one of: the username, the email address, the display name or the
    // client IP (case-insensitive). Prefixes, not substrings: a prefix is a range of an index.
    QStringList words;
    Order order = Order::SignedUp;
    bool descending = false;

    bool operator==(const SignupQuery &) const = default;
};

// How far past a window a console list's search counts its matches (the page functions'
// `countAhead`).
inline constexpr int kConsoleCountAhead = 2'000;

// Which accounts a console list (the Signups and Users tabs) shows, over `users u`.
struct ConsoleListFilter
{
    QString base;                  // " WHERE …": the list's own condition
    QVariantList baseParams;       // its parameters
    QList<AccountStatus> statuses; // empty: every status
    // Every word, lower case, starts one of `columns`: "%1"-templates of lower-case SQL
    // expressions over an index, %1 the table's alias and dot (e.g. "lower(%1display_name)").
    // A prefix is the range [word, word + U+10FFFF) of the index, which byte order (SQLite's
    // BINARY collation, PostgreSQL's "C") makes exactly the values that start with the word.
    QStringList words;
    QStringList columns;
};

// The WHERE clause of a console list's window and how many accounts it selects.
struct ConsoleListPlan
{
    QString where; // " WHERE …", for `SELECT … FROM users u` + where + ORDER BY + LIMIT
    QVariantList params;
    qint64 total = 0;
    // Without search words the count is exact; with words it stops at `cap`: past it, `total`
    // is `cap` and `where` walks the index of the list's order (docs/CONSOLE.md).
    bool totalIsExact = true;
};
Result<ConsoleListPlan> planConsoleList(const Context &ctx, const ConsoleListFilter &filter,
                                        qint64 cap);

// A window of the list: `rows` are rows offset .. offset + rows.size() - 1 of `total`.
struct SignupPage
{
    int total = 0;
    // False when a search matches more than page() counted: `total` is then a lower bound
    // (the window plus the count-ahead), and a window further down counts further.
    bool totalIsExact = true;
    int offset = 0;
    QList<SignupOverviewRow> rows;
};

// How many accounts (not super-users) have each status: the console's title and tray.
struct SignupCounts
{
    int pendingApproval = 0;
    int pendingVerification = 0;
    int active = 0;
    int disabled = 0;
};

// Read models for the admin console, over the same database as the flows. Read-only and
// thread-safe: call from a worker thread (never the GUI thread).
class SignupOverview
{
public:
    explicit SignupOverview(const Context &ctx) : m_ctx(ctx) {}

    // Every non-super-user account the filter selects, oldest first.
    Result<QList<SignupOverviewRow>> list(SignupFilter filter = SignupFilter::All) const;
    // The first `limit` rows of list() among accounts with one of these statuses (any status
    // if empty): a screenful for the console to show while list() runs. Reads only those rows.
    Result<QList<SignupOverviewRow>> listFirst(const QList<AccountStatus> &statuses,
                                               int limit) const;
    // Rows offset .. offset + limit - 1 of the accounts `query` selects, in its order, and how
    // many it selects: without search words an exact COUNT over an index; with words, counted
    // up to offset + limit + countAhead (a broad prefix matches tens of thousands of accounts,
    // and counting them all is most of a search's time). Offset paging: the console jumps
    // anywhere with its scroll bar, so there is no previous row to continue after.
    Result<SignupPage> page(const SignupQuery &query, int offset, int limit,
                            int countAhead = kConsoleCountAhead) const;
    Result<SignupCounts> counts() const;
    // One account's row; empty when it is gone (rejected) or a super-user.
    Result<std::optional<SignupOverviewRow>> find(const QString &userId) const;
    // Audit log, outbox, token rows and link hits of one account merged by time, oldest first.
    Result<QList<TimelineEntry>> timeline(const QString &userId) const;

private:
    Result<QList<SignupOverviewRow>> query(const QString &where, const QVariantList &params) const;
    const Context &m_ctx;
};

} // namespace sd::core
