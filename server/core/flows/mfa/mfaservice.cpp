#include "flows/mfa/mfaservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "emails/mailcomposer.h"
#include "flows/mfa/mfastore.h"
#include "flows/mfa/totp.h"
#include "flows/recovery/reauthentication.h"
#include "outbox.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

constexpr int kSecretBytes = 20; // 160 bits, RFC 4226's recommendation for HMAC-SHA-1

QString loginKeyOf(const Account &a)
{
    return u"login:"_s + a.username.trimmed().toLower();
}

// A recovery code as typed: case, spaces and dashes do not matter.
QString normalizedRecoveryCode(const QString &typed)
{
    QString out = typed.trimmed().toLower();
    out.remove(u'-');
    out.remove(u' ');
    return out;
}

// Ten characters of base32 (50 bits), shown as xxxxx-xxxxx.
QString newRecoveryCode()
{
    const QString raw = totp::toBase32(crypto::randomBytes(7)).left(10).toLower();
    return raw.left(5) + u'-' + raw.mid(5);
}

Result<void> queueNotice(const Context &ctx, const QSqlDatabase &db, const Account &account,
                         const QString &kind, qint64 now)
{
    const mail::Message m = MailComposer(ctx).mfaNotice(account, kind);
    if (auto r = mail::Outbox::enqueue(db, kind, account.id, m, now); !r)
        return dbFail(r.error());
    return {};
}

Result<void> audit(const QSqlDatabase &db, qint64 now, const QString &actor, const QString &action,
                   const QString &userId, const QString &detail)
{
    if (auto r = auditlog::record(db, now, actor, action, userId, detail); !r)
        return dbFail(r.error());
    return {};
}

// The end of every change of the factor: its audit row and notice in the transaction, the
// commit, then the outbox is told.
Result<void> commitChange(const Context &ctx, store::Transaction &tx, const QString &actor,
                          const Account &account, const QString &action, const QString &detail,
                          const QString &noticeKind, qint64 now)
{
    if (auto r = audit(tx.db(), now, actor, action, account.id, detail); !r)
        return r;
    if (auto r = queueNotice(ctx, tx.db(), account, noticeKind, now); !r)
        return r;
    if (auto r = tx.commit(); !r)
        return dbFail(r.error());
    emit ctx.events.mailQueued();
    return {};
}

} // namespace

QString MfaService::otpauthUri(const Account &account, const QString &base32Secret) const
{
    const QString issuer = m_ctx.config.mfaIssuer;
    const auto pct = [](const QString &s) {
        return QString::fromLatin1(QUrl::toPercentEncoding(s));
    };
    return u"otpauth://totp/"_s + pct(issuer) + u':' + pct(account.username) + u"?secret="_s +
           base32Secret + u"&issuer="_s + pct(issuer);
}

QString MfaService::recoveryDigest(const QString &userId, const QString &normalizedCode) const
{
    return m_ctx.digest.digest(u"mfa-recovery|"_s + userId + u'|' + normalizedCode);
}

QStringList MfaService::newRecoveryCodes(const QSqlDatabase &db, const QString &userId,
                                         qint64 nowMs, store::DbError *error)
{
    QStringList codes, digests;
    while (codes.size() < kRecoveryCodes) {
        const QString code = newRecoveryCode();
        const QString digest = recoveryDigest(userId, normalizedRecoveryCode(code));
        if (digests.contains(digest))
            continue; // 50 bits: practically never, but a duplicate would break UNIQUE
        codes << code;
        digests << digest;
    }
    if (auto r = mfastore::replaceRecoveryCodes(db, userId, digests, nowMs); !r) {
        *error = r.error();
        return {};
    }
    return codes;
}

QStringList MfaService::limitKeys(const Account &account, const QString &extraKey) const
{
    QStringList keys{loginKeyOf(account)};
    if (!extraKey.isEmpty() && !keys.contains(extraKey))
        keys << extraKey;
    return keys;
}

