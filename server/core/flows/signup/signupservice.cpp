#include "flows/signup/signupservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "flows/flowsupport.h"
#include "flows/verification/verificationservice.h"
#include "outbox.h"
#include "transaction.h"
#include "validation/names.h"
#include "webhooks/webhooks.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

Error validationError(QMap<QString, QStringList> fields)
{
    Error e{ErrorCode::Validation, u"signup validation"_s, std::move(fields), 0};
    return e;
}

} // namespace

Result<SignupResult> SignupService::signUp(const SignupInput &input, const RequestInfo &request)
{
    const auto live = m_ctx.live.current();
    if (!live->signupEnabled)
        return fail(ErrorCode::SignupDisabled, u"signup/enabled is false"_s);
    if (auto fields = m_ctx.validator.validate(input, live->apps); !fields.isEmpty())
        return std::unexpected(validationError(fields));

    {
        auto db = m_ctx.database.connection();
        if (!db)
            return dbFail(db.error());
        auto taken = accountstore::findByUsername(*db, input.username);
        if (!taken)
            return dbFail(taken.error());
        if (*taken)
            return std::unexpected(validationError({{u"username"_s, {u"taken"_s}}}));
    }

    // Hash before looking at the email, so a known address costs the same as a new one.
    const QString passwordHash = m_ctx.hasher.hash(input.password);
    const qint64 now = m_ctx.clock.nowMs();
    SignupResult result{crypto::newId(u"usr_"), crypto::newId(u"cid_"), {}};
    // Issue 18 item 4: the mail this signup sends (a verification or a notice) comes out of
    // the address's budget; when it is spent the signup still happens, only unmailed.
    const bool mayMail = spendMailBudget(m_ctx, u"signup"_s, input.email) == 0;

    Account account;
    account.id = result.userId;
    account.username = input.username;
    account.email = input.email.trimmed();
    account.displayName =
        names::checkDisplayName(input.displayName).value_or(QString()); // validated: trimmed, NFC
    account.passwordHash = passwordHash;
    account.status = AccountStatus::PendingVerification;
    account.apps = m_ctx.validator.resolveApps(input, live->apps);
    account.language = input.language.value_or(u"en"_s);
    account.signUpTimeMs = now;
    account.remoteIp = request.remoteIp;

    for (bool retried = false;; retried = true) {
        auto tx = store::Transaction::begin(m_ctx.database);
        if (!tx)
            return dbFail(tx.error());
        auto existing = accountstore::findByEmail(tx->db(), input.email);
        if (!existing)
            return dbFail(existing.error());
        // Issue 18 item 1: a known address makes the same rows as a new one (a pending account
        // holding the username, a verification token, one mail, one audit row), so the username's
        // availability and the time tell nothing about the address.
        const bool known = existing->has_value();
        if (auto r = known ? accountstore::insertPlaceholder(tx->db(), account)
                           : accountstore::insert(tx->db(), account);
            !r) {
            // A concurrent signup took the username or the email between our checks and insert.
            tx->rollback();
            if (auto db = m_ctx.database.connection()) {
                auto byName = accountstore::findByUsername(*db, input.username);
                if (byName && *byName)
                    return std::unexpected(validationError({{u"username"_s, {u"taken"_s}}}));
                // Lost the race for a new address to another signup: from now on it is a known
                // address, answered like any other (else two racing signups would tell new from
                // registered by one failing).
                auto byEmail = accountstore::findByEmail(*db, input.email);
                if (!known && !retried && byEmail && *byEmail)
                    continue;
            }
            return dbFail(r.error());
        }
        // The placeholder's token is never mailed nor answered: nobody can verify it.
        VerificationService verification(m_ctx);
        auto issued = verification.issue(tx->db(), account, mayMail && !known);
        if (!issued)
            return std::unexpected(issued.error());
        if (known && mayMail) {
            const auto notice = MailComposer(m_ctx).alreadyRegistered(
                (*existing)->email, input.language.value_or((*existing)->language));
            if (auto r = mail::Outbox::enqueue(tx->db(), u"already_registered"_s, (*existing)->id,
                                               notice, now);
                !r)
                return dbFail(r.error());
        }
        const auto audit =
            known
                ? auditlog::record(tx->db(), now, u"system"_s, u"signup.duplicate_email"_s,
                                   (*existing)->id,
                                   u"from "_s + request.remoteIp + u", placeholder "_s + account.id)
                : auditlog::record(tx->db(), now, u"user:"_s + account.id, u"signup.created"_s,
                                   account.id, u"from "_s + request.remoteIp);
        if (!audit)
            return dbFail(audit.error());
        if (!known) // a placeholder of a registered address is no account to announce
            if (auto r = queueWebhookEvent(m_ctx, tx->db(), webhookevent::Registered,
                                           userObject(account));
                !r)
                return std::unexpected(r.error());
        if (auto r = tx->commit(); !r)
            return dbFail(r.error());
        if (m_ctx.config.returnConfirmToken)
            result.confirmToken =
                known ? crypto::newToken() : issued->token; // the fake redeems nothing
        emit m_ctx.events.signupCreated(
            account.id); // the placeholder is listed as a pending signup
        if (mayMail)
            emit m_ctx.events.mailQueued();
        return result;
    }
}

Result<Account> SignupService::createSuperuser(const QString &username, const QString &email,
                                               const QString &password, const Actor &actor)
{
    SignupInput input;
    input.username = username;
    input.email = email;
    input.password = password;
    const auto live = m_ctx.live.current();
    if (auto fields = m_ctx.validator.validate(input, live->apps, /*forSelfService=*/false);
        !fields.isEmpty())
        return std::unexpected(validationError(fields));
    const qint64 now = m_ctx.clock.nowMs();
    Account account;
    account.id = crypto::newId(u"usr_");
    account.username = username;
    account.email = email.trimmed();
    account.passwordHash = m_ctx.hasher.hash(password);
    account.status = AccountStatus::Active;
    account.verifiedEmail = true;
    account.isSuperuser = true;
    account.apps = live->apps;
    account.groups = {u"admins"_s};
    account.signUpTimeMs = now;

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto byName = accountstore::findByUsername(tx->db(), username);
    auto byEmail = accountstore::findByEmail(tx->db(), email);
    if (!byName || !byEmail)
        return dbFail(!byName ? byName.error() : byEmail.error());
    QMap<QString, QStringList> taken;
    if (*byName)
        taken[u"username"_s] << u"taken"_s;
    if (*byEmail)
        taken[u"email"_s] << u"taken"_s;
    if (!taken.isEmpty())
        return std::unexpected(validationError(taken));
    if (auto r = accountstore::insert(tx->db(), account); !r)
        return dbFail(r.error());
    if (auto r = auditlog::record(tx->db(), now, actor.name, u"superuser.created"_s, account.id,
                                  u"username="_s + username);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    return account;
}

void SignupService::resolveRemoteName(const QString &userId, const QString &ip)
{
    if (!m_dns)
        return;
    const QString host = m_dns->nameOf(ip);
    if (host.isEmpty())
        return;
    // Best effort after the signup committed: a failure is logged, the signup stands.
    auto db = m_ctx.database.connection();
    auto stored = db ? accountstore::setRemoteAddr(*db, userId, host) : std::unexpected(db.error());
    if (!stored)
        qWarning("reverse DNS name not stored: %s", qPrintable(stored.error().message));
}

} // namespace sd::core
