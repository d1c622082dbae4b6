#pragma once

#include <QStringList>
#include <QTextStream>

namespace sd::app {

class Application;

// `signupdesk admin SUBCOMMAND …`: works on the same database through the same core services
// and exits. Returns the process exit status: 0 success, 1 the operation failed (unknown id,
// wrong state, invalid input), 2 usage error or no database.
int runAdminCommand(Application &app, const QStringList &args, const QString &statusOption,
                    const QString &reasonOption, QTextStream &in, QTextStream &out,
                    QTextStream &err);

} // namespace sd::app
