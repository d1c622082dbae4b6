#include "flows/invitation/invitationservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"
#include "validation/names.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

const QString kColumns =
    u"SELECT id, email, display_name, apps, groups_list, created_at, expires_at, created_by,"
    " accepted_at, revoked_at, language FROM invitations"_s;

struct Stored
{
    InvitationRow row;
    QString language;
};

Stored readRow(const QSqlQuery &q, qint64 now)
{
    Stored s;
    InvitationRow &r = s.row;
    r.id = q.value(0).toString();
    r.email = q.value(1).toString();
    r.displayName = q.value(2).toString();
    r.apps = q.value(3).toString().split(u',', Qt::SkipEmptyParts);
    r.groups = q.value(4).toString().split(u',', Qt::SkipEmptyParts);
    r.createdAtMs = q.value(5).toLongLong();
    r.expiresAtMs = q.value(6).toLongLong();
    r.createdBy = q.value(7).toString();
    r.status = !q.value(8).isNull()   ? u"accepted"_s
               : !q.value(9).isNull() ? u"revoked"_s
               : r.expiresAtMs <= now ? u"expired"_s
                                      : u"pending"_s;
    s.language = q.value(10).toString();
    return s;
}

Error validationError(const QString &field, const QString &message)
{
    Error e{ErrorCode::Validation, u"invitation validation"_s, {}, 0};
    e.fields[field] << message;
    return e;
}

// A pending invitation by token, on the given connection.
Result<Stored> findPending(const Context &ctx, const QSqlDatabase &db, const QString &token)
{
    if (token.isEmpty())
        return fail(ErrorCode::InvalidToken, u"empty invitation token"_s);
    const qint64 now = ctx.clock.nowMs();
    auto q = store::runQuery(db, kColumns + u" WHERE token_hash = ?"_s, {ctx.digest.digest(token)});
    if (!q)
        return dbFail(q.error());
    if (!q->next())
        return fail(ErrorCode::InvalidToken, u"unknown invitation"_s);
    Stored s = readRow(*q, now);
    q->finish();
    if (s.row.status != u"pending"_s)
        return fail(ErrorCode::InvalidToken, u"invitation "_s + s.row.status);
    return s;
}

} // namespace

Result<InvitationRow> InvitationService::invite(const InvitationInput &input, const Actor &actor)
{
    const auto live = m_ctx.live.current();
    const QString email = input.email.trimmed();
    if (!SignupValidator::isValidEmail(email))
        return std::unexpected(validationError(u"email"_s, u"invalid"_s));
    QString displayName;
    if (!input.displayName.isEmpty()) {
        auto checked = names::checkDisplayName(input.displayName);
        if (!checked)
            return std::unexpected(validationError(u"display_name"_s, checked.error()));
        displayName = *checked;
    }
    for (const QString &app : input.apps) {
        if (!live->apps.contains(app))
            return std::unexpected(validationError(u"apps"_s, u"unknown app"_s));
    }
    for (const QString &group : input.groups) {
        if (group.trimmed().isEmpty() || group.contains(u',') || names::hasControlCharacters(group))
            return std::unexpected(validationError(u"groups"_s, u"invalid"_s));
    }
    const QStringList apps = input.apps.isEmpty() ? live->apps.mid(0, 1) : input.apps;
    const QStringList groups = input.groups.isEmpty() && !live->defaultGroup.isEmpty()
                                   ? QStringList{live->defaultGroup}
                                   : input.groups;
    const QString language =
        Config::languages().contains(input.language) ? input.language : u"en"_s;

    const qint64 now = m_ctx.clock.nowMs();
    const QString token = crypto::newToken();
    InvitationRow row{crypto::newId(u"inv_"),
                      email,
                      displayName,
                      apps,
                      groups,
                      now,
                      now + m_ctx.config.inviteTtlSeconds * 1000,
                      actor.name,
                      u"pending"_s};
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findByEmail(tx->db(), email);
    if (!account)
        return dbFail(account.error());
    if (*account)
        return fail(ErrorCode::Exists, u"an account has this address"_s);
    auto live_ = store::runQuery(tx->db(),
                                 u"SELECT 1 FROM invitations WHERE email_key = ? AND accepted_at IS"
                                 " NULL AND revoked_at IS NULL AND expires_at > ?"_s,
                                 {emailKey(email), now});
    if (!live_)
        return dbFail(live_.error());
    if (live_->next())
        return fail(ErrorCode::Exists, u"a pending invitation has this address"_s);
    live_->finish();
    if (auto r = store::runQuery(
            tx->db(),
            u"INSERT INTO invitations (id, email, email_key, display_name, apps, groups_list,"
            " language, token_hash, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s,
            {row.id, email, emailKey(email), displayName, apps.join(u','), groups.join(u','),
             language, m_ctx.digest.digest(token), actor.name, now, row.expiresAtMs});
        !r)
        return dbFail(r.error());
    const auto message =
        MailComposer(m_ctx).invitation(email, language, token, m_ctx.config.inviteTtlSeconds);
    if (auto r = mail::Outbox::enqueue(tx->db(), u"invitation"_s, {}, message, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"invitation.created"_s, row.id,
                                  u"apps=%1; groups=%2"_s.arg(apps.join(u','), groups.join(u',')));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.invitationChanged(row.id);
    emit m_ctx.events.mailQueued();
    return row;
}

Result<QList<InvitationRow>> InvitationService::list() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db, kColumns + u" ORDER BY created_at DESC, id DESC"_s);
    if (!q)
        return dbFail(q.error());
    const qint64 now = m_ctx.clock.nowMs();
    QList<InvitationRow> out;
    while (q->next())
        out.append(readRow(*q, now).row);
    return out;
}

