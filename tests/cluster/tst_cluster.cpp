// Issue 16 item 4: a real cluster, started by the test itself: PostgreSQL (the CTest fixture),
// three `signupdesk --headless` instances on one database, HAProxy in front (Debian's package,
// health checks on /healthz) and a real SMTP sink, all on loopback. Through the balancer:
// signups, verifications, approvals (admin API and CLI), logins; every email sent exactly once
// although three senders claim from one outbox; failed logins spread over the instances hit one
// shared limit; kill -9 of one instance mid-load loses no acknowledged write, HAProxy routes
// around it and the restarted instance rejoins; PostgreSQL restarted under load: every
// instance recovers by itself, nothing acknowledged or queued is lost. Bounded: every wait
// has a deadline.

#include "httpclient.h"
#include "smtpsink.h"
#include "testenv.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct battery staple horse"_s;
const QString kAdminPassword = u"cluster admin password, long enough"_s;

// Users that go the whole way (signup, verification, approval, login): 2 mails each, so 1,000
// mails by default. Another number with SD_CLUSTER_USERS.
int userCount()
{
    const int n = qEnvironmentVariableIntValue("SD_CLUSTER_USERS");
    return n > 0 ? n : 500;
}

// A loopback port free right now, below the kernel's ephemeral range (32768-60999), so that no
// outgoing connection can hold it when a killed instance comes back on it. (The instances need
// fixed ports: HAProxy names them, and a restarted instance must come back on its own.)
quint16 freePort()
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto port = quint16(QRandomGenerator::global()->bounded(20000, 32000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, port))
            return port;
    }
    return 0;
}

QString servedBy(const HttpResult &r)
{
    return QString::fromLatin1(r.headers.value("x-served-by"));
}

// Clients signing up through the balancer in a loop until stopped, each answer recorded.
class SignupLoad
{
public:
    struct Outcome
    {
        qint64 atMs; // since the load started
        int status;
        QString server;
    };

