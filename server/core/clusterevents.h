#pragma once

#include "database.h"
#include "events.h"

#include <QMetaObject>
#include <QThread>

#include <chrono>
#include <memory>

namespace sd::core {

// Carries core events between SignupDesk instances that share one PostgreSQL database, so a
// console attached to one instance sees what happened at any other.
//
// Every local event is sent as `NOTIFY signupdesk_events` (pg_notify with bound parameters)
// with a JSON payload naming this instance, the event's kind and its user id; core emits its
// events after the transaction committed, so a peer that reloads a row finds it. A listener
// on a connection of its own, in a thread of its own, re-emits the events of other instances
// into the local Events object, marked so that they are not sent again (no echo), and
// ignores this instance's own. When the connection is lost it reconnects with backoff
// (logged once per outage); events of the outage are not replayed: once back, it emits
// Events::remoteEventsMissed() here and asks every peer to do the same.
//
// PostgreSQL only. Construct, start() and stop() from one thread; emitting threads never wait
// on the database for it, and the GUI thread is never involved.
class ClusterEvents
{
public:
    static constexpr const char *kChannel = "signupdesk_events";

    struct Options
    {
        std::chrono::milliseconds firstRetry{250}; // after a failure, doubled up to maxRetry
        std::chrono::milliseconds maxRetry{10'000};
        std::chrono::milliseconds healthCheck{10'000}; // a `SELECT 1` when nothing else shows life
    };

    ClusterEvents(store::Database &database, Events &events, Options options);
    ClusterEvents(store::Database &database, Events &events)
        : ClusterEvents(database, events, Options{})
    {
    }
    ~ClusterEvents();
    ClusterEvents(const ClusterEvents &) = delete;
    ClusterEvents &operator=(const ClusterEvents &) = delete;

    // Starts the listener thread; returns at once.
    void start();
    // Waits until the listener's LISTEN is in place (true) or the time is up (false).
    bool waitUntilListening(std::chrono::milliseconds timeout) const;
    // Sends what is still queued (when connected), closes the connection, joins the thread.
    void stop();

    // Random per object: tells this instance's notifications from its peers'.
    QString instanceId() const { return m_instanceId; }
    bool isListening() const;
    // The listener's PostgreSQL backend pid while listening, else 0 (for tests and logs).
    qint64 listenerBackendPid() const;

private:
    struct Shared; // what the emitting threads and the listener thread share
    class Link;    // the listener and sender: lives in the thread

    store::Database &m_database;
    Events &m_events;
    Options m_options;
    QString m_instanceId;
    std::shared_ptr<Shared> m_state;
    QThread m_thread;
    Link *m_link = nullptr;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace sd::core
