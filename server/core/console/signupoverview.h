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
    // One account's row; empty when it is gone (rejected) or a super-user.
    Result<std::optional<SignupOverviewRow>> find(const QString &userId) const;
    // Audit log, outbox, token rows and link hits of one account merged by time, oldest first.
    Result<QList<TimelineEntry>> timeline(const QString &userId) const;

private:
    Result<QList<SignupOverviewRow>> query(const QString &where, const QVariantList &params) const;
    const Context &m_ctx;
};

} // namespace sd::core
