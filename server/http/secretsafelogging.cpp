#include "secretsafelogging.h"

#include <QLoggingCategory>

#include <cstring>
#include <mutex>

namespace sd::http {

namespace {

QLoggingCategory::CategoryFilter previousFilter = nullptr;

void filter(QLoggingCategory *category)
{
    if (previousFilter)
        previousFilter(category);
    // A category filter runs after every rule, so no logging rule can switch these back on.
    if (std::strncmp(category->categoryName(), "qt.httpserver", 13) == 0)
        category->setEnabled(QtDebugMsg, false);
}

} // namespace

void keepSecretsOutOfLogs()
{
    static std::once_flag once;
    std::call_once(once, [] { previousFilter = QLoggingCategory::installFilter(filter); });
}

} // namespace sd::http
