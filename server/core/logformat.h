#pragma once

#include <QString>
#include <QStringView>

namespace sd::core {

// One log line per message, whatever the message holds (SEC-35): request paths, provider
// errors and database messages can carry text an attacker chose, and a CR or LF in them
// would forge a line of its own. Escapes CR as \r, LF as \n, a backslash as \\, and every
// other control character (C0 except tab, DEL, C1, U+2028/U+2029) as \xNN or \uNNNN.
QString escapeLogText(QStringView text);

// Installs a message handler that escapes every message with escapeLogText and hands it on
// to the handler that was installed before (Qt's default one: stderr, QT_MESSAGE_PATTERN).
// Safe to call more than once; the program calls it first thing.
void installEscapingLogHandler();

} // namespace sd::core
