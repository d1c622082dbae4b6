// Issue 16 item 3: with PostgreSQL, the session checks that miss the cache are read in batches
// by SessionReader, off the server threads. The checks that wait while a statement runs share
// the next one; every statement starts after each check it answers was handed over, so a
// session ended before a check arrived is refused; each check gets its own session's answer;
// the queue is bounded; a database that does not answer gives every check an error. Then the
// same over real HTTP: two instances with the cache off, many sessions checked at once on B,
// each answered with its own account, and a logout on A refused on B at once.

#include "apiflows.h"
#include "context.h"
#include "flows/login/sessionreader.h"
#include "httpclient.h"
#include "sqlquery.h"
#include "testenv.h"
#include "testserver.h"

#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using sd::core::SessionReader;

namespace {

// What the reader answered, by the order the checks were handed over.
struct Answers
{
    QMutex mutex;
    QHash<int, SessionReader::Answer> byIndex;

    SessionReader::Callback slot(int index)
    {
        return [this, index](const SessionReader::Answer &a) {
            QMutexLocker lock(&mutex);
            byIndex.insert(index, a);
        };
    }
    qsizetype size()
    {
        QMutexLocker lock(&mutex);
        return byIndex.size();
    }
    SessionReader::Answer at(int index)
    {
        QMutexLocker lock(&mutex);
        return byIndex.value(index, std::unexpected(sd::store::DbError{u"no answer"_s}));
    }
};

sd::store::DatabaseUrl testUrl()
{
    return *sd::store::DatabaseUrl::parse(testenv::postgresUrl());
}

} // namespace

class TestSessionReader : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_a; // instance A on the reset test database

    void startA()
    {
        QVERIFY2(!testenv::postgresUrl().isEmpty(),
                 "SIGNUPDESK_TEST_PG_URL is not set (run under CTest)");
        m_a = std::make_unique<TestServer>(TestServer::Backend::Postgres, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.sessionCacheMs = 0; // every check reads the database
        });
        QString error;
        QVERIFY2(m_a->start(&error), qPrintable(error)); // resets the database first
    }
    QString digestOf(const QString &ust) const
    {
        return m_a->app().core().context().digest.digest(ust);
    }

