#pragma once

#include "message.h"

#include <QString>

namespace sd::mail {

// The outcome of one delivery attempt.
struct SendResult
{
    enum class Kind
    {
        Sent,
        TemporaryFailure,
        PermanentFailure
    };
    Kind kind = Kind::TemporaryFailure;
    QString reply; // the server's last reply or the transport's error text, for the console

    bool isSent() const { return kind == Kind::Sent; }
};

// A transport that delivers one message synchronously. Implementations are called from the
// outbox sender's thread only, never from the GUI or HTTP threads.
class Mailer
{
public:
    virtual ~Mailer() = default;
    virtual SendResult send(const Message &message) = 0;
    virtual QString describe() const = 0; // e.g. "smtp://127.0.0.1:2525" without credentials
};

} // namespace sd::mail
