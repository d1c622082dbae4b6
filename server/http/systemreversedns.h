#pragma once

#include "reversedns.h"

namespace sd::http {

// ReverseDns through the system resolver (getnameinfo with NI_NAMEREQD): only a real PTR
// name, never the address written back as text. Thread-safe.
class SystemReverseDns final : public core::ReverseDns
{
public:
    QString nameOf(const QString &ip) const override;
};

} // namespace sd::http
