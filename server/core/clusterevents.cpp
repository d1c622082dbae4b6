#include "clusterevents.h"

#include "sqlquery.h"

#include <QAbstractEventDispatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSqlDriver>
#include <QSqlError>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Set while the listener re-emits a peer's event: the forwarding below skips it, so a remote
// event is delivered here and never sent on (that would echo between instances for ever).
thread_local bool t_deliveringRemote = false;

struct RemoteDelivery
{
    RemoteDelivery() { t_deliveringRemote = true; }
    ~RemoteDelivery() { t_deliveringRemote = false; }
    RemoteDelivery(const RemoteDelivery &) = delete;
    RemoteDelivery &operator=(const RemoteDelivery &) = delete;
};

// PostgreSQL refuses payloads of 8000 bytes and more; a batch is split well below that.
constexpr qsizetype kMaxPayloadBytes = 7000;
constexpr qsizetype kMaxUserIdLength = 128;

const QString kResync = u"resync"_s;

QString channel()
{
    return QString::fromLatin1(ClusterEvents::kChannel);
}

// The events about one account that travel between instances, by the name they travel under.
using UserSignal = void (Events::*)(const QString &);
const QList<std::pair<QString, UserSignal>> &userEvents()
{
    static const QList<std::pair<QString, UserSignal>> list = {
        {u"signupCreated"_s, &Events::signupCreated},
        {u"emailVerified"_s, &Events::emailVerified},
        {u"signupApproved"_s, &Events::signupApproved},
        {u"signupRejected"_s, &Events::signupRejected},
        {u"userLoggedIn"_s, &Events::userLoggedIn},
        {u"sessionsEnded"_s, &Events::sessionsEnded},
        {u"userDisabled"_s, &Events::userDisabled},
        {u"userEnabled"_s, &Events::userEnabled},
        {u"accountDeleted"_s, &Events::accountDeleted},
        {u"invitationAccepted"_s, &Events::invitationAccepted},
        {u"invitationChanged"_s, &Events::invitationChanged},
        {u"passwordChanged"_s, &Events::passwordChanged},
        {u"emailChanged"_s, &Events::emailChanged},
        {u"secondFactorChanged"_s, &Events::secondFactorChanged},
    };
    return list;
}

} // namespace

// Filled by the emitting threads, drained by the listener thread.
struct ClusterEvents::Shared
{
    std::mutex mutex;
    std::condition_variable listeningChanged;
    QList<std::pair<QString, QString>> pending; // kind, user id (empty for mailQueued)
    Link *link = nullptr;                       // null once stopping: nothing more is posted
    std::atomic_bool listening = false;
    std::atomic<qint64> backendPid = 0;

    void post(const QString &kind, const QString &userId);
    void setListening(bool on, qint64 pid)
    {
        {
            std::lock_guard lock(mutex);
            listening = on;
            backendPid = on ? pid : 0;
        }
        listeningChanged.notify_all();
    }
};

// The listener and sender: one connection of its own (the thread's connection of the
// Database), used only from its thread.
class ClusterEvents::Link : public QObject
{
public:
    Link(store::Database &database, Events &events, Options options, QString instanceId,
         std::shared_ptr<Shared> state)
        : m_database(database), m_events(events), m_options(options),
          m_instanceId(std::move(instanceId)), m_state(std::move(state)),
          m_retry(options.firstRetry)
    {
    }

    void begin()
    {
        m_retryTimer = new QTimer(this);
        m_retryTimer->setSingleShot(true);
        connect(m_retryTimer, &QTimer::timeout, this, &Link::connectNow);
        if (m_options.healthCheck.count() > 0) {
            m_healthTimer = new QTimer(this);
            m_healthTimer->setInterval(m_options.healthCheck);
            connect(m_healthTimer, &QTimer::timeout, this, &Link::checkHealth);
            m_healthTimer->start();
        }
        if (auto *dispatcher = QAbstractEventDispatcher::instance(thread()))
            connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this,
                    &Link::closeIfDropped);
        connectNow();
    }

    // Sends what the emitting threads queued, in as few notifications as fit.
    void flush()
    {
        QList<std::pair<QString, QString>> batch;
        {
            std::lock_guard lock(m_state->mutex);
            batch.swap(m_state->pending);
        }
        if (batch.isEmpty() || !m_connected)
            return; // while disconnected: the resync after reconnecting stands for them
        QSet<std::pair<QString, QString>> seen;
        QJsonArray events;
        qsizetype bytes = 0;
        for (const auto &[kind, userId] : std::as_const(batch)) {
            if (seen.contains({kind, userId}))
                continue; // one reload per row is enough
            seen.insert({kind, userId});
            QJsonObject event{{u"kind"_s, kind}};
            if (!userId.isEmpty())
                event.insert(u"userId"_s, userId);
            const qsizetype size = QJsonDocument(event).toJson(QJsonDocument::Compact).size() + 1;
            if (!events.isEmpty() && bytes + size > kMaxPayloadBytes) {
                if (!send(events))
                    return;
                events = {};
                bytes = 0;
            }
            events.append(event);
            bytes += size;
        }
        if (!events.isEmpty())
            send(events);
    }

    void shutdown()
    {
        m_stopping = true;
        if (m_retryTimer)
            m_retryTimer->stop();
        if (m_healthTimer)
            m_healthTimer->stop();
        flush();
        m_connected = false;
        m_state->setListening(false, 0);
        if (m_db.isValid())
            m_db.close();
        m_db = QSqlDatabase(); // no copy may outlive the thread, which removes the connection
    }