std::optional<Error> MfaService::blocked(const QStringList &keys) const
{
    const Config &cfg = m_ctx.config;
    if (!cfg.rateLimitEnabled)
        return std::nullopt;
    for (const QString &key : keys) {
        if (int wait = m_ctx.limiter.blockedFor(key, cfg.loginFailuresPerWindow,
                                                cfg.loginFailureWindowSeconds))
            return Error{ErrorCode::RateLimited, u"too many failed logins"_s, {}, wait};
    }
    return std::nullopt;
}

bool MfaService::locked(const QStringList &keys) const
{
    const Config &cfg = m_ctx.config;
    if (!cfg.rateLimitEnabled || !cfg.lockoutEnabled)
        return false;
    for (const QString &key : keys)
        if (m_ctx.limiter.lockedFor(key) > 0)
            return true;
    return false;
}

void MfaService::chargeWrongCode(const QStringList &keys, const QString &userId,
                                 const QString &what, const RequestInfo &request)
{
    const Config &cfg = m_ctx.config;
    const bool wasLocked = locked(keys);
    if (cfg.rateLimitEnabled) {
        for (const QString &key : keys) {
            (void)m_ctx.limiter.hit(key, cfg.loginFailuresPerWindow, cfg.loginFailureWindowSeconds);
            // Attempts during a lock do not extend it (as at the password step).
            if (cfg.lockoutEnabled && !wasLocked)
                (void)m_ctx.limiter.recordFailure(key, SessionService::lockoutPolicy(cfg));
        }
    }
    auto db = m_ctx.database.connection();
    if (!db)
        return;
    // The failure is already counted in memory; an audit row that cannot be written is logged.
    if (auto r = auditlog::record(*db, m_ctx.clock.nowMs(), u"user:"_s + userId,
                                  wasLocked ? u"login.locked_out"_s : u"mfa.code_failed"_s, userId,
                                  what + u" from "_s + request.remoteIp);
        !r)
        qWarning("mfa: audit of a wrong code: %s", qPrintable(r.error().message));
}

Result<Account> MfaService::loadAccount(const QSqlDatabase &db, const QString &userId) const
{
    auto found = accountstore::findById(db, userId);
    if (!found)
        return dbFail(found.error());
    if (!*found)
        return fail(ErrorCode::Unauthorized, u"account gone"_s);
    return **found;
}

void MfaService::changed(const QString &userId)
{
    m_ctx.sessionCache.forgetUser(userId); // the cached user object carries `mfa`
    emit m_ctx.events.secondFactorChanged(userId);
}

Result<MfaService::Check> MfaService::useTotp(const QSqlDatabase &db, const QString &userId,
                                              const QString &submitted)
{
    const auto code = totp::normalizedCode(submitted);
    auto factor = mfastore::findFactor(db, userId);
    if (!factor)
        return dbFail(factor.error());
    if (!code || !*factor)
        return Check::Wrong;
    const auto secret = m_ctx.secrets.open((*factor)->sealedSecret, userId.toUtf8());
    if (!secret) {
        // Never the secret itself in the log: only that it does not open.
        qWarning("mfa: the TOTP secret of %s does not open (security/secret changed?)",
                 qPrintable(userId));
        return Check::Wrong;
    }
    const qint64 now = totp::stepAt(m_ctx.clock.nowMs());
    qint64 matched = -1;
    // All three steps are computed and compared, in constant time, whatever matches.
    for (qint64 step = now - 1; step <= now + 1; ++step) {
        if (crypto::constantTimeEquals(totp::code(*secret, step).toLatin1(), code->toLatin1()))
            matched = step;
    }
    if (matched < 0)
        return Check::Wrong;
    auto used = mfastore::useStep(db, userId, matched);
    if (!used)
        return dbFail(used.error());
    return *used ? Check::Accepted : Check::Wrong; // a step used before: a replay
}

