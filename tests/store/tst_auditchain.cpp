// The audit log's hash chain: sealing in order, verification, and that changing, removing or
// reordering a sealed entry is found and named. Built for SQLite and (SD_TEST_BACKEND_PG)
// PostgreSQL.

#include "testenv.h"

#include "audit/auditchain.h"
#include "audit/auditlog.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QTemporaryDir>
#include <QTest>

#include <latch>
#include <thread>

using namespace Qt::StringLiterals;
using namespace sd;

class TestAuditChain : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Database> m_db;

    void record(int n, qint64 startMs = 1000)
    {
        for (int i = 0; i < n; ++i) {
            auto tx = store::Transaction::begin(*m_db);
            QVERIFY(tx);
            QVERIFY(core::auditlog::record(tx->db(), startMs + i, u"user:usr_x"_s,
                                           u"login.failed"_s, u"usr_x"_s,
                                           u"from 127.0.0.1 #%1"_s.arg(i)));
            QVERIFY(tx->commit());
        }
    }

    void exec(const QString &sql, const QVariantList &params = {})
    {
        auto db = m_db->connection();
        QVERIFY(db);
        auto r = store::runQuery(*db, sql, params);
        QVERIFY2(r, r ? "" : qPrintable(r.error().message));
    }

    core::auditchain::Verification verify()
    {
        auto v = core::auditchain::verify(*m_db);
        if (!v)
            qWarning("verify: %s", qPrintable(v.error().message));
        core::auditchain::Verification failed;
        failed.intact = false;
        failed.problem = u"database error"_s;
        return v.value_or(failed);
    }

private slots:
    void init()
    {
#ifdef SD_TEST_BACKEND_PG
        QString error;
        QVERIFY2(!testenv::postgresUrl().isEmpty(), "SIGNUPDESK_TEST_PG_URL is not set");
        QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
        const QString url = testenv::postgresUrl();
#else
        QFile::remove(m_dir.filePath(u"audit.db"_s));
        const QString url = u"sqlite:"_s + m_dir.filePath(u"audit.db"_s);
#endif
        m_db = std::make_unique<store::Database>(*store::DatabaseUrl::parse(url));
        auto migrated = m_db->migrate();
        QVERIFY2(migrated, migrated ? "" : qPrintable(migrated.error().message));
    }
    void cleanup()
    {
        m_db.reset();
    }

    void sealsInOrderAndVerifies()
    {
        record(5);
        auto v = verify();
        QCOMPARE(v.unsealed, 5);
        QCOMPARE(v.entries, 0);
        QCOMPARE(*core::auditchain::seal(*m_db), 5);
        QCOMPARE(*core::auditchain::seal(*m_db), 0); // nothing new
        v = verify();
        QVERIFY(v.intact);
        QCOMPARE(v.entries, 5);
        QCOMPARE(v.unsealed, 0);
        // Later entries continue the chain.
        record(3, 5000);
        QCOMPARE(*core::auditchain::seal(*m_db), 3);
        v = verify();
        QVERIFY(v.intact);
        QCOMPARE(v.entries, 8);
        // The chain follows time: seq 1 is the oldest.
        auto db = m_db->connection();
        auto q = store::runQuery(*db, u"SELECT detail FROM audit_log WHERE seq = 1"_s);
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toString(), u"from 127.0.0.1 #0"_s);
    }

    void tamperingIsFoundAndNamed_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<qint64>("brokenSeq");
        QTest::addColumn<QString>("problem");
        QTest::newRow("changed detail")
            << u"UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3"_s << qint64(3)
            << u"content"_s;
        QTest::newRow("changed actor") << u"UPDATE audit_log SET actor = 'system' WHERE seq = 5"_s
                                       << qint64(5) << u"content"_s;
        QTest::newRow("changed time")
            << u"UPDATE audit_log SET at = at + 1 WHERE seq = 2"_s << qint64(2) << u"content"_s;
        QTest::newRow("removed entry")
            << u"DELETE FROM audit_log WHERE seq = 4"_s << qint64(5) << u"missing"_s;
        QTest::newRow("rehashed entry")
            << u"UPDATE audit_log SET detail = 'x', entry_hash = 'f' WHERE seq = 2"_s << qint64(2)
            << u"content"_s;
        QTest::newRow("forged link")
            << u"UPDATE audit_log SET prev_hash = 'abc' WHERE seq = 6"_s << qint64(6) << u"link"_s;
    }
    void tamperingIsFoundAndNamed()
    {
        QFETCH(QString, sql);
        QFETCH(qint64, brokenSeq);
        QFETCH(QString, problem);
        record(6);
        QCOMPARE(*core::auditchain::seal(*m_db), 6);
        QVERIFY(verify().intact);
        exec(sql);
        const auto v = verify();
        QVERIFY(!v.intact);
        QCOMPARE(v.brokenSeq, brokenSeq);
        QVERIFY2(v.problem.contains(problem), qPrintable(v.problem));
        QVERIFY(v.brokenId.startsWith(u"aud_"_s) || problem == u"missing"_s);
    }

    void concurrentWritersAndSealersKeepOneChain()
    {
        constexpr int kThreads = 8, kEach = 10;
        std::latch start(kThreads + 2);
        std::vector<std::thread> threads;
        std::atomic<int> failures = 0;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                start.arrive_and_wait();
                for (int i = 0; i < kEach; ++i) {
                    auto tx = store::Transaction::begin(*m_db);
                    if (!tx ||
                        !core::auditlog::record(tx->db(), 1000 + i, u"t%1"_s.arg(t), u"x"_s, {},
                                                {}) ||
                        !tx->commit())
                        ++failures;
                }
            });
        for (int s = 0; s < 2; ++s)
            threads.emplace_back([&] {
                start.arrive_and_wait();
                for (int i = 0; i < 10; ++i)
                    if (!core::auditchain::seal(*m_db))
                        ++failures;
            });
        for (auto &t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);
        QVERIFY(core::auditchain::seal(*m_db));
        const auto v = verify();
        QVERIFY2(v.intact, qPrintable(v.problem));
        QCOMPARE(v.entries, qint64(kThreads * kEach));
        QCOMPARE(v.unsealed, 0);
    }
};

QTEST_GUILESS_MAIN(TestAuditChain)
#include "tst_auditchain.moc"