Result<void> InvitationService::revoke(const QString &invitationId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto r = store::runQuery(tx->db(),
                             u"UPDATE invitations SET revoked_at = ? WHERE id = ? AND accepted_at"
                             " IS NULL AND revoked_at IS NULL AND expires_at > ?"_s,
                             {now, invitationId, now});
    if (!r)
        return dbFail(r.error());
    if (r->numRowsAffected() != 1) {
        auto q =
            store::runQuery(tx->db(), u"SELECT 1 FROM invitations WHERE id = ?"_s, {invitationId});
        if (!q)
            return dbFail(q.error());
        if (!q->next())
            return fail(ErrorCode::NotFound, u"no such invitation"_s);
        return fail(ErrorCode::Conflict, u"invitation is not pending"_s);
    }
    if (auto a = auditlog::record(tx->db(), now, actor.name, u"invitation.revoked"_s, invitationId);
        !a)
        return dbFail(a.error());
    if (auto c = tx->commit(); !c)
        return dbFail(c.error());
    emit m_ctx.events.invitationChanged(invitationId);
    return {};
}

Result<InvitationRow> InvitationService::pending(const QString &token) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto found = findPending(m_ctx, *db, token);
    if (!found)
        return std::unexpected(found.error());
    return found->row;
}

Result<SignupResult> InvitationService::accept(const QString &token, const SignupInput &typed,
                                               const QString &tosVersion,
                                               const RequestInfo &request)
{
    auto invitation = pending(token);
    if (!invitation)
        return std::unexpected(invitation.error());
    SignupInput input = typed;
    input.email = invitation->email;
    input.appList.reset();
    input.currentApp.reset();
    if (auto fields = m_ctx.validator.validate(input, m_ctx.live.current()->apps);
        !fields.isEmpty()) {
        Error e{ErrorCode::Validation, u"invitation signup validation"_s, fields, 0};
        return std::unexpected(e);
    }
    // Hashed outside the transaction: no write lock is held while hashing.
    const QString passwordHash = m_ctx.hasher.hash(input.password);
    const qint64 now = m_ctx.clock.nowMs();
    Account a;
    a.id = crypto::newId(u"usr_");
    a.username = input.username;
    a.email = invitation->email;
    a.displayName = input.displayName.isEmpty()
                        ? invitation->displayName
                        : names::checkDisplayName(input.displayName).value_or(QString());
    a.passwordHash = passwordHash;
    a.status = AccountStatus::Active;
    a.verifiedEmail = true; // the invitation was mailed there: holding its token proves it
    a.apps = invitation->apps;
    a.groups = invitation->groups;
    a.language = input.language.value_or(u"en"_s);
    a.signUpTimeMs = now;
    a.remoteIp = request.remoteIp;
    a.tosAcceptedVersion = tosVersion;

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    // The one guarded consumption: of racing accepts exactly one changes the row.
    auto consumed = store::runQuery(
        tx->db(),
        u"UPDATE invitations SET accepted_at = ?, accepted_user_id = ? WHERE id = ? AND"
        " accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?"_s,
        {now, a.id, invitation->id, now});
    if (!consumed)
        return dbFail(consumed.error());
    if (consumed->numRowsAffected() != 1)
        return fail(ErrorCode::InvalidToken, u"invitation consumed concurrently"_s);
    if (auto r = accountstore::insert(tx->db(), a); !r) {
        tx->rollback();
        // The username was taken meanwhile, or the address got an account since the invitation.
        auto db = m_ctx.database.connection();
        if (db) {
            auto byName = accountstore::findByUsername(*db, a.username);
            if (byName && *byName)
                return std::unexpected(validationError(u"username"_s, u"taken"_s));
            auto byEmail = accountstore::findByEmail(*db, a.email);
            if (byEmail && *byEmail)
                return fail(ErrorCode::InvalidToken, u"the address has an account now"_s);
        }
        return dbFail(r.error());
    }
    if (auto r =
            auditlog::record(tx->db(), now, u"user:"_s + a.id, u"invitation.accepted"_s, a.id,
                             u"invitation "_s + invitation->id + u" from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    // Made and active at once: both events, as an OAuth signup without approval sends them.
    for (const char16_t *type : {webhookevent::Registered, webhookevent::Activated})
        if (auto r = queueWebhookEvent(m_ctx, tx->db(), type, userObject(a)); !r)
            return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.signupCreated(a.id);
    emit m_ctx.events.invitationAccepted(a.id);
    return SignupResult{a.id, crypto::newId(u"cid_"), {}};
}

} // namespace sd::core