Result<MfaService::Check> MfaService::useRecoveryCode(const QSqlDatabase &db, const QString &userId,
                                                      const QString &code)
{
    const QString normalized = normalizedRecoveryCode(code);
    if (normalized.isEmpty() || normalized.size() > 64)
        return Check::Wrong;
    auto used = mfastore::useRecoveryCode(db, userId, recoveryDigest(userId, normalized),
                                          m_ctx.clock.nowMs());
    if (!used)
        return dbFail(used.error());
    return *used ? Check::Accepted : Check::Wrong;
}

Result<bool> MfaService::checkUserCode(store::Transaction &tx, const Account &account,
                                       const QString &code, bool recoveryAllowed,
                                       const QString &what, const RequestInfo &request)
{
    const QStringList keys = limitKeys(account);
    if (auto b = blocked(keys))
        return std::unexpected(*b);
    const bool totpCode = !recoveryAllowed || totp::normalizedCode(code).has_value();
    auto check = locked(keys) ? Result<Check>(Check::Wrong)
                 : totpCode   ? useTotp(tx.db(), account.id, code)
                              : useRecoveryCode(tx.db(), account.id, code);
    if (!check)
        return std::unexpected(check.error());
    if (*check != Check::Accepted) {
        tx.rollback();
        chargeWrongCode(keys, account.id, what, request);
        return fail(ErrorCode::InvalidCode, u"wrong code"_s);
    }
    return totpCode;
}

