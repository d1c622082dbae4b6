#pragma once

#include "accounts/account.h"
#include "database.h"

#include <QMutex>
#include <QString>
#include <QWaitCondition>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QSqlQuery;
class QThread;

namespace sd::core {

// A session token's row joined with its account, as a session check reads it.
struct SessionRecord
{
    QString tokenId;
    qint64 expiresAtMs = 0;
    qint64 lastUsedAtMs = 0;
    bool revoked = false;
    Account account;

    // The columns, from `tokens t JOIN users u`, and the record from a row of them starting
    // at column `first`.
    static QString columns();
    static SessionRecord read(const QSqlQuery &q, int first);
};

// The session checks that missed the cache, read from PostgreSQL in batches (issue 16).
//
// A server thread hands over a token digest and a callback, and goes on serving: it never
// waits on the round trip. A few reader threads, each with its own connection, take
// everything waiting (up to kMaxBatch checks), read it with one prepared, indexed statement
// (`token_hash IN (…)`) and call each callback on the reader's thread. Under load the checks
// that arrive during one round trip share the next one, so the round trip, the statement's
// overhead in PostgreSQL and the thread wake-ups are paid once per batch, not per request;
// a lone check still goes at once.
//
// Never stale: every statement starts after each check it answers was handed over, so a
// session ended (or an account disabled) before a request arrived is refused (READ
// COMMITTED sees every commit made before the statement starts). Bounded: submit() refuses
// once `maxQueued` checks wait. The threads start with the first check and stop with this
// object; checks still waiting then are answered with an error.
class SessionReader
{
public:
    // One check's answer: the session's record (nullopt: no session has this digest), or the
    // database's error.
    using Answer = store::DbResult<std::optional<SessionRecord>>;
    using Callback = std::function<void(const Answer &)>;

    static constexpr int kMaxBatch = 64;

    SessionReader(store::Database &database, int threads, int maxQueued);
    ~SessionReader();
    SessionReader(const SessionReader &) = delete;
    SessionReader &operator=(const SessionReader &) = delete;

    // Queues the check of `digest`; false (and `done` never called) when the queue is full.
    bool submit(const QString &digest, Callback done);

    // Statements run so far and the checks they answered (their ratio is the mean batch).
    struct Counts
    {
        qint64 statements = 0;
        qint64 checks = 0;
    };
    Counts counts() const;

private:
    struct Item
    {
        QString digest;
        Callback done;
    };
    static void answer(const Item &item, const Answer &a);
    void run();
    void readBatch(std::vector<Item> &batch);

    store::Database &m_database;
    const int m_threadCount;
    const int m_maxQueued;

    mutable QMutex m_mutex;
    QWaitCondition m_wake;
    std::deque<Item> m_queue;
    int m_idle = 0;
    bool m_stopping = false;
    Counts m_counts;
    std::vector<std::unique_ptr<QThread>> m_threads;
};

} // namespace sd::core
