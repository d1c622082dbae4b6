#pragma once

#include <QObject>

namespace sd::core {

// What the outbox sender reports, for front ends that show it live (the console's status bar
// and Outbox tab): core's view of the mail sender, so a front end needs no mail/ header. The
// composition root forwards the sender's signals here; they are emitted on the sender's thread,
// so connect to them queued.
class OutboxMonitor : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

signals:
    void messageSent(const QString &outboxId);
    void messageFailed(const QString &outboxId, const QString &error, bool dead);
};

} // namespace sd::core
