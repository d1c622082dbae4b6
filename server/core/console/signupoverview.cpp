#include "console/signupoverview.h"

#include "audit/auditlog.h"
#include "audit/linkhits.h"
#include "flows/flowsupport.h"
#include "mail/outbox.h"
#include "store/sqlquery.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::core {

QString toString(TokenState state)
{
    switch (state) {
    case TokenState::None: return u"none"_s;
    case TokenState::Issued: return u"issued"_s;
    case TokenState::Expired: return u"expired"_s;
    case TokenState::Used: return u"used"_s;
    case TokenState::Burned: return u"burned"_s;
    case TokenState::Revoked: return u"revoked"_s;
    }
    return {};
}

TokenState tokenStateAt(const TokenRow &row, qint64 nowMs)
{
    if (row.id.isEmpty())
        return TokenState::None;
    if (row.usedAt != 0)
        return TokenState::Used;
    if (row.burnedAt != 0)
        return TokenState::Burned;
    if (row.revokedAt != 0)
        return TokenState::Revoked;
    return row.expiresAt > nowMs ? TokenState::Issued : TokenState::Expired;
}

namespace {

// The newest verification token and the newest email of each account are joined through a
// correlated sub-select on their ids: portable to SQLite and PostgreSQL, and served by the
// tokens_user and outbox_user indexes.
const QString kOverviewSql =
    u"SELECT u.id, u.username, u.email, u.display_name, u.status, u.verified_email, u.apps,"
    " u.groups_list, u.language, u.sign_up_time, u.remote_ip, u.remote_addr,"
    " u.tos_accepted_version,"
    " t.id, t.created_at, t.expires_at, t.used_at, t.revoked_at, t.burned_at, t.code_attempts,"
    " o.id, o.kind, o.status, o.attempts, o.last_error, o.server_reply, o.created_at, o.sent_at"
    " FROM users u"
    " LEFT JOIN tokens t ON t.id = (SELECT t2.id FROM tokens t2 WHERE t2.user_id = u.id"
    "   AND t2.kind = 'verification' ORDER BY t2.created_at DESC, t2.id DESC LIMIT 1)"
    " LEFT JOIN outbox o ON o.id = (SELECT o2.id FROM outbox o2 WHERE o2.user_id = u.id"
    "   ORDER BY o2.created_at DESC, o2.id DESC LIMIT 1)"
    " WHERE u.is_superuser = 0"_s;

SignupOverviewRow fromRow(const QSqlQuery &q, qint64 nowMs)
{
    SignupOverviewRow r;
    Account &a = r.account;
    a.id = q.value(0).toString();
    a.username = q.value(1).toString();
    a.email = q.value(2).toString();
    a.displayName = q.value(3).toString();
    a.status = accountStatusFromString(q.value(4).toString()).value_or(AccountStatus::Disabled);
    a.verifiedEmail = q.value(5).toInt() != 0;
    a.apps = q.value(6).toString().split(u',', Qt::SkipEmptyParts);
    a.groups = q.value(7).toString().split(u',', Qt::SkipEmptyParts);
    a.language = q.value(8).toString();
    a.signUpTimeMs = q.value(9).toLongLong();
    a.remoteIp = q.value(10).toString();
    a.remoteAddr = q.value(11).toString();
    a.tosAcceptedVersion = q.value(12).toString();

    TokenRow t;
    t.id = q.value(13).toString();
    t.createdAt = q.value(14).toLongLong();
    t.expiresAt = q.value(15).toLongLong();
    t.usedAt = q.value(16).toLongLong();
    t.revokedAt = q.value(17).toLongLong();
    t.burnedAt = q.value(18).toLongLong();
    t.codeAttempts = q.value(19).toInt();
    r.tokenState = tokenStateAt(t, nowMs);
    r.tokenCreatedAt = t.createdAt;
    r.tokenExpiresAt = t.expiresAt;
    r.codeAttempts = t.codeAttempts;

    r.mailId = q.value(20).toString();
    r.mailKind = q.value(21).toString();
    r.mailStatus = q.value(22).toString();
    r.mailAttempts = q.value(23).toInt();
    r.mailLastError = q.value(24).toString();
    r.mailServerReply = q.value(25).toString();
    r.mailCreatedAt = q.value(26).toLongLong();
    r.mailSentAt = q.value(27).toLongLong();
    return r;
}

} // namespace