private:
    void connectNow()
    {
        if (m_stopping || m_connected)
            return;
        QString error;
        qint64 pid = 0;
        if (auto db = m_database.connection(); !db) {
            error = db.error().message;
        } else {
            m_db = *db;
            {
                auto query = store::runQuery(m_db, u"SELECT pg_backend_pid()"_s);
                if (query && query->next())
                    pid = query->value(0).toLongLong();
                else
                    error = query ? u"no backend pid"_s : query.error().message;
            }
            QSqlDriver *driver = m_db.driver();
            if (error.isEmpty() && !driver->subscribeToNotification(channel()))
                error = driver->lastError().text();
            if (error.isEmpty())
                watch(driver);
            else
                m_db.close();
        }
        if (!error.isEmpty()) {
            if (!m_outage)
                qWarning("cluster events: cannot listen on %s (%s); events of other instances are "
                         "not seen until it answers, retrying",
                         qPrintable(m_database.url().redacted()), qPrintable(error));
            m_outage = true;
            scheduleRetry();
            return;
        }

        m_connected = true;
        m_retry = m_options.firstRetry;
        m_state->setListening(true, pid);
        if (m_outage) {
            m_outage = false;
            qInfo("cluster events: listening again on %s", qPrintable(m_database.url().redacted()));
            // What happened meanwhile is not replayed: everyone reloads instead.
            send(QJsonArray{QJsonObject{{u"kind"_s, kResync}}});
            emit m_events.remoteEventsMissed();
        }
        flush();
    }

    // Peers' notifications reach us through the driver.
    void watch(QSqlDriver *driver)
    {
        if (driver == m_driver)
            return;
        disconnect(m_notificationConnection);
        m_driver = driver;
        m_notificationConnection = connect(
            driver, &QSqlDriver::notification, this,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                if (name == channel())
                    receive(payload.toString());
            });
    }

    // The driver tells no one when the server drops the connection: it reads the socket when
    // it turns readable, libpq then marks the connection bad and closes the socket, and the
    // driver's socket notifier would go on polling a closed (or reused) descriptor. So before
    // the thread waits again, a dropped connection is closed (which deletes that notifier).
    void closeIfDropped()
    {
        if (m_connected && !m_db.isOpen())
            lose(u"the server closed the connection"_s);
    }

    void checkHealth()
    {
        if (!m_connected)
            return;
        if (auto r = store::runQuery(m_db, u"SELECT 1"_s); !r)
            lose(r.error().message);
        else if (!m_db.isOpen())
            lose(u"the server closed the connection"_s);
    }

    void lose(const QString &reason)
    {
        if (!m_connected)
            return;
        m_connected = false;
        m_state->setListening(false, 0);
        if (!m_outage)
            qWarning("cluster events: lost the connection to %s (%s); events of other instances "
                     "are not seen until it is back, reconnecting",
                     qPrintable(m_database.url().redacted()), qPrintable(reason.trimmed()));
        m_outage = true;
        m_db.close(); // frees the driver's handle and socket notifier; reopened by connectNow
        scheduleRetry();
    }

    void scheduleRetry()
    {
        if (m_stopping || m_retryTimer->isActive())
            return;
        m_retryTimer->start(m_retry);
        m_retry = std::min(m_retry * 2, m_options.maxRetry);
    }

    bool send(const QJsonArray &events)
    {
        const QJsonObject message{{u"instance"_s, m_instanceId}, {u"events"_s, events}};
        const QString payload =
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
        // Autocommit: PostgreSQL delivers it as soon as the statement ends.
        auto r = store::runQuery(m_db, u"SELECT pg_notify(?, ?)"_s, {channel(), payload});
        if (!r) {
            lose(r.error().message);
            return false;
        }
        return true;
    }

    void receive(const QString &payload)
    {
        const QJsonObject message = QJsonDocument::fromJson(payload.toUtf8()).object();
        const QString from = message.value(u"instance"_s).toString();
        if (from.isEmpty() || from == m_instanceId)
            return; // ours (a listening session hears itself) or not one of ours
        const QJsonArray events = message.value(u"events"_s).toArray();
        for (const QJsonValue &value : events)
            deliver(value.toObject());
    }

    void deliver(const QJsonObject &event)
    {
        const QString kind = event.value(u"kind"_s).toString();
        const QString userId = event.value(u"userId"_s).toString();
        RemoteDelivery remote;
        if (kind == u"mailQueued"_s) {
            emit m_events.mailQueued();
            return;
        }
        if (kind == kResync) {
            emit m_events.remoteEventsMissed();
            return;
        }
        if (kind == u"settingsSaved"_s) {
            emit m_events.remoteSettingsSaved();
            return;
        }
        if (userId.isEmpty() || userId.size() > kMaxUserIdLength)
            return;
        for (const auto &[name, signal] : userEvents()) {
            if (kind == name) {
                emit(m_events.*signal)(userId);
                return;
            }
        }
        // Any other kind comes from a newer peer: ignored.
    }

    store::Database &m_database;
    Events &m_events;
    const Options m_options;
    const QString m_instanceId;
    std::shared_ptr<Shared> m_state;
    QSqlDatabase m_db;
    QPointer<QSqlDriver> m_driver;
    QMetaObject::Connection m_notificationConnection;
    QTimer *m_retryTimer = nullptr;
    QTimer *m_healthTimer = nullptr;
    std::chrono::milliseconds m_retry;
    bool m_connected = false;
    bool m_outage = false; // a failure since the last time it listened
    bool m_stopping = false;
};

