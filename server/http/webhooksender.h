#pragma once

#include "coreservices.h"

#include <QObject>
#include <QTimer>

class QNetworkAccessManager;

namespace sd::http {

// Sends the webhook deliveries core queued (API.md "Webhooks"), like the mail outbox's sender:
// claims due rows with a lease through core (one sender per row across instances), POSTs each
// with the Standard Webhooks headers, never follows a redirect, gives each attempt
// `timeoutMs`, and hands the answer back to core (delivered, retried with backoff, or dead).
// Lives in its own thread: never the request's, never the GUI's.
class WebhookSender : public QObject
{
    Q_OBJECT
public:
    WebhookSender(core::CoreServices &core, QByteArray key, core::WebhookPolicy policy,
                  int timeoutMs, QObject *parent = nullptr);
    ~WebhookSender() override;

    // Sends every delivery due now; returns how many were delivered. Synchronous.
    int drainOnce();

public slots:
    void start(); // begins polling in the current thread
    void wake();  // something may have been queued: drain soon

signals:
    void delivered(const QString &deliveryId);
    // A failed attempt; `dead` when it was the last.
    void deliveryFailed(const QString &deliveryId, const QString &url, const QString &error,
                        bool dead);

private:
    struct Answer
    {
        int status = 0;
        QString error;
    };
    Answer post(const core::WebhookDelivery &delivery);

    core::CoreServices &m_core;
    QByteArray m_key;
    core::WebhookPolicy m_policy;
    int m_timeoutMs;
    QString m_owner;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    bool m_draining = false; // post() spins an event loop: no drain inside a drain
    bool m_databaseDown = false;
};

} // namespace sd::http