Result<TotpEnrolment> MfaService::startTotp(const SessionUser &user, const QString &currentPassword,
                                            const RequestInfo &request)
{
    auto account = checkCurrentPassword(m_ctx, user.account.id, currentPassword, request,
                                        u"second factor enrolment"_s);
    if (!account)
        return std::unexpected(account.error());
    clearLoginFailures(m_ctx, *account);
    if (account->mfaEnabled)
        return fail(ErrorCode::MfaEnabled, u"second factor already on"_s);
    const QByteArray secret = crypto::randomBytes(kSecretBytes);
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    if (auto r = mfastore::putPending(tx->db(), account->id,
                                      m_ctx.secrets.seal(secret, account->id.toUtf8()), now);
        !r)
        return dbFail(r.error());
    if (auto r = audit(tx->db(), now, u"user:"_s + account->id, u"mfa.enrolment_started"_s,
                       account->id, u"from "_s + request.remoteIp);
        !r)
        return std::unexpected(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    const QString base32 = totp::toBase32(secret);
    return TotpEnrolment{base32, otpauthUri(*account, base32)};
}

Result<QStringList> MfaService::confirmTotp(const SessionUser &user, const QString &code,
                                            const RequestInfo &request)
{
    const QString userId = user.account.id;
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = loadAccount(tx->db(), userId);
    if (!account)
        return std::unexpected(account.error());
    auto factor = mfastore::findFactor(tx->db(), userId);
    if (!factor)
        return dbFail(factor.error());
    if (!*factor)
        return fail(ErrorCode::InvalidCode, u"no pending secret"_s);
    if ((*factor)->enabledAt != 0)
        return fail(ErrorCode::MfaEnabled, u"second factor already on"_s);
    auto check = useTotp(tx->db(), userId, code);
    if (!check)
        return std::unexpected(check.error());
    if (*check != Check::Accepted) {
        // The secret was shown to this very session a moment ago: a typo, not a guesser; it
        // is audited but not charged to the login limits.
        tx->rollback();
        auto db = m_ctx.database.connection();
        if (db)
            (void)auditlog::record(*db, now, u"user:"_s + userId, u"mfa.code_failed"_s, userId,
                                   u"enrolment from "_s + request.remoteIp);
        return fail(ErrorCode::InvalidCode, u"wrong first code"_s);
    }
    auto enabled = mfastore::enable(tx->db(), userId, now);
    if (!enabled)
        return dbFail(enabled.error());
    if (!*enabled)
        return fail(ErrorCode::MfaEnabled, u"enabled concurrently"_s);
    store::DbError error;
    const QStringList codes = newRecoveryCodes(tx->db(), userId, now, &error);
    if (codes.isEmpty())
        return dbFail(error);
    if (auto r = commitChange(m_ctx, *tx, u"user:"_s + userId, *account, u"mfa.enabled"_s,
                              u"totp from "_s + request.remoteIp, u"mfa_enabled"_s, now);
        !r)
        return std::unexpected(r.error());
    changed(userId);
    return codes;
}

Result<QStringList> MfaService::renewRecoveryCodes(const SessionUser &user, const QString &code,
                                                   const RequestInfo &request)
{
    const QString userId = user.account.id;
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = loadAccount(tx->db(), userId);
    if (!account)
        return std::unexpected(account.error());
    if (!account->mfaEnabled)
        return fail(ErrorCode::InvalidCode, u"second factor off"_s);
    if (auto checked =
            checkUserCode(*tx, *account, code, false, u"recovery code renewal"_s, request);
        !checked)
        return std::unexpected(checked.error());
    store::DbError error;
    const QStringList codes = newRecoveryCodes(tx->db(), userId, now, &error);
    if (codes.isEmpty())
        return dbFail(error);
    if (auto r =
            commitChange(m_ctx, *tx, u"user:"_s + userId, *account, u"mfa.recovery_codes_renewed"_s,
                         u"from "_s + request.remoteIp, u"mfa_recovery_codes"_s, now);
        !r)
        return std::unexpected(r.error());
    return codes;
}

Result<void> MfaService::disable(const SessionUser &user, const QString &currentPassword,
                                 const QString &code, const RequestInfo &request)
{
    const QString userId = user.account.id;
    auto checked =
        checkCurrentPassword(m_ctx, userId, currentPassword, request, u"second factor removal"_s);
    if (!checked)
        return std::unexpected(checked.error());
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto account = loadAccount(tx->db(), userId);
    if (!account)
        return std::unexpected(account.error());
    if (!account->mfaEnabled)
        return fail(ErrorCode::Conflict, u"second factor off"_s);
    auto byTotp = checkUserCode(*tx, *account, code, true, u"second factor removal"_s, request);
    if (!byTotp)
        return std::unexpected(byTotp.error());
    if (auto r = mfastore::remove(tx->db(), userId); !r)
        return dbFail(r.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::MfaChallenge, now); !r)
        return dbFail(r.error());
    if (auto r = commitChange(m_ctx, *tx, u"user:"_s + userId, *account, u"mfa.disabled"_s,
                              (*byTotp ? u"totp"_s : u"recovery code"_s) + u" from "_s +
                                  request.remoteIp,
                              u"mfa_disabled"_s, now);
        !r)
        return std::unexpected(r.error());
    clearLoginFailures(m_ctx, *account);
    changed(userId);
    return {};
}

Result<LoginResult> MfaService::challenge(const QSqlDatabase &db, const Account &account,
                                          const QString &limitKey, const QString &auditDetail)
{
    const qint64 now = m_ctx.clock.nowMs();
    LoginResult result;
    result.mfaToken = crypto::newToken();
    result.expiresAtMs = now + kChallengeTtlSeconds * 1000;
    result.account = account;
    TokenRow row;
    row.id = crypto::newId(u"mfa_");
    row.userId = account.id;
    row.kind = toString(TokenKind::MfaChallenge);
    row.createdAt = now;
    row.expiresAt = result.expiresAtMs;
    row.payload = limitKey.isEmpty() ? loginKeyOf(account) : limitKey;
    if (auto r = tokenstore::insert(db, row, m_ctx.digest.digest(result.mfaToken)); !r)
        return dbFail(r.error());
    if (auto r = audit(db, now, u"user:"_s + account.id, u"login.mfa_required"_s, account.id,
                       auditDetail);
        !r)
        return std::unexpected(r.error());
    return result;
}

