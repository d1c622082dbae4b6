#pragma once

#include "accounts/account.h"
#include "flows/login/sessionservice.h"
#include "flows/recovery/recoveryservice.h"
#include "result.h"
#include "vocabulary.h"

#include <QSqlDatabase>

namespace sd::store {
class Transaction;
}

namespace sd::core {

struct Context; // context.h: private to core

// What enrolment hands out once: the base32 secret and the URI an authenticator app reads.
struct TotpEnrolment
{
    QString secret;
    QString otpauthUri;
};

// The second factor (API.md "Second factor", SEC-43…47): TOTP per RFC 6238 (flows/mfa/totp.h)
// and 10 single-use recovery codes.
// - The secret is sealed with the context's SecretBox (AES-256-GCM, the account id as
//   associated data) and never returned after startTotp; recovery codes are stored only as an
//   HMAC bound to the account (TokenDigest).
// - A code is accepted for the steps now-1, now and now+1, compared in constant time, and
//   each step once per account: a guarded UPDATE of the last used step, checked by rows
//   affected (mfastore::useStep). A recovery code is spent by one guarded UPDATE too.
// - Every way in (password, email link, OAuth) ends in SessionService::admit, which for an
//   account with the factor on issues a challenge instead of a session: an mfa_token
//   (TokenKind::MfaChallenge, 5 minutes, stored as a digest) that completeLogin exchanges with
//   a code for the session. 5 wrong codes burn it. Wrong codes count as failed logins of the
//   account's username (and of the identifier typed at login): the same rate limit and
//   lockout as POST /api/v1/login; the password step alone does not reset those counters.
// - Turning the factor on or off, renewing the codes, using one and an administrator's reset
//   each leave an audit row and queue a notice, in the transaction of the change.
class MfaService
{
public:
    static constexpr int kRecoveryCodes = 10;
    static constexpr int kMaxCodeAttempts = 5;
    static constexpr qint64 kChallengeTtlSeconds = 300;

    explicit MfaService(const Context &ctx) : m_ctx(ctx) {}

    // POST /api/v1/user/mfa/totp: InvalidCredentials (a failed login) for a wrong password,
    // MfaEnabled when the factor is on; a new call replaces a pending secret.
    Result<TotpEnrolment> startTotp(const SessionUser &user, const QString &currentPassword,
                                    const RequestInfo &request);
    // The first code of the pending secret turns the factor on: the 10 recovery codes, once.
    // InvalidCode without a pending secret or for a wrong code; MfaEnabled when already on.
    Result<QStringList> confirmTotp(const SessionUser &user, const QString &code,
                                    const RequestInfo &request);
    // A TOTP code of the enabled factor; the old recovery codes stop working.
    Result<QStringList> renewRecoveryCodes(const SessionUser &user, const QString &code,
                                           const RequestInfo &request);
    // The current password, then a TOTP or recovery code. Conflict when the factor is off.
    Result<void> disable(const SessionUser &user, const QString &currentPassword,
                         const QString &code, const RequestInfo &request);
    // POST /api/v1/login/mfa: exactly one of `code` (TOTP) and `recoveryCode`. InvalidToken for
    // an unknown, expired, used or burned token; InvalidLoginCode for a wrong code;
    // RateLimited past the login limits.
    Result<LoginResult> completeLogin(const QString &mfaToken, const QString &code,
                                      const QString &recoveryCode, const RequestInfo &request);
    // An administrator (API, console, CLI) turns the factor off: NotFound for an unknown
    // account; nothing to do (and no mail) when it is off.
    Result<void> adminReset(const QString &userId, const Actor &actor);

    // Inside the login's open transaction (SessionService::admit): the challenge of an account
    // with the factor on. `limitKey` is the login identifier's rate-limit key, also charged
    // for wrong codes.
    Result<LoginResult> challenge(const QSqlDatabase &db, const Account &account,
                                  const QString &limitKey, const QString &auditDetail);

    // The otpauth:// URI of a secret (API.md: issuer mfa/issuer, label issuer:username).
    QString otpauthUri(const Account &account, const QString &base32Secret) const;

private:
    enum class Check
    {
        Accepted,
        Wrong,
    };
    Result<Check> useTotp(const QSqlDatabase &db, const QString &userId, const QString &code);
    Result<Check> useRecoveryCode(const QSqlDatabase &db, const QString &userId,
                                  const QString &code);
    // The code of a signed-in user's enabled factor (renewal: TOTP only; removal: or a recovery
    // code), against the login limits; a wrong one rolls `tx` back and is charged to them
    // (InvalidCode). True when it was a TOTP code.
    Result<bool> checkUserCode(store::Transaction &tx, const Account &account, const QString &code,
                               bool recoveryAllowed, const QString &what,
                               const RequestInfo &request);
    QString recoveryDigest(const QString &userId, const QString &normalizedCode) const;
    QStringList newRecoveryCodes(const QSqlDatabase &db, const QString &userId, qint64 nowMs,
                                 store::DbError *error);
    // The login-failure keys a wrong code is charged to (and checked against).
    QStringList limitKeys(const Account &account, const QString &extraKey = {}) const;
    std::optional<Error> blocked(const QStringList &keys) const;
    bool locked(const QStringList &keys) const;
    void chargeWrongCode(const QStringList &keys, const QString &userId, const QString &what,
                         const RequestInfo &request);
    Result<Account> loadAccount(const QSqlDatabase &db, const QString &userId) const;
    void changed(const QString &userId);

    const Context &m_ctx;
};

} // namespace sd::core
