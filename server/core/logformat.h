#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QtGlobal>

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

// log/format: `text` (Qt's default handler: stderr, QT_MESSAGE_PATTERN) or `json` (one JSON
// object a line on stderr: time, level, category, message, request_id). Set once at start-up,
// before the server takes requests; the handler above applies it.
enum class LogFormat
{
    Text,
    Json
};
void setLogFormat(LogFormat format);

// The request the calling thread works for (X-Request-Id), or empty. The HTTP server sets it
// for a request's handler and for the jobs it hands to other threads; every log line written
// meanwhile carries it.
QString currentRequestId();
class RequestIdScope
{
public:
    explicit RequestIdScope(QString requestId);
    ~RequestIdScope();
    RequestIdScope(const RequestIdScope &) = delete;
    RequestIdScope &operator=(const RequestIdScope &) = delete;

private:
    QString m_previous;
};

// One line as the handler writes it, without the newline. Text: the escaped message, after
// "[request-id] " when there is one. Json: an object whose message is escaped the same way, so
// both formats keep one message on one line.
QString formatLogLine(LogFormat format, QtMsgType type, const char *category, QStringView message,
                      QStringView requestId, const QDateTime &timeUtc);

} // namespace sd::core
