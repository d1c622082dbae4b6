#pragma once

#include "mailer.h"

namespace sd::mail {

// SMTP through libcurl: smtp:// (STARTTLS when the server offers it), smtps://, and AUTH from
// the URL's user info (smtp://user:pass@host:port). Envelope sender is the addr-spec of
// Message::from. Timeouts: 10 s to connect, 60 s in all. 5xx replies are permanent failures,
// everything else that is not a 2xx is temporary.
class SmtpMailer final : public Mailer
{
public:
    // `caFile`: PEM certificates to trust for the server's TLS certificate instead of the
    // system's (mail/smtp_ca_file), e.g. for a relay with a private CA.
    explicit SmtpMailer(QString url, QString caFile = {});
    SendResult send(const Message &message) override;
    QString describe() const override; // the URL with any password removed

private:
    QString m_url;
    QString m_caFile;
};

} // namespace sd::mail
