#pragma once

#include "database.h"
#include "events.h"

#include <QThread>

#include <chrono>

namespace sd::core {

// Notices on SQLite what other processes committed (the command line, a second console or
// server on the same file), which nothing else tells: on PostgreSQL, ClusterEvents does.
//
// A thread of its own reads `PRAGMA data_version` on its own connection once per interval
// (cheap: no table is read). When it moved, another connection committed: the audit entries
// added since the last look (by rowid) name the accounts that changed, and
// Events::accountsChanged(ids) says which. More than kMaxEntries entries at once, or an
// audit log that cannot be read: Events::remoteEventsMissed() (reload everything). Changes
// of this process show too (its other connections count as others); receivers reload rows,
// which is idempotent. The GUI thread is never involved.
class ExternalChanges
{
public:
    static constexpr int kMaxEntries = 1000;

    ExternalChanges(store::Database &database, Events &events, std::chrono::milliseconds interval);
    ~ExternalChanges(); // stops
    ExternalChanges(const ExternalChanges &) = delete;
    ExternalChanges &operator=(const ExternalChanges &) = delete;

    // Starts the thread; the first look only notes where things are. Returns at once.
    void start();
    void stop();

private:
    class Poller;

    QThread m_thread;
    Poller *m_poller;
};

} // namespace sd::core
