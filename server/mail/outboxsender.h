#pragma once

#include "database.h"
#include "mailer.h"

#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace sd::mail {

struct OutboxPolicy
{
    int maxAttempts = 8;           // then the row is dead and shows in the console
    qint64 baseBackoffMs = 30'000; // doubled after each failure, with ±25 % jitter
    qint64 maxBackoffMs = 3'600'000;
    qint64 leaseMs = 120'000; // a row claimed by a sender that died is retried after this
    int pollIntervalMs = 1'000;
    int batchSize = 20;
};

// Drains the outbox: claims due rows with a lease (so two senders, in one process or in
// several instances, never send one row at the same time), sends them through the Mailer,
// then marks them sent (redacting the body, which holds a link) or schedules a retry with
// exponential backoff. Lives in its own thread; never touches the GUI thread.
class OutboxSender : public QObject
{
    Q_OBJECT
public:
    OutboxSender(store::Database &database, std::shared_ptr<Mailer> mailer, OutboxPolicy policy,
                 std::function<qint64()> nowMs, QObject *parent = nullptr);

    // Sends every row due now; returns how many were sent. Synchronous.
    int drainOnce();

public slots:
    void start(); // begins polling in the current thread
    void stop();
    void wake(); // something was queued: drain soon, without waiting for the poll

signals:
    void messageSent(const QString &outboxId);
    void messageFailed(const QString &outboxId, const QString &error, bool dead);

private:
    store::Database &m_database;
    std::shared_ptr<Mailer> m_mailer;
    OutboxPolicy m_policy;
    std::function<qint64()> m_nowMs;
    QString m_owner;
    QTimer *m_timer = nullptr;
    bool m_databaseDown = false; // only this sender's thread reads or writes it

    void databaseDown(const QString &message);
};

} // namespace sd::mail
