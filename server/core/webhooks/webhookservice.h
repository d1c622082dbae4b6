#pragma once

#include "result.h"

#include <QList>
#include <QString>

namespace sd::core {

struct Context;

// One row of webhook_deliveries: one event for one URL.
struct WebhookDelivery
{
    QString id;
    QString messageId; // webhook-id: the same on every attempt
    QString eventType;
    QString url;
    QByteArray payload;
    QString status; // queued, processing, delivered, dead
    int attempts = 0;
    int lastStatus = 0; // the last answer's HTTP status; 0: none (refused, timed out, …)
    QString lastError;
    qint64 createdAt = 0;
    qint64 nextAttemptAt = 0;
    qint64 deliveredAt = 0;
    qint64 seq = 0; // the order of queueing: among equal due times, the first queued goes first
};

struct WebhookPolicy
{
    int maxAttempts = 8;           // webhooks/max_attempts; then `dead`
    qint64 baseBackoffMs = 30'000; // webhooks/retry_seconds, doubled per failure, ±25 % jitter
    qint64 maxBackoffMs = 3'600'000;
    qint64 leaseMs = 120'000; // longer than an attempt's timeout: a dead sender's rows come back
    int batchSize = 20;
};

// The deliveries' lifecycle, like the mail outbox: due rows are claimed with a guarded UPDATE
// and a lease (one sender at a time per row, across instances sharing the database), then
// finished as delivered, queued again after a backoff, or dead. The network half is the
// WebhookSender's (server/http).
class WebhookService
{
public:
    explicit WebhookService(const Context &context) : m_ctx(context) {}

    Result<QList<WebhookDelivery>> claimDue(const QString &owner, const WebhookPolicy &policy);
    // After an attempt: 2xx ends it; anything else is retried or, after the last, dead.
    // Returns the status the row took ("delivered", "queued", "dead").
    Result<QString> finish(const WebhookDelivery &delivery, const QString &owner,
                           const WebhookPolicy &policy, int httpStatus, const QString &error);
    // The newest rows first, for the console.
    Result<QList<WebhookDelivery>> list(int limit = 500) const;
    // A dead or queued row is due again now. False when it is processing, delivered or gone.
    Result<bool> retry(const QString &id);
    // Queues a `webhook.test` event to every URL (the console's "Send a test event"). Fails
    // with NotFound when no URL is set.
    Result<void> queueTestEvent();

private:
    const Context &m_ctx;
};

} // namespace sd::core
