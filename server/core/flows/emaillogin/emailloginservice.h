#pragma once

#include "accounts/account.h"
#include "flows/login/sessionservice.h"
#include "result.h"
#include "vocabulary.h"

#include <optional>

namespace sd::core {

struct Context; // context.h: private to core

// What the page of a login link shows before anything is consumed.
struct LoginLinkView
{
    Account account;
    bool tosRequired = false;
};

struct EmailLoginConfirmation
{
    QString token;                      // raw, from the link
    std::optional<QString> displayName; // the edited full name, if the form sent one
    bool tosAccepted = false;
};

// Login by emailed link: requestLink mails a one-time link (TokenKind::LoginLink, TTL
// login_link/ttl_seconds) to an active account and does nothing else for any other address,
// with the same outcome for the caller either way: the address's mail budget (flowsupport.h)
// is checked and spent at once, the lookup and the link are made after the answer
// (AfterAnswer), so the answer's time does not depend on the account either.
// inspect() only reads (link pages' GET/HEAD).
// confirm() consumes the token with the guarded single-use UPDATE in one transaction with the
// name/ToS update, the new session and the audit row; a required but missing ToS acceptance
// fails before anything is consumed.
class EmailLoginService
{
public:
    explicit EmailLoginService(const Context &ctx) : m_ctx(ctx) {}

    Result<void> requestLink(const QString &email, const QString &nextPage,
                             const RequestInfo &request);
    Result<LoginLinkView> inspect(const QString &token) const;
    Result<LoginResult> confirm(const EmailLoginConfirmation &input, const RequestInfo &request);
    // tos/version is set and differs from what the account accepted.
    bool tosRequired(const Account &account) const;

private:
    Result<void> sendLink(const QString &email, const QString &nextPage,
                          const RequestInfo &request);
    const Context &m_ctx;
};

} // namespace sd::core