Result<QList<SignupOverviewRow>> SignupOverview::query(const QString &where,
                                                       const QVariantList &params) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db, kOverviewSql + where + u" ORDER BY u.sign_up_time, u.id"_s,
                             params);
    if (!q)
        return dbFail(q.error());
    const qint64 now = m_ctx.clock.nowMs();
    QList<SignupOverviewRow> out;
    while (q->next())
        out.append(fromRow(*q, now));
    return out;
}

Result<QList<SignupOverviewRow>> SignupOverview::list(SignupFilter filter) const
{
    switch (filter) {
    case SignupFilter::PendingApproval:
        return query(u" AND u.status = ?"_s, {toString(AccountStatus::PendingApproval)});
    case SignupFilter::PendingVerification:
        return query(u" AND u.status = ?"_s, {toString(AccountStatus::PendingVerification)});
    case SignupFilter::All:
        break;
    }
    return query({}, {});
}

Result<std::optional<SignupOverviewRow>> SignupOverview::find(const QString &userId) const
{
    auto rows = query(u" AND u.id = ?"_s, {userId});
    if (!rows)
        return std::unexpected(rows.error());
    if (rows->isEmpty())
        return std::optional<SignupOverviewRow>();
    return std::optional<SignupOverviewRow>(rows->constFirst());
}

Result<QList<TimelineEntry>> SignupOverview::timeline(const QString &userId) const
{
    using Source = TimelineEntry::Source;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    const qint64 now = m_ctx.clock.nowMs();
    QList<TimelineEntry> out;

    auto audit = auditlog::list(*db, userId);
    if (!audit)
        return dbFail(audit.error());
    for (const AuditEntry &e : std::as_const(*audit))
        out.append({e.atMs, Source::Audit, e.action, e.actor, e.detail});

    auto mails = mail::Outbox::list(m_ctx.database, userId);
    if (!mails)
        return dbFail(mails.error());
    for (const mail::OutboxEntry &m : std::as_const(*mails)) {
        out.append({m.createdAt, Source::Mail, u"mail.queued"_s, {}, m.kind});
        if (m.sentAt != 0)
            out.append({m.sentAt, Source::Mail, u"mail.sent"_s, {},
                        m.kind + u": "_s + m.serverReply});
        else if (m.status == mail::toString(mail::OutboxStatus::Dead))
            out.append({m.nextAttemptAt, Source::Mail, u"mail.failed"_s, {},
                        m.kind + u": "_s + m.lastError});
        else if (!m.lastError.isEmpty())
            out.append({m.nextAttemptAt, Source::Mail, u"mail.retrying"_s, {},
                        m.kind + u": "_s + m.lastError});
    }

    auto hits = linkhits::list(*db, userId);
    if (!hits)
        return dbFail(hits.error());
    for (const LinkHit &h : std::as_const(*hits))
        out.append({h.atMs, Source::Link, u"link.visited"_s, {},
                    u"%1 %2 from %3: %4"_s.arg(h.method, h.tokenKind, h.remoteIp, h.userAgent)});

    auto tokens = tokenstore::listForUser(*db, userId);
    if (!tokens)
        return dbFail(tokens.error());
    for (const TokenRow &t : std::as_const(*tokens)) {
        if (t.kind != toString(TokenKind::Verification))
            continue;
        out.append({t.createdAt, Source::Token, u"token.issued"_s, {}, {}});
        switch (tokenStateAt(t, now)) {
        case TokenState::Used: out.append({t.usedAt, Source::Token, u"token.used"_s, {}, {}}); break;
        case TokenState::Burned:
            out.append({t.burnedAt, Source::Token, u"token.burned"_s, {}, {}});
            break;
        case TokenState::Revoked:
            out.append({t.revokedAt, Source::Token, u"token.revoked"_s, {}, {}});
            break;
        case TokenState::Expired:
            out.append({t.expiresAt, Source::Token, u"token.expired"_s, {}, {}});
            break;
        case TokenState::Issued:
        case TokenState::None: break;
        }
    }
    // Stable: at equal times the audit entry (the cause) comes before what it queued.
    std::stable_sort(out.begin(), out.end(),
                     [](const TimelineEntry &a, const TimelineEntry &b) { return a.atMs < b.atMs; });
    return out;
}

} // namespace sd::core
