#pragma once

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace sd::app {

class Application;

struct AccountCliOptions
{
    QString status; // --status S (users list)
    QString reason; // --reason TEXT (users disable, users delete)
    QString query;  // --query Q (users list)
    QString apps;   // --apps A,B (invite)
    QString groups; // --groups G,H (invite)
};

// Issue 13, the administrator's side of accounts on the command line, over the same core
// services as the admin API and the console: `admin users list [--query Q] [--status S]`,
// `admin users disable|enable USER_ID`, `admin users delete USER_ID --reason TEXT`,
// `admin invite EMAIL [--apps A,B] [--groups G,H]`, `admin invitations list`,
// `admin invitations revoke ID`. Returns nullopt when `args` is none of these (runAdminCommand
// takes it then), else the exit status: 0 done, 1 the operation failed, 2 usage or database.
std::optional<int> runAccountCommand(Application &app, const QStringList &args,
                                     const AccountCliOptions &options, QTextStream &out,
                                     QTextStream &err);

} // namespace sd::app
