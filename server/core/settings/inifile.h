#pragma once

#include "result.h"

#include <QList>
#include <QString>

#include <utility>

namespace sd::core {

// Writes "section/key" = value into an INI file that QSettings (and so loadConfig) reads, in
// place: every other line (comments, blank lines, keys it does not touch, their order) stays as
// it was. A key already in the file gets its value replaced; a new one goes at the end of its
// section, or into a new section at the end. The file is replaced atomically (QSaveFile) and
// keeps its permissions; a new file (and its folder) is made readable by its owner only, since
// the INI may hold secrets. Values are written quoted and escaped whenever QSettings would
// otherwise change them (commas, quotes, backslashes, semicolons, a leading @ or spaces).
// Errors (not writable, folder missing and not creatable, …) are Unavailable with a detail
// naming the file; nothing is written then.
Result<void> writeIniValues(const QString &path, const QList<std::pair<QString, QString>> &values);

// A value as QSettings expects it in an INI file (quoted and escaped when it needs to be).
QString iniValueText(const QString &value);

} // namespace sd::core
