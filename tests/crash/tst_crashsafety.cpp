// Kills a real `signupdesk --headless` with SIGKILL in the middle of a signup and
// verification load, 20 times. After each kill: SQLite's integrity check passes, every signup
// and verification that was answered 2xx is in the database, nothing is half-written (no
// account without its token, outbox row and audit entry) and every outbox message is still
// queued, being sent, or sent.

#include "httpclient.h"
#include "testenv.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

class TestCrashSafety : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_config;
    QString m_dbPath;

    // Starts the server; returns its port (0 on failure).
    quint16 startServer(QProcess &process)
    {
        process.setProgram(testenv::signupdeskBinary());
        process.setArguments({u"--headless"_s, u"--config"_s, m_config});
        process.setProcessChannelMode(QProcess::SeparateChannels);
        process.start();
        if (!process.waitForStarted(10000))
            return 0;
        quint16 port = 0;
        testenv::readListeningLine(process, &port);
        return port;
    }

    QVariant scalar(QSqlDatabase &db, const QString &sql, const QString &param = {})
    {
        QSqlQuery q(db);
        q.prepare(sql);
        if (!param.isNull())
            q.addBindValue(param);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo::exists(testenv::signupdeskBinary()), "SD_SIGNUPDESK_BIN is not set");
        m_dbPath = m_dir.filePath(u"crash.db"_s);
        m_config = m_dir.filePath(u"crash.ini"_s);
        QFile f(m_config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[server]\nport=0\n[database]\nurl=sqlite:" + m_dbPath.toUtf8() +
                "\n[mail]\nfolder=" + m_dir.filePath(u"mail"_s).toUtf8() +
                "\n[password]\nmemory_kib=64\niterations=1\n[ratelimit]\nenabled=false\n"
                "[signup]\nreturn_confirm_token=true\napproval_required=false\n");
    }

    void acknowledgedWritesSurviveSigkill()
    {
        constexpr int kRounds = 20, kClients = 6;
        QStringList signedUp, verified; // acknowledged 2xx, over all rounds
        std::mutex acknowledged;
        int serial = 0;
        qint64 longestRestartMs = 0;

        for (int round = 0; round < kRounds; ++round) {
            QProcess server;
            QElapsedTimer restart;
            restart.start();
            const quint16 port = startServer(server);
            QVERIFY2(port != 0, server.readAllStandardError().constData());
            longestRestartMs = qMax(longestRestartMs, restart.elapsed());

            std::atomic<bool> stop = false;
            std::vector<std::thread> clients;
            for (int c = 0; c < kClients; ++c) {
                const int base = (serial += 1000);
                clients.emplace_back([&, base] {
                    for (int i = 0; !stop; ++i) {
                        const QString name = u"r%1u%2"_s.arg(base).arg(i);
                        const HttpResult s =
                            postJson(port, "/api/v1/signup",
                                     {{u"username"_s, name},
                                      {u"password"_s, u"correct battery staple horse"_s},
                                      {u"email"_s, QString(name + u"@example.com"_s)}});
                        if (s.status != 201)
                            return; // the server is gone
                        const QString id = s.json().value(u"user_id"_s).toString();
                        {
                            std::lock_guard lock(acknowledged);
                            signedUp << id;
                        }
                        const HttpResult v =
                            postJson(port, "/api/v1/signup/confirm",
                                     {{u"confirm_token"_s, s.json().value(u"confirm_token"_s)}});
                        if (v.status != 200)
                            return;
                        std::lock_guard lock(acknowledged);
                        verified << id;
                    }
                });
            }
            // Kill once this round's load is really running (a few writes acknowledged, a
            // bounded wait on that condition), then after a random extra moment, so the kill
            // lands at a different point of a write each round.
            const auto acknowledgedCount = [&] {
                std::lock_guard lock(acknowledged);
                return signedUp.size() + verified.size();
            };
            const qsizetype before = acknowledgedCount();
            const bool loadRuns =
                QTest::qWaitFor([&] { return acknowledgedCount() >= before + 4; }, 30000);
            if (loadRuns)
                QTest::qWait(int(QRandomGenerator::global()->bounded(0, 300)));
            server.kill(); // SIGKILL: no clean shutdown
            const bool killed = server.waitForFinished(10000);
            stop = true;
            for (auto &t : clients)
                t.join(); // before any check can leave this function
            QVERIFY2(loadRuns, "no write was acknowledged within 30 s of the start");
            QVERIFY(killed);
        }
        qInfo(
            "%lld signups and %lld verifications acknowledged over %d kills; slowest start %lld ms",
            qint64(signedUp.size()), qint64(verified.size()), kRounds, longestRestartMs);
        QVERIFY(signedUp.size() > kRounds); // the load really ran

        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"check"_s);
        db.setDatabaseName(m_dbPath);
        QVERIFY(db.open());
        QCOMPARE(scalar(db, u"PRAGMA integrity_check"_s).toString(), u"ok"_s);
        int lostSignups = 0, lostVerifications = 0;
        for (const QString &id : std::as_const(signedUp))
            if (!scalar(db, u"SELECT 1 FROM users WHERE id = ?"_s, id).isValid())
                ++lostSignups;
        for (const QString &id : std::as_const(verified))
            if (scalar(db, u"SELECT verified_email FROM users WHERE id = ?"_s, id).toInt() != 1)
                ++lostVerifications;
        QCOMPARE(lostSignups, 0);
        QCOMPARE(lostVerifications, 0);
        // Nothing half-written: every account has its token, its email and its audit entry.
        QCOMPARE(scalar(db, u"SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM tokens t"
                            " WHERE t.user_id = u.id AND t.kind = 'verification')"_s)
                     .toInt(),
                 0);
        QCOMPARE(scalar(db, u"SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM outbox o"
                            " WHERE o.user_id = u.id AND o.kind = 'verification')"_s)
                     .toInt(),
                 0);
        QCOMPARE(scalar(db,
                        u"SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM audit_log a"
                        " WHERE a.subject_id = u.id AND a.action = 'signup.created')"_s)
                     .toInt(),
                 0);
        QCOMPARE(
            scalar(
                db,
                u"SELECT count(*) FROM outbox WHERE status NOT IN ('queued', 'processing', 'sent')"_s)
                .toInt(),
            0);
        db.close();
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
