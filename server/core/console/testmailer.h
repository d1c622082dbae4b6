#pragma once

#include <QString>

namespace sd::core {

// "Send a test email" from the console's settings: one email through the transport a config
// names, sent at once (not through the outbox). The composition root builds it over the
// real transport; front ends see only this.
struct TestEmail
{
    QString from;
    QString to;
    QString subject;
    QString textBody;
    QString htmlBody;
};

struct MailDelivery
{
    bool sent = false;
    QString reply; // the server's last reply or the transport's error text
};

class TestMailer
{
public:
    virtual ~TestMailer() = default;
    // Where the email goes, e.g. "smtp://127.0.0.1:2525", never with the password.
    virtual QString describe() const = 0;
    // Synchronous (SMTP may take up to a minute): call from a thread of its own.
    virtual MailDelivery send(const TestEmail &email) = 0;
};

} // namespace sd::core