Result<LoginResult> MfaService::completeLogin(const QString &mfaToken, const QString &code,
                                              const QString &recoveryCode,
                                              const RequestInfo &request)
{
    if (mfaToken.isEmpty())
        return fail(ErrorCode::InvalidToken, u"no mfa_token"_s);
    const bool byRecoveryCode = code.isEmpty();
    const qint64 now = m_ctx.clock.nowMs();
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto row = tokenstore::findByHash(*db, m_ctx.digest.digest(mfaToken), TokenKind::MfaChallenge);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(now))
        return fail(ErrorCode::InvalidToken, u"unknown, used, burned or expired mfa_token"_s);
    const TokenRow token = **row;
    auto account = loadAccount(*db, token.userId);
    if (!account)
        return fail(ErrorCode::InvalidToken, u"account gone"_s);
    // The factor was reset or the account disabled since the password step: start again.
    if (account->status != AccountStatus::Active || !account->mfaEnabled)
        return fail(ErrorCode::InvalidToken, u"account no longer asks for this code"_s);
    const QStringList keys = limitKeys(*account, token.payload);
    if (auto b = blocked(keys))
        return std::unexpected(*b);
    const auto wrong = [&]() -> Result<LoginResult> {
        // After the rollback, on the same connection: the fifth wrong code burns the token.
        if (auto r = tokenstore::countWrongCode(*db, token.id, kMaxCodeAttempts, now); !r)
            return dbFail(r.error());
        chargeWrongCode(keys, account->id,
                        byRecoveryCode ? u"login recovery code"_s : u"login code"_s, request);
        return fail(ErrorCode::InvalidLoginCode, u"wrong second-factor code"_s);
    };
    if (locked(keys))
        return wrong();

    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto consumed = tokenstore::consume(tx->db(), token.id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidToken, u"mfa_token used or burned concurrently"_s);
    auto check = byRecoveryCode ? useRecoveryCode(tx->db(), account->id, recoveryCode)
                                : useTotp(tx->db(), account->id, code);
    if (!check)
        return std::unexpected(check.error());
    if (*check != Check::Accepted) {
        tx->rollback();
        return wrong();
    }
    const QString detail =
        (byRecoveryCode ? u"recovery code"_s : u"totp"_s) + u" from "_s + request.remoteIp;
    auto result = SessionService(m_ctx).startSession(tx->db(), *account, detail, request);
    if (!result)
        return result;
    if (byRecoveryCode) {
        if (auto r = audit(tx->db(), now, u"user:"_s + account->id, u"mfa.recovery_code_used"_s,
                           account->id, u"from "_s + request.remoteIp);
            !r)
            return std::unexpected(r.error());
        if (auto r = queueNotice(m_ctx, tx->db(), *account, u"mfa_recovery_code_used"_s, now); !r)
            return std::unexpected(r.error());
    }
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    if (m_ctx.config.rateLimitEnabled) {
        for (const QString &key : keys) {
            m_ctx.limiter.reset(key);
            m_ctx.limiter.clearFailures(key);
        }
    }
    emit m_ctx.events.userLoggedIn(account->id);
    if (byRecoveryCode)
        emit m_ctx.events.mailQueued();
    return result;
}

Result<void> MfaService::adminReset(const QString &userId, const Actor &actor)
{
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto found = accountstore::findById(tx->db(), userId);
    if (!found)
        return dbFail(found.error());
    if (!*found)
        return fail(ErrorCode::NotFound, u"no such account"_s);
    auto removed = mfastore::remove(tx->db(), userId);
    if (!removed)
        return dbFail(removed.error());
    if (auto r = tokenstore::revokeAll(tx->db(), userId, TokenKind::MfaChallenge, now); !r)
        return dbFail(r.error());
    if (!*removed) {
        if (auto r = tx->commit(); !r) // the voided challenges of a pending enrolment
            return dbFail(r.error());
        return {};
    }
    if (auto r =
            commitChange(m_ctx, *tx, actor.name, **found, u"mfa.reset"_s,
                         u"second factor turned off by an administrator"_s, u"mfa_reset"_s, now);
        !r)
        return r;
    changed(userId);
    return {};
}

} // namespace sd::core
