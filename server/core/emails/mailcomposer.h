#pragma once

#include "accounts/account.h"
#include "mail/message.h"

namespace sd::core {

struct Context;

// Builds the emails of the flows. Links come only from server/public_url (never from a
// request's Host header). English for now; French and German templates come with the
// email issue (#4).
class MailComposer
{
public:
    explicit MailComposer(const Context &ctx) : m_ctx(ctx) {}

    mail::Message verification(const Account &account, const QString &token, const QString &code) const;
    mail::Message verificationSigned(const Account &account, qint64 timestamp,
                                     const QString &signature) const;
    mail::Message alreadyRegistered(const QString &email, const QString &language) const;
    mail::Message welcome(const Account &account) const;
    mail::Message rejection(const Account &account, const QString &reason) const;

    // The link in a verification email, from verification/url or the embedded page.
    QString verificationLink(const Account &account, const QString &token) const;
    QString signedVerificationLink(const Account &account, qint64 timestamp,
                                   const QString &signature) const;

private:
    mail::Message make(const QString &to, const QString &subject, const QString &text,
                       const QString &html) const;
    const Context &m_ctx;
};

} // namespace sd::core
