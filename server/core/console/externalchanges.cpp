#include "externalchanges.h"

#include "sqlquery.h"

#include <QSet>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;

namespace sd::core {

class ExternalChanges::Poller : public QObject
{
public:
    Poller(store::Database &database, Events &events, std::chrono::milliseconds interval)
        : m_database(database), m_events(events), m_timer(this) // moves with the poller
    {
        m_timer.setInterval(interval);
        connect(&m_timer, &QTimer::timeout, this, &Poller::poll);
    }

    void begin()
    {
        poll(); // notes the data version and the last audit entry
        m_timer.start();
    }
    void end() { m_timer.stop(); }

private:
    void poll()
    {
        auto db = m_database.connection();
        if (!db)
            return; // the database is away: tried again next time
        std::optional<qint64> version;
        if (auto q = store::runQuery(*db, u"PRAGMA data_version"_s); q && q->next())
            version = q->value(0).toLongLong();
        if (!version || version == m_version)
            return;
        const bool first = !m_version;
        m_version = version;
        if (first) {
            if (auto q = store::runQuery(*db, u"SELECT COALESCE(MAX(rowid), 0) FROM audit_log"_s);
                q && q->next())
                m_lastRowid = q->value(0).toLongLong();
            return;
        }
        auto q = store::runQuery(*db,
                                 u"SELECT rowid, subject_id FROM audit_log WHERE rowid > ?"
                                 " ORDER BY rowid LIMIT ?"_s,
                                 {m_lastRowid, kMaxEntries + 1});
        if (!q) {
            qWarning("external changes: cannot read the audit log: %s",
                     qPrintable(q.error().message));
            emit m_events.remoteEventsMissed();
            return;
        }
        QStringList ids;
        QSet<QString> seen;
        int entries = 0;
        while (q->next()) {
            ++entries;
            m_lastRowid = q->value(0).toLongLong();
            const QString subject = q->value(1).toString();
            if (!subject.isEmpty() && !seen.contains(subject)) {
                seen.insert(subject);
                ids << subject;
            }
        }
        q->finish(); // no read snapshot held between looks
        if (entries > kMaxEntries) {
            if (auto last =
                    store::runQuery(*db, u"SELECT COALESCE(MAX(rowid), 0) FROM audit_log"_s);
                last && last->next())
                m_lastRowid = last->value(0).toLongLong();
            emit m_events.remoteEventsMissed();
        } else if (!ids.isEmpty()) {
            emit m_events.accountsChanged(ids);
        }
    }

    store::Database &m_database;
    Events &m_events;
    QTimer m_timer;
    std::optional<qint64> m_version;
    qint64 m_lastRowid = 0;
};

ExternalChanges::ExternalChanges(store::Database &database, Events &events,
                                 std::chrono::milliseconds interval)
    : m_poller(new Poller(database, events, interval))
{
    m_poller->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_poller, &QObject::deleteLater);
}

ExternalChanges::~ExternalChanges()
{
    stop();
}

void ExternalChanges::start()
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    QMetaObject::invokeMethod(m_poller, [poller = m_poller] { poller->begin(); });
}

void ExternalChanges::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_poller, [poller = m_poller] { poller->end(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace sd::core
