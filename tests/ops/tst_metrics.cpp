// Issue 15 item 2: GET /metrics in Prometheus text format 0.0.4, read by Prometheus's own
// parser (promtool check metrics), with route patterns as labels (never raw paths), exact
// counts under concurrent requests, core's gauges and counters, process_* metrics, and the
// address rule (metrics/allowed_addresses; others get what an unknown path gets). Built twice,
// on SQLite and on PostgreSQL.

#include "httpclient.h"
#include "testbackend.h"
#include "testserver.h"

#include "httpmetrics.h"

#include <QDateTime>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;

namespace {

// The value of the sample `series` (name with its labels, as written), or -1 when absent.
double sample(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith(QByteArray(series + ' ')))
            return line.mid(series.size() + 1).toDouble();
    return -1;
}

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    quint16 port() const { return m_server->port(); }
    QByteArray scrape()
    {
        const HttpResult r = httpRequest(port(), "GET", "/metrics");
        [&] {
            QCOMPARE(r.status, 200);
            QCOMPARE(r.headers.value("content-type"), "text/plain; version=0.0.4; charset=utf-8");
        }();
        return r.body;
    }

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.requestsPerAddressPerMinute = 2;
            c.resendCooldownSeconds = 0; // only the per-address limit here
            c.resendPerHour = 1000;
            c.returnConfirmToken = true;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    void cleanupTestCase() { m_server.reset(); }

    // Prometheus's own parser and linter accept the whole page, after every kind of answer.
    void promtoolAcceptsIt()
    {
        QCOMPARE(getJson(port(), "/api/v1/user/me").status, 401);
        QCOMPARE(httpRequest(port(), "GET", "/no/such/path").status, 404);
        const QByteArray body = scrape();
        QProcess promtool;
        promtool.start(u"promtool"_s, {u"check"_s, u"metrics"_s});
        QVERIFY2(promtool.waitForStarted(),
                 "promtool not found: bash scripts/install-deps.sh (Debian package prometheus)");
        promtool.write(body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray said = promtool.readAllStandardOutput() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0 && said.trimmed().isEmpty(),
                 QByteArray(said + "\n--- page:\n" + body).constData());
    }

    void routePatternsNeverRawPaths()
    {
        for (int i = 0; i < 3; ++i)
            QCOMPARE(getJson(port(), "/api/v1/user/me", u"not-a-session"_s).status, 401);
        QCOMPARE(httpRequest(port(), "GET", "/secret-path-x7q").status, 404);
        QCOMPARE(httpRequest(port(), "GET", "/oauth/callback/from/github-x9z?state=s3cr3t").status,
                 302);
        const QByteArray body = scrape();
        QVERIFY(!body.contains("secret-path-x7q"));
        QVERIFY(!body.contains("github-x9z"));
        QVERIFY(!body.contains("s3cr3t"));
        QVERIFY(sample(body, "signupdesk_http_requests_total{route=\"/api/v1/user/"
                             "me\",method=\"GET\",status=\"401\"}") >= 3);
        QVERIFY(sample(body, "signupdesk_http_requests_total{route=\"unmatched\",method=\"GET\","
                             "status=\"404\"}") >= 1);
        QCOMPARE(sample(body, "signupdesk_http_requests_total{route=\"/oauth/callback/from/"
                              "<provider>\",method=\"GET\",status=\"302\"}"),
                 1.0);
        // The histogram: cumulative buckets, +Inf equal to _count.
        const QByteArray me = "signupdesk_http_request_duration_seconds";
        const double count = sample(body, QByteArray(me + "_count{route=\"/api/v1/user/me\"}"));
        QVERIFY(count >= 3);
        QCOMPARE(sample(body, QByteArray(me + "_bucket{route=\"/api/v1/user/me\",le=\"+Inf\"}")),
                 count);
        double previous = 0;
        for (double le : sd::http::HttpMetrics::kBuckets) {
            const double n =
                sample(body, QByteArray(me + "_bucket{route=\"/api/v1/user/me\",le=\"" +
                                        sd::http::promNumber(le) + "\"}"));
            QVERIFY2(n >= previous, qPrintable(QString::number(le)));
            previous = n;
        }
        QVERIFY(sample(body, QByteArray(me + "_sum{route=\"/api/v1/user/me\"}")) > 0);
    }

    // Exact counts when many threads answer at once (the counters are atomics, not a lock).
    void exactUnderConcurrency()
    {
        const QByteArray series =
            "signupdesk_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"}";
        const double before = qMax(0.0, sample(scrape(), series));
        constexpr int kThreads = 8, kEach = 40;
        std::atomic<int> ok{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < kEach; ++i)
                    ok += httpRequest(port(), "GET", "/healthz").status == 200;
            });
        for (auto &t : threads)
            t.join();
        QCOMPARE(ok.load(), kThreads * kEach);
        QCOMPARE(sample(scrape(), series), before + kThreads * kEach);
    }

    void coreGaugesAndCounters()
    {
        const QJsonObject signup{{u"username"_s, u"gauge_user"_s},
                                 {u"password"_s, u"a fine long passphrase 9"_s},
                                 {u"email"_s, u"gauge@example.com"_s}};
        QCOMPARE(postJson(port(), "/api/v1/signup", signup).status, 201);
        m_server->app().core().waitForAfterAnswer();
        // Two resends a minute per address; the third is refused.
        const QJsonObject resend{{u"email"_s, u"gauge@example.com"_s}};
        QCOMPARE(postJson(port(), "/api/v1/verify-email/resend", resend).status, 202);
        QCOMPARE(postJson(port(), "/api/v1/verify-email/resend", resend).status, 202);
        QCOMPARE(postJson(port(), "/api/v1/verify-email/resend", resend).status, 429);
        m_server->app().core().waitForAfterAnswer();
        const QByteArray body = scrape();
        QCOMPARE(sample(body, "signupdesk_accounts{status=\"pending_verification\"}"), 1.0);
        QCOMPARE(sample(body, "signupdesk_accounts{status=\"active\"}"), 0.0);
        double mails = 0; // the sender may have sent them already
        for (const char *status : {"queued", "processing", "sent"})
            mails +=
                sample(body, "signupdesk_outbox_messages{status=\"" + QByteArray(status) + "\"}");
        QVERIFY(mails >= 1);
        QCOMPARE(sample(body, "signupdesk_webhook_deliveries{status=\"dead\"}"), 0.0);
        QCOMPARE(sample(body, "signupdesk_ratelimit_rejections_total{rule=\"address-resend\"}"),
                 1.0);
        QCOMPARE(sample(body, "signupdesk_password_hash_queue"), 0.0);
    }

    void processMetrics()
    {
        const QByteArray body = scrape();
        QVERIFY(sample(body, "process_cpu_seconds_total") > 0);
        QVERIFY(sample(body, "process_resident_memory_bytes") > 1e6);
        QVERIFY(sample(body, "process_virtual_memory_bytes") > 1e6);
        QVERIFY(sample(body, "process_open_fds") > 3);
        QVERIFY(sample(body, "process_max_fds") >= sample(body, "process_open_fds"));
        const double started = sample(body, "process_start_time_seconds");
        const double now = double(QDateTime::currentSecsSinceEpoch());
        QVERIFY2(started > now - 3600 && started <= now + 1, qPrintable(QString::number(started)));
    }

    // Outside metrics/allowed_addresses, /metrics is an unknown path, byte for byte.
    void addressRule()
    {
        TestServer other(kBackend, [](sd::core::Config &c) {
            c.metricsAllowedAddresses = {u"10.0.0.0/8"_s, u"::1"_s};
        });
        QString error;
        QVERIFY2(other.start(&error), qPrintable(error));
        const HttpResult refused = httpRequest(other.port(), "GET", "/metrics");
        const HttpResult unknown = httpRequest(other.port(), "GET", "/no-such-thing");
        QCOMPARE(refused.status, 404);
        QCOMPARE(refused.body, unknown.body);
        QVERIFY(!refused.body.contains("signupdesk_"));
    }

    // The counters alone, from many threads: nothing lost.
    void countersAreExactAcrossThreads()
    {
        sd::http::HttpMetrics metrics;
        const int slot = metrics.slotFor(u"/x"_s);
        constexpr int kThreads = 4, kEach = 100'000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < kEach; ++i)
                    metrics.record(slot, t % 2 ? "GET" : "POST", 200, 1'000'000);
            });
        for (auto &t : threads)
            t.join();
        const QByteArray body = metrics.render();
        QCOMPARE(
            sample(body,
                   "signupdesk_http_requests_total{route=\"/x\",method=\"GET\",status=\"200\"}"),
            2.0 * kEach);
        QCOMPARE(
            sample(body,
                   "signupdesk_http_requests_total{route=\"/x\",method=\"POST\",status=\"200\"}"),
            2.0 * kEach);
        QCOMPARE(
            sample(body,
                   "signupdesk_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.001\"}"),
            4.0 * kEach);
        QCOMPARE(
            sample(body,
                   "signupdesk_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.0005\"}"),
            0.0);
        QCOMPARE(sample(body, "signupdesk_http_request_duration_seconds_sum{route=\"/x\"}"),
                 4.0 * kEach * 0.001);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
