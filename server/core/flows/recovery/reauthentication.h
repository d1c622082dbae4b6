#pragma once

#include "accounts/account.h"
#include "result.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// SEC-43: the current password of a signed-in account, before it changes its password or
// email, turns its second factor on or off, or deletes itself (`what` says which, for the
// audit). A wrong one is a failed login of the account's username: the same counters and
// lockout as POST /api/v1/login (RateLimited past them; while locked, even the right password
// fails), a login.failed (login.locked_out) audit row, and InvalidCredentials. An account without a
// password (made through OAuth) spends the same hash and fails. Returns the account as it is now.
Result<Account> checkCurrentPassword(const Context &ctx, const QString &userId,
                                     const QString &password, const RequestInfo &request,
                                     const QString &what);
// After a successful re-authentication: the failed-login count of the account starts anew.
void clearLoginFailures(const Context &ctx, const Account &account);

} // namespace sd::core
