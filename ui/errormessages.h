#pragma once

#include "result.h"

#include <QString>

namespace sd::ui {

// The one place where a core error becomes the console's message to the admin.
QString errorMessage(const core::Error &error);

} // namespace sd::ui
