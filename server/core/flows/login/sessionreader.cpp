#include "flows/login/sessionreader.h"

#include "accounts/accountstore.h"

#include <QHash>
#include <QSqlQuery>
#include <QThread>

#include <array>
#include <bit>

using namespace Qt::StringLiterals;

namespace sd::core {

QString SessionRecord::columns()
{
    return u"t.id, t.expires_at, t.last_used_at, t.revoked_at, "_s +
           accountstore::selectColumns(u"u"_s);
}

SessionRecord SessionRecord::read(const QSqlQuery &q, int first)
{
    SessionRecord r;
    r.tokenId = q.value(first).toString();
    r.expiresAtMs = q.value(first + 1).toLongLong();
    r.lastUsedAtMs = q.value(first + 2).toLongLong();
    r.revoked = !q.value(first + 3).isNull() && q.value(first + 3).toLongLong() != 0;
    r.account = accountstore::readAccount(q, first + 4);
    return r;
}

namespace {

// A batch's size rounded up to a power of two (1 … kMaxBatch): a connection prepares at most
// one statement per size.
int bucketOf(qsizetype n)
{
    return int(std::bit_ceil(quint32(qMax<qsizetype>(1, n))));
}

// The statement for `size` digests: the token's row and its account, by the unique index on
// token_hash, the digest first so each row finds its checks.
const QString &statementFor(int size)
{
    static const std::array<QString, 7> statements = [] {
        std::array<QString, 7> out;
        const QString head = u"SELECT t.token_hash, "_s + SessionRecord::columns() +
                             u" FROM tokens t JOIN users u ON u.id = t.user_id"
                             " WHERE t.kind = 'session' AND t.token_hash IN ("_s;
        for (int i = 0; i < int(out.size()); ++i) {
            QStringList marks;
            for (int k = 0; k < (1 << i); ++k)
                marks << u"?"_s;
            out[i] = head + marks.join(u", "_s) + u')';
        }
        return out;
    }();
    static_assert(SessionReader::kMaxBatch == 1 << 6);
    return statements[std::countr_zero(quint32(size))];
}

} // namespace

void SessionReader::answer(const Item &item, const Answer &a)
{
    try {
        item.done(a);
    } catch (...) { // it must not end the reader's thread, nor the process
        qWarning("session check: an answer's callback threw; ignored");
    }
}

SessionReader::SessionReader(store::Database &database, int threads, int maxQueued)
    : m_database(database), m_threadCount(qMax(1, threads)), m_maxQueued(qMax(1, maxQueued))
{
}

SessionReader::~SessionReader()
{
    std::deque<Item> left;
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true;
        m_wake.wakeAll();
    }
    for (auto &thread : m_threads)
        thread->wait();
    {
        QMutexLocker lock(&m_mutex);
        left.swap(m_queue);
    }
    const Answer stopped = std::unexpected(store::DbError{u"the server is stopping"_s});
    for (Item &item : left)
        answer(item, stopped);
}

bool SessionReader::submit(const QString &digest, Callback done)
{
    QMutexLocker lock(&m_mutex);
    if (m_stopping || qsizetype(m_queue.size()) >= m_maxQueued)
        return false;
    m_queue.push_back({digest, std::move(done)});
    if (m_idle > 0) {
        m_wake.wakeOne();
    } else if (int(m_threads.size()) < m_threadCount) {
        // The first checks start the readers, one per check until all run.
        auto thread = std::unique_ptr<QThread>(QThread::create([this] { run(); }));
        thread->setObjectName(u"session-read"_s);
        thread->start();
        m_threads.push_back(std::move(thread));
    }
    return true;
}

SessionReader::Counts SessionReader::counts() const
{
    QMutexLocker lock(&m_mutex);
    return m_counts;
}

void SessionReader::run()
{
    std::vector<Item> batch;
    batch.reserve(kMaxBatch);
    QMutexLocker lock(&m_mutex);
    for (;;) {
        while (m_queue.empty() && !m_stopping) {
            ++m_idle;
            m_wake.wait(&m_mutex);
            --m_idle;
        }
        if (m_stopping)
            return;
        // Everything waiting, up to a full batch: it all arrived before the statement starts.
        while (!m_queue.empty() && int(batch.size()) < kMaxBatch) {
            batch.push_back(std::move(m_queue.front()));
            m_queue.pop_front();
        }
        ++m_counts.statements;
        m_counts.checks += qint64(batch.size());
        lock.unlock();
        readBatch(batch);
        batch.clear();
        lock.relock();
    }
}

void SessionReader::readBatch(std::vector<Item> &batch)
{
    // The distinct digests, padded to the statement's size with the first (IN ignores repeats).
    QVariantList params;
    params.reserve(bucketOf(qsizetype(batch.size())));
    QHash<QString, std::optional<SessionRecord>> found;
    found.reserve(qsizetype(batch.size()));
    for (const Item &item : batch) {
        if (!found.contains(item.digest)) {
            found.insert(item.digest, std::nullopt);
            params.append(item.digest);
        }
    }
    const int size = bucketOf(params.size());
    const QVariant pad = params.first();
    while (params.size() < size)
        params.append(pad);

    auto query = m_database.runPrepared(statementFor(size), params);
    if (!query) {
        const Answer failed = std::unexpected(query.error());
        for (Item &item : batch)
            answer(item, failed);
        return;
    }
    QSqlQuery &q = **query;
    while (q.next())
        found[q.value(0).toString()] = SessionRecord::read(q, 1);
    q.finish();
    for (Item &item : batch)
        answer(item, Answer(found.value(item.digest)));
}

} // namespace sd::core
