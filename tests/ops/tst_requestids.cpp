// Issue 15 item 4: every answer carries X-Request-Id (the client's when valid, else a new one),
// and every log line written for that request carries it too, on the server's thread, on the
// worker pool and in the jobs a handler posts; log/format=json writes one object a line.

#include "httpclient.h"
#include "testserver.h"

#include "logformat.h"

#include <QJsonDocument>
#include <QMutex>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTest>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

QMutex logMutex;
QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        capturedLog.append(message);
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

QStringList logLinesWith(const QString &needle)
{
    QMutexLocker lock(&logMutex);
    return capturedLog.filter(needle);
}

const QRegularExpression kIdShape(u"^[A-Za-z0-9._-]{1,64}$"_s);

// Stderr goes to a file while `run` runs, until `done` holds for what was written (or 10 s);
// returns what was written.
QByteArray captureStderr(const std::function<void()> &run,
                         const std::function<bool(const QByteArray &)> &done)
{
    QTemporaryFile file;
    if (!file.open())
        return {};
    std::fflush(stderr);
    const int saved = ::dup(2);
    ::dup2(file.handle(), 2);
    run();
    const auto written = [&] {
        QFile f(file.fileName());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QTest::qWaitFor([&] { return done(written()); }, 10000);
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    return written();
}

} // namespace

class TestRequestIds : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    quint16 port() const { return m_server->port(); }

