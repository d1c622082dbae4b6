#include "flows/signup/signupservice.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "flows/verification/verificationservice.h"
#include "mail/outbox.h"
#include "store/transaction.h"
#include "validation/names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

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

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto existing = accountstore::findByEmail(tx->db(), input.email);
    if (!existing)
        return dbFail(existing.error());
    if (*existing) {
        const auto notice = MailComposer(m_ctx).alreadyRegistered(
            (*existing)->email, input.language.value_or((*existing)->language));
        if (auto r = mail::Outbox::enqueue(tx->db(), u"already_registered"_s, (*existing)->id, notice, now); !r)
            return dbFail(r.error());
        if (auto r = auditlog::record(tx->db(), now, u"system"_s, u"signup.duplicate_email"_s,
                                      (*existing)->id, u"from "_s + request.remoteIp);
            !r)
            return dbFail(r.error());
        if (auto r = tx->commit(); !r)
            return dbFail(r.error());
        emit m_ctx.events.mailQueued();
        if (m_ctx.config.returnConfirmToken)
            result.confirmToken = crypto::newToken(); // looks like a real one; redeems nothing
        return result;
    }

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
    if (auto r = accountstore::insert(tx->db(), account); !r) {
        // A concurrent signup took the username or the email between our checks and insert.
        tx->rollback();
        if (auto db = m_ctx.database.connection()) {
            auto byName = accountstore::findByUsername(*db, input.username);
            if (byName && *byName)
                return std::unexpected(validationError({{u"username"_s, {u"taken"_s}}}));
        }
        return dbFail(r.error());
    }
    VerificationService verification(m_ctx);
    auto issued = verification.issue(tx->db(), account);
    if (!issued)
        return std::unexpected(issued.error());
    if (auto r = auditlog::record(tx->db(), now, u"user:"_s + account.id, u"signup.created"_s,
                                  account.id, u"from "_s + request.remoteIp);
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    if (m_ctx.config.returnConfirmToken)
        result.confirmToken = issued->token;
    emit m_ctx.events.signupCreated(account.id);
    emit m_ctx.events.mailQueued();
    return result;
}

Result<Account> SignupService::createSuperuser(const QString &username, const QString &email,
                                               const QString &password, const Actor &actor)
{
    SignupInput input;
    input.username = username;
    input.email = email;
    input.password = password;
    const auto live = m_ctx.live.current();
    if (auto fields = m_ctx.validator.validate(input, live->apps, /*forSelfService=*/false); !fields.isEmpty())
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
    sockaddr_storage storage{};
    socklen_t length = 0;
    const QByteArray text = ip.toLatin1();
    auto *v4 = reinterpret_cast<sockaddr_in *>(&storage);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&storage);
    if (inet_pton(AF_INET, text.constData(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, text.constData(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        length = sizeof(sockaddr_in6);
    } else {
        return;
    }
    char host[NI_MAXHOST] = {};
    if (getnameinfo(reinterpret_cast<sockaddr *>(&storage), length, host, sizeof host, nullptr, 0,
                    NI_NAMEREQD) != 0)
        return;
    auto db = m_ctx.database.connection();
    if (db)
        (void)accountstore::setRemoteAddr(*db, userId, QString::fromUtf8(host));
}

} // namespace sd::core
