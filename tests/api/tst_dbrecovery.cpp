// A PostgreSQL connection that dies under a running server (pg_terminate_backend, a restarted
// server, a proxy that drops idle connections) costs no client an error: the first statement
// that finds it dead reopens it and runs once more (issue 16). Before, one request per server
// thread answered 503 after such an event.
#include "apiflows.h"
#include "database.h"
#include "sqlquery.h"
#include "testenv.h"
#include "testserver.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// Ends every other backend of the test database and waits until those backends are gone. Not
// until no backend is left: the server's listener for settings changes reconnects at once, and
// a wait for zero would then never end.
bool terminateOtherBackends(QString *error)
{
    auto url = sd::store::DatabaseUrl::parse(testenv::postgresUrl());
    if (!url) {
        *error = url.error();
        return false;
    }
    sd::store::Database admin(*url);
    auto db = admin.connection();
    if (!db) {
        *error = db.error().message;
        return false;
    }
    auto others = sd::store::runQuery(
        *db, u"SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
             " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"_s);
    if (!others) {
        *error = others.error().message;
        return false;
    }
    QStringList pids;
    while (others->next())
        pids << others->value(0).toString();
    if (pids.isEmpty()) {
        *error = u"the server had no connection to end"_s;
        return false;
    }
    const QString them = u" FROM pg_stat_activity WHERE pid IN ("_s + pids.join(u", "_s) + u')';
    auto killed = sd::store::runQuery(*db, u"SELECT COUNT(pg_terminate_backend(pid))"_s + them);
    if (!killed || !killed->next()) {
        *error = killed ? u"no row"_s : killed.error().message;
        return false;
    }
    const bool gone = QTest::qWaitFor(
        [&] {
            auto left = sd::store::runQuery(*db, u"SELECT COUNT(*)"_s + them);
            return left && left->next() && left->value(0).toInt() == 0;
        },
        10000);
    if (!gone)
        *error = u"terminated backends still there after 10 s"_s;
    return gone;
}

} // namespace

class TestDbRecovery : public QObject
{
    Q_OBJECT

private slots:
    void requestsAfterLostConnectionsSucceed()
    {
        TestServer server(TestServer::Backend::Postgres, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.sessionCacheMs = 0; // every `me` reads the database
        });
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        const quint16 port = server.port();
        QVERIFY(!testflows::confirmedUser(port, u"alice"_s).isEmpty());
        const QString ust = testflows::loginToken(port, u"alice"_s);
        QVERIFY(!ust.isEmpty());
        // Every thread that talked to the database holds a connection now.
        for (int i = 0; i < 8; ++i)
            QCOMPARE(getJson(port, "/api/v1/user/me", ust).status, 200);

        for (int round = 0; round < 2; ++round) {
            QVERIFY2(terminateOtherBackends(&error), qPrintable(error));
            // The server thread's session check, the health check, and writes on the pool:
            // none of them answers 503.
            for (int i = 0; i < 8; ++i) {
                const HttpResult me = getJson(port, "/api/v1/user/me", ust);
                QVERIFY2(me.status == 200, me.body.constData());
            }
            QCOMPARE(httpRequest(port, "GET", "/healthz").status, 200);
            for (int i = 0; i < 6; ++i) {
                const QString name = u"r%1u%2"_s.arg(round).arg(i);
                const auto s = testflows::signUp(port, name, name + u"@example.com"_s);
                QVERIFY2(s.answer.status == 201, s.answer.body.constData());
            }
            QVERIFY(!testflows::loginToken(port, u"alice"_s).isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TestDbRecovery)
#include "tst_dbrecovery.moc"