private slots:
    void initTestCase()
    {
        // The program's own handler, with a capture before it (as Qt's default one would be).
        previousHandler = qInstallMessageHandler(captureMessage);
        sd::core::installEscapingLogHandler();
        m_server = std::make_unique<TestServer>();
        // Routes that log: on the server thread, on the pool, and from a job posted by it.
        m_server->app().addRoute({"GET", u"/test/log-here"_s, sd::http::RunOn::ServerThread, false,
                                  [](const sd::http::HttpRequest &) {
                                      qWarning("test: logged on the server thread");
                                      return sd::http::HttpResponse::empty(204);
                                  }});
        m_server->app().addRoute({"GET", u"/test/log-pool"_s, sd::http::RunOn::WorkerPool, false,
                                  [this](const sd::http::HttpRequest &) {
                                      qWarning("test: logged on the pool");
                                      m_server->app().server()->tryRunInBackground(
                                          [] { qWarning("test: logged by a posted job"); });
                                      return sd::http::HttpResponse::empty(204);
                                  }});
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    void cleanupTestCase()
    {
        m_server.reset();
        qInstallMessageHandler(previousHandler);
    }

    void validIdKept_data()
    {
        QTest::addColumn<QByteArray>("id");
        QTest::newRow("uuid") << QByteArray("3f2c9d1e-8a4b-4c1d-9e2f-0a1b2c3d4e5f");
        QTest::newRow("one char") << QByteArray("x");
        QTest::newRow("64 chars") << QByteArray(64, 'a');
        QTest::newRow("dots and underscores") << QByteArray("req_1.2-3");
    }
    void validIdKept()
    {
        QFETCH(QByteArray, id);
        for (const QByteArray path :
             {"/healthz", "/api/v1/user/me", "/nowhere", "/test/log-pool"}) {
            const HttpResult r = httpRequest(port(), "GET", path, {}, {{"X-Request-Id", id}});
            QVERIFY2(r.status != 0, path.constData());
            QCOMPARE(r.headers.value("x-request-id"), id);
        }
        // A worker-pool route with a body, and a 405.
        QCOMPARE(httpRequest(port(), "POST", "/api/v1/login", "{}",
                             {{"Content-Type", "application/json"}, {"X-Request-Id", id}})
                     .headers.value("x-request-id"),
                 id);
        QCOMPARE(httpRequest(port(), "DELETE", "/healthz", {}, {{"X-Request-Id", id}})
                     .headers.value("x-request-id"),
                 id);
    }

    void invalidIdReplaced_data()
    {
        QTest::addColumn<QByteArray>("id");
        QTest::newRow("65 chars") << QByteArray(65, 'a');
        QTest::newRow("space") << QByteArray("a b");
        QTest::newRow("slash") << QByteArray("a/b");
        QTest::newRow("quote") << QByteArray("a\"b");
        QTest::newRow("non-ascii") << QByteArray("caf\xc3\xa9");
    }
    void invalidIdReplaced()
    {
        QFETCH(QByteArray, id);
        const HttpResult r = httpRequest(port(), "GET", "/healthz", {}, {{"X-Request-Id", id}});
        QCOMPARE(r.status, 200);
        const QByteArray given = r.headers.value("x-request-id");
        QVERIFY(given != id);
        QVERIFY2(kIdShape.match(QString::fromLatin1(given)).hasMatch(), given.constData());
    }

    void newIdsDiffer()
    {
        QSet<QByteArray> ids;
        for (int i = 0; i < 50; ++i) {
            const HttpResult r = httpRequest(port(), "GET", "/healthz");
            const QByteArray id = r.headers.value("x-request-id");
            QVERIFY2(kIdShape.match(QString::fromLatin1(id)).hasMatch(), id.constData());
            ids.insert(id);
        }
        QCOMPARE(ids.size(), 50);
    }

    // Answers the guard gives before QtHttpServer sees the request carry one as well.
    void guardAnswersCarryAnId()
    {
        const QByteArray raw = rawExchange(
            port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(40000, 'a') + "\r\n\r\n");
        QVERIFY2(raw.startsWith("HTTP/1.1 431"), raw.left(40).constData());
        QVERIFY(QRegularExpression(u"\r\nX-Request-Id: [A-Za-z0-9._-]{1,64}\r\n"_s)
                    .match(QString::fromLatin1(raw))
                    .hasMatch());
    }

    void logLinesCarryTheId()
    {
        HttpResult r =
            httpRequest(port(), "GET", "/test/log-here", {}, {{"X-Request-Id", "rid-1"}});
        QCOMPARE(r.status, 204);
        QCOMPARE(logLinesWith(u"] test: logged on the server thread"_s),
                 QStringList{u"[rid-1] test: logged on the server thread"_s});

        r = httpRequest(port(), "GET", "/test/log-pool", {}, {{"X-Request-Id", "rid-2"}});
        QCOMPARE(r.status, 204);
        QCOMPARE(logLinesWith(u"[rid-2]"_s).first(), u"[rid-2] test: logged on the pool"_s);
        QTRY_COMPARE(logLinesWith(u"[rid-2]"_s),
                     QStringList({u"[rid-2] test: logged on the pool"_s,
                                  u"[rid-2] test: logged by a posted job"_s}));

        // Without a client id, the line carries the one the answer names.
        r = httpRequest(port(), "GET", "/test/log-here");
        const QString id = QString::fromLatin1(r.headers.value("x-request-id"));
        QVERIFY(logLinesWith(u"logged on the server thread"_s)
                    .contains(u"["_s + id + u"] test: logged on the server thread"_s));
        // A line outside any request has no id.
        qWarning("test: outside a request");
        QCOMPARE(logLinesWith(u"outside a request"_s), QStringList{u"test: outside a request"_s});
    }

    // log/format=json: one object a line on stderr, with the request's id; the message is
    // escaped as in the text format (no forged lines either way).
    void jsonFormat()
    {
        sd::core::setLogFormat(sd::core::LogFormat::Json);
        HttpResult r;
        const QByteArray out = captureStderr(
            [&] {
                r = httpRequest(port(), "GET", "/test/log-pool", {}, {{"X-Request-Id", "json-7"}});
                qWarning("test: forged?\nFAKE 200");
            },
            [](const QByteArray &written) { return written.contains("posted job"); });
        sd::core::setLogFormat(sd::core::LogFormat::Text);
        QCOMPARE(r.status, 204);
        const QList<QByteArray> lines = out.trimmed().split('\n');
        QVERIFY2(lines.size() >= 3, out.constData());
        QHash<QString, QJsonObject> byMessage;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
            const QJsonObject o = doc.object();
            for (const char *key : {"time", "level", "category", "message", "request_id"})
                QVERIFY2(o.contains(QLatin1StringView(key)), line.constData());
            QVERIFY(o.value(u"time"_s).toString().endsWith(u'Z'));
            byMessage.insert(o.value(u"message"_s).toString(), o);
        }
        const QJsonObject pool = byMessage.value(u"test: logged on the pool"_s);
        QCOMPARE(pool.value(u"request_id"_s).toString(), u"json-7"_s);
        QCOMPARE(pool.value(u"level"_s).toString(), u"warning"_s);
        QCOMPARE(pool.value(u"category"_s).toString(), u"default"_s);
        QCOMPARE(byMessage.value(u"test: logged by a posted job"_s).value(u"request_id"_s),
                 QJsonValue(u"json-7"_s));
        const QJsonObject outside = byMessage.value(u"test: forged?\\nFAKE 200"_s);
        QVERIFY(outside.value(u"request_id"_s).isNull());
    }
};

QTEST_GUILESS_MAIN(TestRequestIds)
#include "tst_requestids.moc"
