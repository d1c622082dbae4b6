#pragma once

#include "accounts/account.h"
#include "message.h"

#include <QHash>

namespace sd::core {

struct Context;

// Builds the emails of the flows from the templates in resources/emails/<language>/ (a
// `<kind>.txt` whose first line is the subject, and a `<kind>.html` fragment), in the
// account's language (en when it has none that ships). Values are escaped here, never in the
// templates: raw in the text part, HTML-escaped in the HTML part. Links come only from
// server/public_url (never from a request's Host header). The requester's display name and
// username appear only in mail to a verified address; anything else greets generically. Each
// message carries a preview of its text with the secrets masked (placeholders named link,
// code, *_link, *_code, *token): name a new secret placeholder so.
class MailComposer
{
public:
    explicit MailComposer(const Context &ctx) : m_ctx(ctx) {}

    mail::Message verification(const Account &account, const QString &token,
                               const QString &code) const;
    mail::Message verificationSigned(const Account &account, qint64 timestamp,
                                     const QString &signature) const;
    mail::Message alreadyRegistered(const QString &email, const QString &language) const;
    mail::Message welcome(const Account &account) const;
    mail::Message rejection(const Account &account, const QString &reason) const;
    mail::Message loginLink(const Account &account, const QString &token,
                            const QString &nextPage) const;
    // Account recovery and self-service (flows/recovery): the reset link and code, the notice
    // that the password changed, the link and code to a new address (which nobody has proven
    // yet: greeted generically) and the notice of that request to the current address.
    mail::Message passwordReset(const Account &account, const QString &token,
                                const QString &code) const;
    mail::Message passwordChanged(const Account &account) const;
    mail::Message emailChange(const Account &account, const QString &newEmail, const QString &token,
                              const QString &code) const;
    mail::Message emailChangeNotice(const Account &account, const QString &newEmail) const;
    // Issue 13, accounts: after a deletion (the account row is already gone); an invitation.
    mail::Message goodbye(const Account &account) const;
    mail::Message invitation(const QString &email, const QString &language, const QString &token,
                             qint64 ttlSeconds) const;
    // Issue 14, the second factor's notices (no secret in any of them): `kind` is mfa_enabled,
    // mfa_disabled, mfa_recovery_codes (renewed), mfa_recovery_code_used or mfa_reset (by an
    // administrator).
    mail::Message mfaNotice(const Account &account, const QString &kind) const;

    // The link in a verification email, from verification/url or the embedded page.
    QString verificationLink(const Account &account, const QString &token) const;
    QString signedVerificationLink(const Account &account, qint64 timestamp,
                                   const QString &signature) const;
    // {public_url}/login/confirm?token=…[&next_page=…]
    QString loginLinkUrl(const QString &token, const QString &nextPage) const;

private:
    mail::Message compose(const QString &to, const QString &language, const QString &kind,
                          const QHash<QString, QString> &values) const;
    QString recoveryMinutes() const; // recovery/ttl_seconds in whole minutes, at least 1
    const Context &m_ctx;
};

} // namespace sd::core
