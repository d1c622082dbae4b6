#include "localactor.h"

#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sd::core {

QString localUserName()
{
    // The effective user's entry first: $USER can be anything the caller set.
    if (const passwd *pw = getpwuid(geteuid()); pw && pw->pw_name && *pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
    return qEnvironmentVariable("USER");
}

Actor localActor(const QString &program)
{
    const QString user = localUserName();
    return {user.isEmpty() ? program : program + u':' + user};
}

} // namespace sd::core