    SignupLoad(int clients, const QString &prefix,
               std::function<HttpResult(const QJsonObject &)> post)
    {
        m_clock.start();
        for (int c = 0; c < clients; ++c) {
            m_clients.emplace_back([this, c, prefix, post] {
                for (int i = 0; !m_stop; ++i) {
                    const QString name = prefix + u"%1x%2"_s.arg(c).arg(i);
                    const HttpResult s = post({{u"username"_s, name},
                                               {u"password"_s, kPassword},
                                               {u"email"_s, QString(name + u"@example.com"_s)}});
                    {
                        std::lock_guard lock(m_mutex);
                        m_outcomes.append({m_clock.elapsed(), s.status, servedBy(s)});
                        if (s.status == 201)
                            m_acknowledged << s.json().value(u"user_id"_s).toString();
                    }
                    if (s.status != 201)
                        QThread::msleep(20); // no busy loop while something is away
                }
            });
        }
    }
    ~SignupLoad() { stop(); }
    void stop()
    {
        m_stop = true;
        for (auto &t : m_clients)
            t.join();
        m_clients.clear();
    }
    qint64 elapsed() const { return m_clock.elapsed(); }
    QList<Outcome> outcomes() const
    {
        std::lock_guard lock(m_mutex);
        return m_outcomes;
    }
    QStringList acknowledged() const // user ids answered 201
    {
        std::lock_guard lock(m_mutex);
        return m_acknowledged;
    }

private:
    mutable std::mutex m_mutex;
    QList<Outcome> m_outcomes;
    QStringList m_acknowledged;
    std::atomic<bool> m_stop = false;
    QElapsedTimer m_clock;
    std::vector<std::thread> m_clients;
};

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

    struct Instance
    {
        QString name;
        quint16 port = 0;
        QString config;
        std::unique_ptr<QProcess> process;
    };

    QTemporaryDir m_dir;
    SmtpSink m_sink;
    Instance m_instances[3];
    QProcess m_haproxy;
    quint16 m_lbPort = 0;
    QString m_adminUst;
    QSqlDatabase m_db;
    QStringList m_activeUsers;

    bool startInstance(Instance &in, QString *error)
    {
        in.process = std::make_unique<QProcess>();
        in.process->setProgram(testenv::signupdeskBinary());
        in.process->setArguments({u"--headless"_s, u"--config"_s, in.config});
        in.process->setProcessChannelMode(QProcess::SeparateChannels);
        in.process->start();
        if (!in.process->waitForStarted(10000)) {
            *error = in.name + u" did not start"_s;
            return false;
        }
        quint16 port = 0;
        testenv::readListeningLine(*in.process, &port);
        if (port != in.port) {
            *error = in.name + u": no listening line on port %1: "_s.arg(in.port) +
                     QString::fromUtf8(in.process->readAllStandardError());
            return false;
        }
        return true;
    }

    // One request through the balancer.
    HttpResult viaLb(const QByteArray &method, const QByteArray &path, const QJsonObject &body = {},
                     const QString &bearer = {})
    {
        HeaderList headers;
        QByteArray payload;
        if (!body.isEmpty()) {
            headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
            payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        }
        if (!bearer.isEmpty())
            headers.append(
                std::pair<QByteArray, QByteArray>("Authorization", "Bearer " + bearer.toLatin1()));
        return httpRequest(m_lbPort, method, path, payload, headers, 15000);
    }

    // Until `pred` holds, asking every 50 ms, at most `ms`.
    template <typename Pred> static bool waitUntil(Pred pred, int ms)
    {
        QElapsedTimer t;
        t.start();
        while (!pred()) {
            if (t.elapsed() > ms)
                return false;
            QThread::msleep(50);
        }
        return true;
    }

    // The servers HAProxy routes to now, seen from the answers of `tries` requests.
    QSet<QString> serversSeen(int tries)
    {
        QSet<QString> seen;
        for (int i = 0; i < tries; ++i) {
            const HttpResult r = viaLb("GET", "/healthz");
            if (r.status == 200)
                seen.insert(servedBy(r));
        }
        return seen;
    }

    qint64 scalar(const QString &sql, const QVariantList &params = {})
    {
        QSqlQuery q(m_db);
        q.prepare(sql);
        for (const QVariant &p : params)
            q.addBindValue(p);
        if (!q.exec() || !q.next()) {
            qWarning("query failed: %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            return -1;
        }
        return q.value(0).toLongLong();
    }

    // Every outbox row sent, within `ms`.
    bool outboxDrained(int ms)
    {
        return waitUntil(
            [&] { return scalar(u"SELECT count(*) FROM outbox WHERE status <> 'sent'"_s) == 0; },
            ms);
    }

    // The acknowledged signups (user ids) missing from the database or without their mail.
    QStringList lostOf(const QStringList &acknowledged)
    {
        QStringList lost;
        for (const QString &id : acknowledged) {
            if (scalar(u"SELECT count(*) FROM users WHERE id = ?"_s, {id}) != 1)
                lost << id + u" (no account)"_s;
            else if (scalar(u"SELECT count(*) FROM outbox WHERE user_id = ?"_s, {id}) < 1)
                lost << id + u" (no mail queued)"_s;
        }
        return lost;
    }

private slots:
    void initTestCase()
    {
        QElapsedTimer setup;
        setup.start();
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFileInfo::exists(testenv::signupdeskBinary()), "SD_SIGNUPDESK_BIN is not set");
        QVERIFY2(!testenv::postgresUrl().isEmpty(), "SIGNUPDESK_TEST_PG_URL is not set");
        QString haproxy = QStandardPaths::findExecutable(u"haproxy"_s);
        if (haproxy.isEmpty())
            haproxy = QStandardPaths::findExecutable(u"haproxy"_s, {u"/usr/sbin"_s, u"/sbin"_s});
        QVERIFY2(!haproxy.isEmpty(), "haproxy is not installed (scripts/install-deps.sh)");
        QString error;
        QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
        QVERIFY2(m_sink.start(), qPrintable(m_sink.errorString()));

        const QUrl url(testenv::postgresUrl());
        m_db = QSqlDatabase::addDatabase(u"QPSQL"_s, u"cluster_checks"_s);
        m_db.setHostName(url.host());
        m_db.setPort(url.port(5432));
        m_db.setUserName(url.userName());
        m_db.setPassword(url.password());
        m_db.setDatabaseName(url.path().mid(1));
        QVERIFY2(m_db.open(), qPrintable(m_db.lastError().text()));

        for (int i = 0; i < 3; ++i) {
            Instance &in = m_instances[i];
            in.name = u"sd%1"_s.arg(i);
            in.port = freePort();
            QVERIFY(in.port != 0);
            in.config = m_dir.filePath(in.name + u".ini"_s);
            QFile f(in.config);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(u"[server]\nlisten=127.0.0.1\nport=%1\nthreads=1\nworkers=2\n"
                    "[database]\nurl=%2\n"
                    "[mail]\ntransport=smtp\nsmtp_url=%3\n"
                    "[password]\nmemory_kib=64\niterations=1\n"
                    "[signup]\nreturn_confirm_token=true\napproval_required=true\n"
                    "[admin]\napi_enabled=true\n"
                    "[ratelimit]\nenabled=true\nrequests_per_minute=1000000\nlogin_failures=10\n"
                    "resend_per_hour=1000\n"_s.arg(in.port)
                        .arg(testenv::postgresUrl(), m_sink.url())
                        .toUtf8());
        }
        // The super-user, by the CLI of one instance (which also migrates the database).
        QProcess cli;
        cli.start(testenv::signupdeskBinary(),
                  {u"--config"_s, m_instances[0].config, u"admin"_s, u"create-superuser"_s,
                   u"root"_s, u"root@example.com"_s});
        QVERIFY(cli.waitForStarted(10000));
        cli.write(kAdminPassword.toUtf8() + '\n');
        cli.closeWriteChannel();
        QVERIFY(cli.waitForFinished(30000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());

        for (Instance &in : m_instances)
            QVERIFY2(startInstance(in, &error), qPrintable(error));

        m_lbPort = freePort();
        QVERIFY(m_lbPort != 0);
        const QString cfgPath = m_dir.filePath(u"haproxy.cfg"_s);
        QFile cfg(cfgPath);
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        QByteArray text = "global\n"
                          "    maxconn 1024\n"
                          "defaults\n"
                          "    mode http\n"
                          "    timeout connect 1s\n"
                          "    timeout client 30s\n"
                          "    timeout server 30s\n"
                          "    retries 2\n"
                          "    option redispatch\n"
                          "frontend signupdesk\n"
                          "    bind 127.0.0.1:" +
                          QByteArray::number(m_lbPort) +
                          "\n"
                          "    default_backend instances\n"
                          "backend instances\n"
                          "    balance roundrobin\n"
                          "    option httpchk GET /healthz\n"
                          "    http-check expect status 200\n"
                          "    default-server inter 200ms fastinter 100ms downinter 200ms "
                          "fall 2 rise 2\n"
                          "    http-response set-header X-Served-By %[srv_name]\n";
        for (const Instance &in : m_instances)
            text += "    server " + in.name.toLatin1() +
                    " 127.0.0.1:" + QByteArray::number(in.port) + " check\n";
        cfg.write(text);
        cfg.close();
        m_haproxy.setProgram(haproxy);
        m_haproxy.setArguments({u"-db"_s, u"-f"_s, cfgPath});
        m_haproxy.setProcessChannelMode(QProcess::MergedChannels);
        m_haproxy.start();
        QVERIFY(m_haproxy.waitForStarted(10000));
        const QSet<QString> all = {u"sd0"_s, u"sd1"_s, u"sd2"_s};
        QVERIFY2(waitUntil([&] { return serversSeen(6) == all; }, 15000),
                 m_haproxy.readAll().constData());

        const HttpResult admin = viaLb(
            "POST", "/api/v1/login", {{u"username"_s, u"root"_s}, {u"password"_s, kAdminPassword}});
        QCOMPARE(admin.status, 200);
        m_adminUst = admin.json().value(u"ust"_s).toString();
        QVERIFY(!m_adminUst.isEmpty());
        qInfo("cluster up in %lld ms: HAProxy on %u, instances on %u %u %u", setup.elapsed(),
              m_lbPort, m_instances[0].port, m_instances[1].port, m_instances[2].port);
    }

    void cleanupTestCase()
    {
        if (m_haproxy.state() != QProcess::NotRunning) {
            m_haproxy.terminate();
            if (!m_haproxy.waitForFinished(5000))
                m_haproxy.kill();
        }
        for (Instance &in : m_instances) {
            if (in.process && in.process->state() != QProcess::NotRunning) {
                in.process->terminate();
                if (!in.process->waitForFinished(10000))
                    in.process->kill();
            }
        }
        m_sink.stop();
        m_db.close();
    }

    // Signups, verifications, approvals, logins through the balancer from several clients at
    // once; every mail sent exactly once by three senders claiming from one outbox.
    void firstDaysThroughTheBalancer()
    {
        QElapsedTimer timer;
        timer.start();
        const int users = userCount();
        constexpr int kClients = 6;
        std::mutex mutex;
        QStringList failures;
        QSet<QString> servers;
        QList<std::pair<QString, QString>> created; // user id, username
        std::vector<std::thread> clients;
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                for (int i = c; i < users; i += kClients) {
                    const QString name = u"user%1"_s.arg(i);
                    const HttpResult s = viaLb("POST", "/api/v1/signup",
                                               {{u"username"_s, name},
                                                {u"password"_s, kPassword},
                                                {u"email"_s, QString(name + u"@example.com"_s)}});
                    const HttpResult v =
                        s.status == 201
                            ? viaLb("POST", "/api/v1/signup/confirm",
                                    {{u"confirm_token"_s, s.json().value(u"confirm_token"_s)}})
                            : HttpResult{};
                    std::lock_guard lock(mutex);
                    servers << servedBy(s) << servedBy(v);
                    if (s.status != 201 || v.status != 200)
                        failures << u"%1: signup %2, confirm %3"_s.arg(name).arg(s.status).arg(
                            v.status);
                    else
                        created.append({s.json().value(u"user_id"_s).toString(), name});
                }
            });
        }
        for (auto &t : clients)
            t.join();
        clients.clear();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 5).join(u"; "_s)));
        QCOMPARE(int(created.size()), users);
        QCOMPARE(servers - QSet<QString>{QString()}, (QSet<QString>{u"sd0"_s, u"sd1"_s, u"sd2"_s}));

        // Approvals: two by the CLI (of instance sd2), the others by the admin API.
        for (int k = 0; k < 2; ++k) {
            QProcess cli;
            cli.start(testenv::signupdeskBinary(),
                      {u"--config"_s, m_instances[2].config, u"admin"_s, u"signups"_s, u"approve"_s,
                       created.at(k).first});
            QVERIFY(cli.waitForFinished(30000));
            QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        }
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                for (qsizetype i = 2 + c; i < created.size(); i += kClients) {
                    const HttpResult a = viaLb("POST", "/api/v1/signup/approve",
                                               {{u"user_id"_s, created.at(i).first}}, m_adminUst);
                    if (a.status != 204) {
                        std::lock_guard lock(mutex);
                        failures << u"approve %1: %2"_s.arg(created.at(i).second).arg(a.status);
                    }
                }
            });
        }
        for (auto &t : clients)
            t.join();
        clients.clear();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 5).join(u"; "_s)));

        // Logins, and the session they give checked on whichever instance answers.
        for (int c = 0; c < kClients; ++c) {
            clients.emplace_back([&, c] {
                for (qsizetype i = c; i < created.size(); i += kClients) {
                    const QString name = created.at(i).second;
                    const HttpResult l = viaLb("POST", "/api/v1/login",
                                               {{u"username"_s, name}, {u"password"_s, kPassword}});
                    const QString ust = l.json().value(u"ust"_s).toString();
                    const HttpResult me = viaLb("GET", "/api/v1/user/me", {}, ust);
                    std::lock_guard lock(mutex);
                    if (l.status != 200 || me.status != 200 ||
                        me.json().value(u"username"_s).toString() != name)
                        failures << u"%1: login %2, me %3"_s.arg(name).arg(l.status).arg(me.status);
                }
            });
        }
        for (auto &t : clients)
            t.join();
        QVERIFY2(failures.isEmpty(), qPrintable(failures.mid(0, 5).join(u"; "_s)));
        for (const auto &[id, name] : std::as_const(created))
            m_activeUsers << name;

        // Every mail: a verification and a welcome per user, each sent exactly once.
        QVERIFY2(outboxDrained(30000), "outbox not drained within 30 s");
        QVERIFY(waitUntil([&] { return m_sink.messages().size() >= 2 * users; }, 10000));
        QThread::msleep(300); // a duplicate would arrive now
        const QList<QByteArray> mails = m_sink.messages();
        QHash<QString, int> byMessageId, byRecipient;
        static const QRegularExpression messageId(u"\r\nMessage-ID: <([^>]+)>"_s,
                                                  QRegularExpression::CaseInsensitiveOption);
        static const QRegularExpression to(u"\r\nTo: ([^\r\n]+)"_s);
        for (const QByteArray &raw : mails) {
            const QString text = QString::fromLatin1(raw);
            ++byMessageId[messageId.match(text).captured(1)];
            ++byRecipient[to.match(text).captured(1).trimmed()];
        }
        QCOMPARE(qint64(mails.size()), scalar(u"SELECT count(*) FROM outbox"_s));
        QCOMPARE(int(mails.size()), 2 * users);
        QCOMPARE(byMessageId.size(), mails.size()); // no Message-ID twice
        QVERIFY(!byMessageId.contains(QString()));
        for (const auto &[id, name] : std::as_const(created))
            QCOMPARE(byRecipient.value(name + u"@example.com"_s), 2);
        qInfo("%d users through HAProxy, %lld mails each sent once, in %lld ms", users,
              qint64(mails.size()), timer.elapsed());
    }

    // Wrong passwords for one account, spread by HAProxy over the three instances: one limit.
    void failedLoginsHitOneSharedLimit()
    {
        QVERIFY(!m_activeUsers.isEmpty());
        const QString victim = m_activeUsers.first();
        QList<int> statuses;
        QSet<QString> servers;
        for (int i = 0; i < 21; ++i) {
            const HttpResult r =
                viaLb("POST", "/api/v1/login",
                      {{u"username"_s, victim}, {u"password"_s, u"a wrong password %1"_s.arg(i)}});
            statuses << r.status;
            servers << servedBy(r);
        }
        QCOMPARE(servers, (QSet<QString>{u"sd0"_s, u"sd1"_s, u"sd2"_s}));
        QCOMPARE(statuses.mid(0, 10), QList<int>(10, 401));
        QCOMPARE(statuses.mid(10), QList<int>(11, 429));
        // The right password waits as well, on every instance.
        for (int i = 0; i < 3; ++i)
            QCOMPARE(viaLb("POST", "/api/v1/login",
                           {{u"username"_s, victim}, {u"password"_s, kPassword}})
                         .status,
                     429);
    }

    // kill -9 of one instance under a signup load: nothing acknowledged is lost, HAProxy routes
    // around it within its health checks, and the restarted instance takes requests again.
    void killOneInstanceMidLoad()
    {
        constexpr int kClients = 6;
        SignupLoad load(kClients, u"load"_s, [this](const QJsonObject &body) {
            return viaLb("POST", "/api/v1/signup", body);
        });
        // The load runs, then sd1 dies without a word.
        const bool loadRuns = waitUntil([&] { return load.outcomes().size() >= 30; }, 20000);
        Instance &victim = m_instances[1];
        victim.process->kill(); // SIGKILL
        const bool killed = victim.process->waitForFinished(10000);
        const qint64 killedAt = load.elapsed();
        // Five seconds of load without it, then it comes back on its port.
        QThread::msleep(5000);
        const qint64 restartAt = load.elapsed();
        QString error;
        const bool restarted = startInstance(victim, &error);
        bool rejoined = false;
        if (restarted)
            rejoined = waitUntil(
                [&] {
                    const auto outcomes = load.outcomes();
                    return !outcomes.isEmpty() && outcomes.constLast().server == u"sd1"_s &&
                           outcomes.constLast().atMs > restartAt;
                },
                15000);
        QThread::msleep(500);
        load.stop();
        const auto outcomes = load.outcomes();
        const QStringList acknowledged = load.acknowledged();
        QVERIFY2(loadRuns, "the load did not run");
        QVERIFY(killed);
        QVERIFY2(restarted, qPrintable(error));
        QVERIFY2(rejoined, "the restarted instance took no request within 15 s");

        // Routed around: from 2 s after the kill (health checks every 200 ms, down after 2),
        // every request is answered, and none by the dead instance until it came back.
        int failedAround = 0, failedLater = 0, servedByDead = 0, answeredWithout = 0;
        for (const SignupLoad::Outcome &o : std::as_const(outcomes)) {
            const bool ok = o.status == 201;
            if (o.atMs > killedAt + 2000 && o.atMs < restartAt) {
                failedLater += ok ? 0 : 1;
                servedByDead += o.server == u"sd1"_s ? 1 : 0;
                answeredWithout += ok ? 1 : 0;
            } else if (o.atMs >= killedAt - 1000 && o.atMs <= killedAt + 2000) {
                failedAround += ok ? 0 : 1;
            }
        }
        qInfo("kill -9 under load: %lld requests, %lld acknowledged; %d failed around the kill, "
              "%d answered while it was down",
              qint64(outcomes.size()), qint64(acknowledged.size()), failedAround, answeredWithout);
        QCOMPARE(failedLater, 0);
        QCOMPARE(servedByDead, 0);
        QVERIFY(answeredWithout > 10);
        QVERIFY(failedAround <= kClients); // at most the requests in flight at the kill

        // No acknowledged write lost: every account answered 201 is there, with its mail queued.
        QCOMPARE(lostOf(acknowledged), QStringList());
        // The restarted instance answers a session check as before.
        const HttpResult me = httpRequest(victim.port, "GET", "/api/v1/user/me", {},
                                          {{"Authorization", "Bearer " + m_adminUst.toLatin1()}});
        QCOMPARE(me.status, 200);
    }

    // PostgreSQL restarted under a signup load: every instance recovers by itself (no restart
    // of theirs), nothing acknowledged is lost, and no queued email is lost.
    void postgresRestartMidLoad()
    {
        // The fixture's data directory, or the one it falls back to when the server's user
        // cannot reach the build folder (tests/support/postgres-fixture.sh).
        QString dataDir = qEnvironmentVariable("SD_TEST_PG_DATADIR");
        if (!QFileInfo::exists(dataDir + u"/postmaster.pid"_s))
            dataDir = u"/tmp/signupdesk-pg-%1"_s.arg(QUrl(testenv::postgresUrl()).port());
        QVERIFY2(QFileInfo::exists(dataDir + u"/postmaster.pid"_s),
                 "SD_TEST_PG_DATADIR does not name the running fixture's data directory");
        SignupLoad load(4, u"pgr"_s, [this](const QJsonObject &body) {
            return viaLb("POST", "/api/v1/signup", body);
        });
        const bool loadRuns = waitUntil([&] { return load.outcomes().size() >= 30; }, 20000);
        // pg_ctl refuses to run as root: as the server's own user then, like the fixture.
        QStringList command = {u"/usr/lib/postgresql/15/bin/pg_ctl"_s,
                               u"restart"_s,
                               u"-D"_s,
                               dataDir,
                               u"-m"_s,
                               u"fast"_s,
                               u"-w"_s,
                               u"-t"_s,
                               u"30"_s,
                               u"-l"_s,
                               dataDir + u"/server.log"_s};
        if (geteuid() == 0)
            command = QStringList{u"-u"_s, u"postgres"_s, u"--"_s} + command;
        QProcess pgctl;
        pgctl.start(geteuid() == 0 ? u"runuser"_s : command.takeFirst(), command);
        const bool restarted = pgctl.waitForFinished(40000) && pgctl.exitCode() == 0;
        const qint64 backAt = load.elapsed();
        // Recovered by themselves: within 10 s of the database's return, requests succeed.
        const bool recovered = waitUntil(
            [&] {
                const auto outcomes = load.outcomes();
                return std::count_if(outcomes.cbegin(), outcomes.cend(), [&](const auto &o) {
                           return o.atMs > backAt && o.status == 201;
                       }) >= 30;
            },
            10000);
        // And a second more of load past 3 s after its return: none of that may fail.
        while (recovered && load.elapsed() < backAt + 4000)
            QThread::msleep(50);
        load.stop();
        const auto outcomes = load.outcomes();
        const QStringList acknowledged = load.acknowledged();
        QVERIFY2(loadRuns, "the load did not run");
        QVERIFY2(restarted, pgctl.readAllStandardError().constData());
        QVERIFY2(recovered, "the instances did not answer 201 again within 10 s");
        int failedLate = 0, late = 0;
        for (const SignupLoad::Outcome &o : std::as_const(outcomes)) {
            if (o.atMs > backAt + 3000) {
                ++late;
                failedLate += o.status == 201 ? 0 : 1;
            }
        }
        qInfo("PostgreSQL restart under load: %lld requests, %lld acknowledged; %d of the %d "
              "requests from 3 s after its return failed",
              qint64(outcomes.size()), qint64(acknowledged.size()), failedLate, late);
        QVERIFY(late > 0);
        QCOMPARE(failedLate, 0);
        // Nothing acknowledged lost, no queued mail lost (the checks' own connection died too).
        m_db.close();
        QVERIFY2(m_db.open(), qPrintable(m_db.lastError().text()));
        QCOMPARE(lostOf(acknowledged), QStringList());
        // Every instance answers on its own port again, its health check included.
        for (const Instance &in : m_instances)
            QCOMPARE(httpRequest(in.port, "GET", "/healthz").status, 200);
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
