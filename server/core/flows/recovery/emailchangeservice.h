#pragma once

#include "accounts/account.h"
#include "accounts/tokenstore.h"
#include "flows/recovery/recoveryservice.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// What the page of an email-change link shows before anything is consumed.
struct EmailChangeView
{
    Account account;
    QString newEmail;
};

// A signed-in user's change of email address (API.md "Account recovery and self-service",
// SEC-42…44). request() checks the current password (a wrong one counts as a failed login),
// then answers before any work that depends on the new address (AfterAnswer): a link and a
// code (TokenKind::EmailChange, the address in its payload, TTL recovery/ttl_seconds) go to
// the new address, or an "already registered" notice when another account has it; the
// current address gets a notice either way. A new request revokes the previous one. Nothing
// changes until confirm() (the link's token) or confirmCode() (the signed-in user and the
// code) consumes the token with the guarded UPDATE, in one transaction with the new address,
// whose uniqueness is checked again at that moment (InvalidToken when it was taken meanwhile).
class EmailChangeService
{
public:
    explicit EmailChangeService(const Context &ctx) : m_ctx(ctx) {}

    Result<void> request(const SessionUser &user, const QString &newEmail,
                         const QString &currentPassword, const RequestInfo &request);
    Result<Account> confirm(const QString &token, const RequestInfo &request);
    Result<Account> confirmCode(const SessionUser &user, const QString &code,
                                const RequestInfo &request);
    // Read-only, for the page's GET/HEAD.
    Result<EmailChangeView> inspect(const QString &token) const;

private:
    // After the answer: the token and the mails of request().
    Result<void> send(const QString &userId, const QString &newEmail, const RequestInfo &request);
    // Consumes `row` and moves its account to the row's address.
    Result<Account> apply(const TokenRow &row, const QString &how, const RequestInfo &request);
    const Context &m_ctx;
};

} // namespace sd::core
