#pragma once

#include <QObject>

namespace sd::core {

// What the webhook sender reports, for front ends that show it live (the console's status bar
// and Webhooks tab), as OutboxMonitor does for mail: core's view of the sender, so a front end
// needs no header of server/http. The composition root forwards the sender's signals here;
// they are emitted on the sender's thread, so connect to them queued.
class WebhookMonitor : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

signals:
    void delivered(const QString &deliveryId);
    // A failed attempt to `url`; `dead` when it was the last.
    void deliveryFailed(const QString &deliveryId, const QString &url, const QString &error,
                        bool dead);
};

} // namespace sd::core
