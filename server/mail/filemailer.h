#pragma once

#include "mailer.h"

namespace sd::mail {

// Writes each message as "<Message-ID>.eml" (mode 0600) into a folder (mode 0700), created on
// first use. The zero-setup default transport.
class FileMailer final : public Mailer
{
public:
    explicit FileMailer(QString folder);
    SendResult send(const Message &message) override;
    QString describe() const override;

private:
    QString m_folder;
};

} // namespace sd::mail
