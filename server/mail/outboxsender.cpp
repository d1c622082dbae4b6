#include "outboxsender.h"

#include "leasedclaim.h"
#include "sqlquery.h"

#include <QDebug>
#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::mail {

OutboxSender::OutboxSender(store::Database &database, std::shared_ptr<Mailer> mailer,
                           OutboxPolicy policy, std::function<qint64()> nowMs, QObject *parent)
    : QObject(parent), m_database(database), m_mailer(std::move(mailer)), m_policy(policy),
      m_nowMs(std::move(nowMs)), m_owner(QUuid::createUuid().toString(QUuid::Id128))
{
}

void OutboxSender::start()
{
    if (!m_timer) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, [this] { drainOnce(); });
    }
    m_timer->start(m_policy.pollIntervalMs);
    QMetaObject::invokeMethod(
        this, [this] { drainOnce(); }, Qt::QueuedConnection);
}

void OutboxSender::stop()
{
    if (m_timer)
        m_timer->stop();
}

void OutboxSender::wake()
{
    drainOnce();
}

// Polled every second: an outage is logged when it begins (and again when it ends), not
// on every poll.
void OutboxSender::databaseDown(const QString &message)
{
    if (m_databaseDown)
        return;
    m_databaseDown = true;
    qWarning("outbox: database unavailable: %s", qPrintable(message));
}

int OutboxSender::drainOnce()
{
    auto db = m_database.connection();
    if (!db) {
        databaseDown(db.error().message);
        return 0;
    }
    // In queue order: the claim hands its rows over in no particular order.
    struct Due
    {
        qint64 dueAt = 0;
        qint64 seq = 0;
        QString id;
    };
    QList<Due> batch;
    auto claimed = store::claimLeased(
        m_database,
        {u"outbox"_s, u"id, next_attempt_at, seq"_s, m_owner, m_nowMs(), m_policy.leaseMs,
         m_policy.batchSize},
        [&](const QSqlQuery &q) {
            batch.append({q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(0).toString()});
        });
    if (!claimed) {
        databaseDown(claimed.error().message);
        db->close();
        return 0;
    }
    if (m_databaseDown) {
        m_databaseDown = false;
        qInfo("outbox: database available again");
    }
    std::ranges::sort(batch, {}, [](const Due &d) { return std::pair(d.dueAt, d.seq); });
    QStringList ids;
    for (const Due &d : std::as_const(batch))
        ids.append(d.id);

    int sent = 0;
    for (const QString &id : std::as_const(ids)) {
        auto row = store::runQuery(
            *db,
            u"SELECT message_id, sender, recipient, subject, body_text, body_html, created_at,"
            " attempts FROM outbox WHERE id = ?"_s,
            {id});
        if (!row || !row->next())
            continue;
        Message message;
        message.messageId = row->value(0).toString();
        message.from = row->value(1).toString();
        message.to = row->value(2).toString();
        message.subject = row->value(3).toString();
        message.textBody = row->value(4).toString();
        message.htmlBody = row->value(5).toString();
        message.date = QDateTime::fromMSecsSinceEpoch(row->value(6).toLongLong(), Qt::UTC);
        const int attempts = row->value(7).toInt() + 1;
        // An unfinished SELECT keeps SQLite's read snapshot open; the UPDATE below would then
        // fail with "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) whenever another
        // connection wrote meanwhile, leaving a sent message 'processing' to be sent again.
        row->finish();

        const SendResult result = m_mailer->send(message);
        const qint64 after = m_nowMs();
        if (result.isSent()) {
            // The body held a link with a live token: keep only what the console needs.
            auto done = store::runQuery(
                *db,
                u"UPDATE outbox SET status = 'sent', attempts = ?, sent_at = ?, server_reply = ?,"
                " last_error = '', body_text = '[redacted after sending]',"
                " body_html = '[redacted after sending]', lease_until = NULL, lease_owner = NULL"
                " WHERE id = ? AND lease_owner = ?"_s,
                {attempts, after, result.reply.left(500), id, m_owner});
            if (!done)
                qWarning("outbox: %s", qPrintable(done.error().message));
            ++sent;
            emit messageSent(id);
            continue;
        }
        const bool dead = result.kind == SendResult::Kind::PermanentFailure
                              ? attempts >= qMin(3, m_policy.maxAttempts)
                              : attempts >= m_policy.maxAttempts;
        qint64 backoff = m_policy.baseBackoffMs;
        for (int i = 1; i < attempts && backoff < m_policy.maxBackoffMs; ++i)
            backoff *= 2;
        backoff = qMin(backoff, m_policy.maxBackoffMs);
        const qint64 jitter = backoff / 4;
        if (jitter > 0)
            backoff += QRandomGenerator::global()->bounded(2 * jitter + 1) - jitter;
        auto failed = store::runQuery(
            *db,
            u"UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?,"
            " lease_until = NULL, lease_owner = NULL WHERE id = ? AND lease_owner = ?"_s,
            {dead ? u"dead"_s : u"queued"_s, attempts, result.reply.left(500), after + backoff, id,
             m_owner});
        if (!failed)
            qWarning("outbox: %s", qPrintable(failed.error().message));
        emit messageFailed(id, result.reply, dead);
    }
    return sent;
}

} // namespace sd::mail
