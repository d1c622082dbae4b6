#pragma once

#include <QString>

namespace sd::core {

// The network half of a signup's reverse-DNS name. Core links no network code, so the
// composition root injects an implementation (http/systemreversedns.h), as it does for OAuth.
// Blocking and slow (seconds): call it only off the request path.
class ReverseDns
{
public:
    virtual ~ReverseDns() = default;
    // The name the address's PTR record gives, empty when it has none or `ip` is no address.
    virtual QString nameOf(const QString &ip) const = 0;
};

} // namespace sd::core