void ClusterEvents::Shared::post(const QString &kind, const QString &userId)
{
    if (t_deliveringRemote)
        return;
    std::lock_guard lock(mutex);
    if (!link)
        return;
    pending.append({kind, userId});
    if (pending.size() == 1) // else a flush is on its way and takes this one too
        QMetaObject::invokeMethod(
            link, [l = link] { l->flush(); }, Qt::QueuedConnection);
}

ClusterEvents::ClusterEvents(store::Database &database, Events &events, Options options)
    : m_database(database), m_events(events), m_options(options),
      m_instanceId(QUuid::createUuid().toString(QUuid::Id128)), m_state(std::make_shared<Shared>())
{
    m_thread.setObjectName(u"cluster-events"_s);
}

ClusterEvents::~ClusterEvents()
{
    stop();
}

void ClusterEvents::start()
{
    if (m_link)
        return;
    m_link = new Link(m_database, m_events, m_options, m_instanceId, m_state);
    m_link->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::started, m_link, &Link::begin);
    QObject::connect(&m_thread, &QThread::finished, m_link, &QObject::deleteLater);
    {
        std::lock_guard lock(m_state->mutex);
        m_state->link = m_link;
    }
    // Direct: runs in the emitting thread and only queues (no database work there).
    const auto state = m_state;
    const auto forward = [&](auto signal, const QString &kind) {
        m_connections << QObject::connect(
            &m_events, signal, [state, kind](const QString &userId) { state->post(kind, userId); });
    };
    for (const auto &[name, signal] : userEvents())
        forward(signal, name);
    m_connections << QObject::connect(&m_events, &Events::mailQueued,
                                      [state] { state->post(u"mailQueued"_s, {}); });
    m_connections << QObject::connect(&m_events, &Events::settingsSaved,
                                      [state] { state->post(u"settingsSaved"_s, {}); });
    m_thread.start();
}

bool ClusterEvents::waitUntilListening(std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_state->mutex);
    return m_state->listeningChanged.wait_for(lock, timeout,
                                              [this] { return m_state->listening.load(); });
}

void ClusterEvents::stop()
{
    if (!m_link)
        return;
    for (const auto &connection : std::as_const(m_connections))
        QObject::disconnect(connection);
    m_connections.clear();
    {
        std::lock_guard lock(m_state->mutex);
        m_state->link = nullptr;
    }
    Link *link = m_link;
    QMetaObject::invokeMethod(
        link, [link] { link->shutdown(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    m_link = nullptr; // deleted by the thread's finished()
}

bool ClusterEvents::isListening() const
{
    return m_state->listening.load();
}

qint64 ClusterEvents::listenerBackendPid() const
{
    return m_state->backendPid.load();
}

} // namespace sd::core