private slots:
    void cleanup() { m_a.reset(); }

    void checksThatWaitShareOneStatementAndSeeEveryEarlierCommit()
    {
        startA();
        const quint16 port = m_a->port();
        QStringList digests, users;
        for (int i = 0; i < 3; ++i) {
            users << u"reader%1"_s.arg(i);
            QVERIFY(!testflows::confirmedUser(port, users.last()).isEmpty());
            const QString ust = testflows::loginToken(port, users.last());
            QVERIFY(!ust.isEmpty());
            digests << digestOf(ust);
        }
        const QString unknown = digestOf(u"no such session token"_s);

        sd::store::Database readerDb(testUrl()), lockDb(testUrl()), writerDb(testUrl());
        constexpr int kQueued = 66; // more than one full batch waits behind the lock
        SessionReader reader(readerDb, 2, kQueued);
        Answers answers;

        // Hold the readers' statements back: the users table locked in an open transaction.
        auto lockConn = lockDb.connection();
        QVERIFY(lockConn);
        QVERIFY(sd::store::runQuery(*lockConn, u"BEGIN"_s));
        QVERIFY(sd::store::runQuery(*lockConn, u"LOCK TABLE users IN ACCESS EXCLUSIVE MODE"_s));
        // Each reader takes one check and waits on the lock.
        QVERIFY(reader.submit(digests[0], answers.slot(0)));
        QTRY_COMPARE(reader.counts().statements, qint64(1));
        QVERIFY(reader.submit(digests[1], answers.slot(1)));
        QTRY_COMPARE(reader.counts().statements, qint64(2));

        // Session 2 ends now, before the checks below are handed over (tokens is not locked).
        auto writer = writerDb.connection();
        QVERIFY(writer);
        auto revoked =
            sd::store::runQuery(*writer, u"UPDATE tokens SET revoked_at = ? WHERE token_hash = ?"_s,
                                {m_a->clock().nowMs(), digests[2]});
        QVERIFY2(revoked, revoked ? "" : qPrintable(revoked.error().message));
        QCOMPARE(revoked->numRowsAffected(), 1);

        // kQueued checks wait: sessions 0, 1, 2 and an unknown one, in turn; one more is refused.
        for (int i = 0; i < kQueued; ++i)
            QVERIFY(reader.submit(i % 4 == 3 ? unknown : digests[i % 4], answers.slot(2 + i)));
        bool called = false;
        QVERIFY(!reader.submit(digests[0],
                               [&called](const SessionReader::Answer &) { called = true; }));

        QVERIFY(sd::store::runQuery(*lockConn, u"COMMIT"_s));
        QTRY_COMPARE(answers.size(), qsizetype(2 + kQueued));
        QVERIFY(!called);

        // The two held back, then every waiting check in two statements (64 + 2), not 66.
        QCOMPARE(reader.counts().checks, qint64(2 + kQueued));
        QCOMPARE(reader.counts().statements, qint64(4));
        for (int i = 0; i < 2; ++i) {
            const auto a = answers.at(i);
            QVERIFY2(a && *a, "a held-back check found its session");
            QCOMPARE((*a)->account.username, users[i]);
            QVERIFY(!(*a)->revoked);
        }
        for (int i = 0; i < kQueued; ++i) {
            const auto a = answers.at(2 + i);
            QVERIFY2(a, qPrintable(a ? QString() : a.error().message));
            const int which = i % 4;
            if (which == 3) {
                QVERIFY2(!*a, "an unknown token has no session");
                continue;
            }
            QVERIFY(*a);
            QCOMPARE((*a)->account.username, users[which]);
            // Ended before the check was handed over: its statement saw that.
            QCOMPARE((*a)->revoked, which == 2);
        }
    }

    void everyCheckGetsAnErrorWhenTheDatabaseDoesNotAnswer()
    {
        // A port nothing listens on: the connection is refused at once.
        auto url = testUrl();
        url.port = 1;
        sd::store::Database nowhere(url);
        SessionReader reader(nowhere, 2, 16);
        Answers answers;
        for (int i = 0; i < 5; ++i)
            QVERIFY(reader.submit(u"digest%1"_s.arg(i), answers.slot(i)));
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), qsizetype(5), 20000);
        for (int i = 0; i < 5; ++i) {
            const auto a = answers.at(i);
            QVERIFY(!a);
            QVERIFY(!a.error().message.isEmpty());
        }
    }

    void manySessionsAtOnceOverHttpAndALogoutElsewhereIsRefusedAtOnce()
    {
        startA();
        // B: a second instance on the same database, with A's settings and clock.
        QTemporaryDir dirB;
        sd::core::Config configB = m_a->config();
        configB.mailFolder = dirB.filePath(u"mail"_s);
        sd::app::Application b(configB, m_a->sharedClock());
        const auto started = b.start();
        QVERIFY2(started, started ? "" : qPrintable(started.error().detail));
        const quint16 portA = m_a->port(), portB = b.port();

        constexpr int kUsers = 12;
        QStringList tokens;
        for (int i = 0; i < kUsers; ++i) {
            QVERIFY(!testflows::confirmedUser(portA, u"many%1"_s.arg(i)).isEmpty());
            tokens << testflows::loginToken(portA, u"many%1"_s.arg(i));
            QVERIFY(!tokens.last().isEmpty());
        }

        // Every session checked on B by threads at once, many times: each answer is its own.
        constexpr int kRounds = 15;
        std::vector<std::thread> threads;
        std::vector<QString> wrong(kUsers);
        for (int i = 0; i < kUsers; ++i) {
            threads.emplace_back([&, i] {
                for (int round = 0; round < kRounds && wrong[i].isEmpty(); ++round) {
                    const HttpResult r = getJson(portB, "/api/v1/user/me", tokens[i]);
                    const QString name = r.json().value(u"username"_s).toString();
                    if (r.status != 200 || name != u"many%1"_s.arg(i))
                        wrong[i] = u"round %1: %2 %3"_s.arg(round).arg(r.status).arg(name);
                }
            });
        }
        for (auto &t : threads)
            t.join();
        for (int i = 0; i < kUsers; ++i)
            QVERIFY2(wrong[i].isEmpty(), qPrintable(u"session %1: "_s.arg(i) + wrong[i]));

        // Logged out on A: refused on B (and A) at the very next check.
        QCOMPARE(getJson(portB, "/api/v1/user/me", tokens[0]).status, 200);
        const QList<std::pair<QByteArray, QByteArray>> auth = {
            {"Authorization", "Bearer " + tokens[0].toLatin1()}};
        QCOMPARE(httpRequest(portA, "POST", "/api/v1/logout", {}, auth).status, 204);
        QCOMPARE(getJson(portB, "/api/v1/user/me", tokens[0]).status, 401);
        QCOMPARE(getJson(portA, "/api/v1/user/me", tokens[0]).status, 401);
        QCOMPARE(getJson(portB, "/api/v1/user/me", tokens[1]).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestSessionReader)
#include "tst_sessionreader.moc"
