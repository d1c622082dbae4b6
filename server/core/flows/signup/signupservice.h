#pragma once

#include "accounts/account.h"
#include "result.h"
#include "reversedns.h"
#include "validation/signupvalidator.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

struct SignupResult
{
    QString userId;
    QString cid;
    QString confirmToken; // only filled when signup/return_confirm_token is on
};

// Self-service signup. A signup with an email that already has an account answers exactly
// like a new one (same fields, same lengths, one password hash, the same rows written) and
// mails that address an "already registered" notice instead of a token; the username it
// asked for is held by a placeholder pending account (accountstore::insertPlaceholder), as a
// new signup would hold it (issue 18 item 1). Either mail comes out of the address's budget.
class SignupService
{
public:
    // `dns` may be null: then resolveRemoteName() does nothing.
    explicit SignupService(const Context &ctx, const ReverseDns *dns = nullptr)
        : m_ctx(ctx), m_dns(dns)
    {
    }

    Result<SignupResult> signUp(const SignupInput &input, const RequestInfo &request);

    // For `admin create-superuser`: active, verified, a super-user; the reserved-name rule
    // does not apply.
    Result<Account> createSuperuser(const QString &username, const QString &email,
                                    const QString &password, const Actor &actor);

    // Looks up the reverse-DNS name of the signup's address and stores it (slow: run it off
    // the request path).
    void resolveRemoteName(const QString &userId, const QString &ip);

private:
    const Context &m_ctx;
    const ReverseDns *m_dns;
};

} // namespace sd::core
