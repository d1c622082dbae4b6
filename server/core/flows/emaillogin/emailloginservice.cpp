#include "flows/emaillogin/emailloginservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "flows/emaillogin/redirectpolicy.h"
#include "flows/flowsupport.h"
#include "flows/login/sessionservice.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"
#include "validation/names.h"

using namespace Qt::StringLiterals;

namespace sd::core {

bool EmailLoginService::tosRequired(const Account &account) const
{
    return !m_ctx.config.tosVersion.isEmpty() &&
           account.tosAcceptedVersion != m_ctx.config.tosVersion;
}

Result<void> EmailLoginService::requestLink(const QString &email, const QString &nextPage,
                                            const RequestInfo &request)
{
    // The same cooldown and hourly cap as resend (SEC-10), whether or not the address exists.
    if (auto limited = limitMailsTo(m_ctx, u"email-link"_s, email); !limited)
        return limited;
    // Issue 18 item 5: answered before any account-specific work (see resend).
    const Context *ctx = &m_ctx;
    m_ctx.afterAnswer.post([ctx, email, nextPage, request] {
        if (auto r = EmailLoginService(*ctx).sendLink(email, nextPage, request); !r)
            qWarning("email-link: %s", qPrintable(r.error().detail));
    });
    return {};
}

Result<void> EmailLoginService::sendLink(const QString &email, const QString &nextPage,
                                         const RequestInfo &request)
{
    const Config &cfg = m_ctx.config;
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = accountstore::findByEmail(tx->db(), email);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->status != AccountStatus::Active)
        return {}; // nothing to send; the caller answers exactly as for a real link

    const QString token = crypto::newToken();
    TokenRow row;
    row.id = crypto::newId(u"tok_");
    row.userId = (*account)->id;
    row.kind = toString(TokenKind::LoginLink);
    row.createdAt = now;
    row.expiresAt = now + m_ctx.live.current()->loginLinkTtlSeconds * 1000;
    if (auto r = tokenstore::insert(tx->db(), row, m_ctx.digest.digest(token)); !r)
        return dbFail(r.error());
    // Only a next page that the policy keeps as it is travels in the link.
    const QString next =
        resolveRedirect(nextPage, cfg.allowedRedirectHosts) == nextPage ? nextPage : QString();
    const mail::Message message = MailComposer(m_ctx).loginLink(**account, token, next);
    if (auto r = mail::Outbox::enqueue(tx->db(), u"login_link"_s, (*account)->id, message, now); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + (*account)->id, u"login_link.sent"_s,
                                  (*account)->id, u"from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    emit m_ctx.events.mailQueued();
    return {};
}

Result<LoginLinkView> EmailLoginService::inspect(const QString &token) const
{
    if (token.isEmpty())
        return fail(ErrorCode::InvalidToken, u"no token"_s);
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = tokenstore::findByHash(*db, m_ctx.digest.digest(token), TokenKind::LoginLink);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(m_ctx.clock.nowMs()))
        return fail(ErrorCode::InvalidToken, u"unknown, used or expired login link"_s);
    auto account = accountstore::findById(*db, (*row)->userId);
    if (!account)
        return dbFail(account.error());
    if (!*account || (*account)->status != AccountStatus::Active)
        return fail(ErrorCode::InvalidToken, u"account not active"_s);
    return LoginLinkView{**account, tosRequired(**account)};
}

Result<LoginResult> EmailLoginService::confirm(const EmailLoginConfirmation &input,
                                               const RequestInfo &request)
{
    const Config &cfg = m_ctx.config;
    const qint64 now = m_ctx.clock.nowMs();
    if (input.token.isEmpty())
        return fail(ErrorCode::InvalidToken, u"no token"_s);
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto row =
        tokenstore::findByHash(tx->db(), m_ctx.digest.digest(input.token), TokenKind::LoginLink);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(now))
        return fail(ErrorCode::InvalidToken, u"unknown, used or expired login link"_s);
    auto found = accountstore::findById(tx->db(), (*row)->userId);
    if (!found)
        return dbFail(found.error());
    if (!*found || (*found)->status != AccountStatus::Active)
        return fail(ErrorCode::InvalidToken, u"account not active"_s);
    Account account = **found;

    // Checked before consuming: a form sent back for correction keeps its link usable.
    QMap<QString, QStringList> fields;
    const bool tos = tosRequired(account);
    if (tos && !input.tosAccepted)
        fields[u"tos"_s] << u"required"_s;
    QString displayName = account.displayName;
    if (input.displayName) {
        // The same rule as at signup (names.h): what one place accepts, the other does too.
        if (auto name = names::checkDisplayName(*input.displayName))
            displayName = *name;
        else
            fields[u"display_name"_s] << name.error();
    }
    if (!fields.isEmpty())
        return std::unexpected(Error{ErrorCode::Validation, u"login link form"_s, fields, 0});

    auto consumed = tokenstore::consume(tx->db(), (*row)->id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidToken, u"login link consumed concurrently"_s);
    account.displayName = displayName;
    if (tos)
        account.tosAcceptedVersion = cfg.tosVersion;
    if (auto r = store::runQuery(
            tx->db(), u"UPDATE users SET display_name = ?, tos_accepted_version = ? WHERE id = ?"_s,
            {account.displayName, account.tosAcceptedVersion, account.id});
        !r)
        return dbFail(r.error());

    QString detail = u"email link from "_s + request.remoteIp;
    if (tos)
        detail += u", accepted ToS "_s + cfg.tosVersion;
    auto result = SessionService(m_ctx).admit(tx->db(), account, detail, request);
    if (!result)
        return result;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    if (!result->mfaRequired())
        emit m_ctx.events.userLoggedIn(account.id);
    return result;
}

} // namespace sd::core
