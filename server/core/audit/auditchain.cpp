#include "audit/auditchain.h"

#include "crypto/crypto.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;

namespace sd::core::auditchain {

namespace {
// The hash before the first entry.
const QString kGenesis = QString(64, u'0');
constexpr int kBatch = 1000;
} // namespace

QString entryHash(const QString &previousHash, qint64 seq, const QString &id, qint64 at,
                  const QString &actor, const QString &action, const QString &subjectId,
                  const QString &detail)
{
    // A JSON array keeps field boundaries unambiguous ("a","bc" differs from "ab","c").
    const QJsonArray fields{
        previousHash, QString::number(seq), id, QString::number(at), actor, action, subjectId,
        detail};
    return QString::fromLatin1(
        crypto::sha256(QJsonDocument(fields).toJson(QJsonDocument::Compact)).toHex());
}

store::DbResult<int> seal(store::Database &database)
{
    int sealed = 0;
    for (;;) {
        // One sealer at a time across instances, or two would number the same rows.
        auto tx = store::Transaction::beginExclusive(database, 7310014);
        if (!tx)
            return std::unexpected(tx.error());
        auto head =
            store::runQuery(tx->db(), u"SELECT seq, entry_hash FROM audit_log WHERE seq IS NOT NULL"
                                      " ORDER BY seq DESC LIMIT 1"_s);
        if (!head)
            return std::unexpected(head.error());
        qint64 seq = 0;
        QString previous = kGenesis;
        if (head->next()) {
            seq = head->value(0).toLongLong();
            previous = head->value(1).toString();
        }
        head->finish();
        auto pending =
            store::runQuery(tx->db(),
                            u"SELECT id, at, actor, action, subject_id, detail FROM audit_log"
                            " WHERE seq IS NULL ORDER BY at, id LIMIT ?"_s,
                            {kBatch});
        if (!pending)
            return std::unexpected(pending.error());
        struct Row
        {
            QString id;
            qint64 at;
            QString actor, action, subject, detail;
        };
        QList<Row> rows;
        while (pending->next())
            rows.append({pending->value(0).toString(), pending->value(1).toLongLong(),
                         pending->value(2).toString(), pending->value(3).toString(),
                         pending->value(4).toString(), pending->value(5).toString()});
        pending->finish();
        if (rows.isEmpty())
            return sealed;
        for (const Row &row : std::as_const(rows)) {
            ++seq;
            const QString hash = entryHash(previous, seq, row.id, row.at, row.actor, row.action,
                                           row.subject, row.detail);
            auto r = store::runQuery(tx->db(),
                                     u"UPDATE audit_log SET seq = ?, prev_hash = ?, entry_hash = ?"
                                     " WHERE id = ? AND seq IS NULL"_s,
                                     {seq, previous, hash, row.id});
            if (!r)
                return std::unexpected(r.error());
            previous = hash;
        }
        if (auto r = tx->commit(); !r)
            return std::unexpected(r.error());
        sealed += int(rows.size());
        if (rows.size() < kBatch)
            return sealed;
    }
}

store::DbResult<Verification> verify(store::Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    Verification v;
    auto unsealed = store::runQuery(*db, u"SELECT count(*) FROM audit_log WHERE seq IS NULL"_s);
    if (!unsealed)
        return std::unexpected(unsealed.error());
    if (unsealed->next())
        v.unsealed = unsealed->value(0).toLongLong();
    unsealed->finish();

    QSet<QString> deleted; // subjects whose entries may be redacted
    {
        auto d = store::runQuery(
            *db, u"SELECT subject_id FROM audit_log WHERE action = 'account.deleted'"_s);
        if (!d)
            return std::unexpected(d.error());
        while (d->next())
            deleted.insert(d->value(0).toString());
    }
    auto q = store::runQuery(*db, u"SELECT seq, id, at, actor, action, subject_id, detail,"
                                  " prev_hash, entry_hash, redacted_at FROM audit_log"
                                  " WHERE seq IS NOT NULL ORDER BY seq"_s);
    if (!q)
        return std::unexpected(q.error());
    QString previous = kGenesis;
    qint64 expectedSeq = 1;
    while (q->next()) {
        const qint64 seq = q->value(0).toLongLong();
        const QString id = q->value(1).toString();
        auto broken = [&](const QString &problem) {
            v.intact = false;
            v.brokenSeq = seq;
            v.brokenId = id;
            v.problem = problem;
        };
        if (seq != expectedSeq)
            broken(u"entry %1 is missing"_s.arg(expectedSeq));
        else if (q->value(7).toString() != previous)
            broken(u"its link to the previous entry does not match"_s);
        else if (!q->value(9).isNull() && (deleted.contains(q->value(5).toString()) ||
                                           deleted.contains(q->value(3).toString().mid(5))))
            ; // emptied at the deletion of its subject or actor ("user:<id>"): gone by design
        else if (entryHash(previous, seq, id, q->value(2).toLongLong(), q->value(3).toString(),
                           q->value(4).toString(), q->value(5).toString(),
                           q->value(6).toString()) != q->value(8).toString())
            broken(u"its content does not match its hash"_s);
        if (!v.intact)
            break;
        previous = q->value(8).toString();
        ++expectedSeq;
        ++v.entries;
    }
    q->finish();
    if (v.intact)
        v.headHash = previous;
    return v;
}

} // namespace sd::core::auditchain
