// The outbox with a real SMTP server (aiosmtpd) on loopback: signups over HTTP are delivered
// by the sender thread; an outage delays mail and loses none; a permanent refusal ends
// 'dead'; two senders draining one outbox never send a row twice.

#include "httpclient.h"
#include "smtpsink.h"
#include "testserver.h"

#include "database.h"
#include "outbox.h"
#include "outboxsender.h"
#include "smtpmailer.h"
#include "transaction.h"

#include <QDir>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;

namespace {

QJsonObject signupBody(int i)
{
    return {{u"username"_s, u"user%1"_s.arg(i)},
            {u"password"_s, u"correct battery staple horse"_s},
            {u"email"_s, u"user%1@example.com"_s.arg(i)}};
}

quint16 unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed again when probe goes: nothing listens there now
}

QByteArray header(const QByteArray &raw, const QByteArray &name)
{
    const QRegularExpression re(u"(?m)^%1: (.*)\\r$"_s.arg(QString::fromLatin1(name)));
    return re.match(QString::fromUtf8(raw)).captured(1).toUtf8();
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> serverWithSmtp(const QString &url)
    {
        auto server =
            std::make_unique<TestServer>(TestServer::Backend::Sqlite, [&](sd::core::Config &c) {
                c.mailTransport = u"smtp"_s;
                c.smtpUrl = url;
                c.publicUrl = u"https://signup.example.org"_s;
            });
        QString error;
        if (!server->start(&error))
            qWarning("start: %s", qPrintable(error));
        return server;
    }

    QList<sd::mail::OutboxEntry> outbox(TestServer &server)
    {
        auto list = sd::mail::Outbox::list(server.app().database());
        return list ? *list : QList<sd::mail::OutboxEntry>();
    }

private slots:
    void signupIsDeliveredOverSmtp()
    {
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        auto server = serverWithSmtp(sink.url());
        QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(1)).status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 1, 15000);

        const auto tx = sink.transactions().first();
        QCOMPARE(tx.rcptTos, QStringList{u"user1@example.com"_s});
        QCOMPARE(tx.mailFrom, u"noreply@localhost"_s);
        const QByteArray raw = tx.raw;
        QCOMPARE(header(raw, "To"), "user1@example.com");
        QCOMPARE(header(raw, "Subject"), "Confirm your email address");
        QVERIFY(raw.contains("multipart/alternative"));
        QVERIFY(raw.contains("Content-Type: text/plain; charset=utf-8"));
        QVERIFY(raw.contains("Content-Type: text/html; charset=utf-8"));
        QVERIFY(
            raw.contains("https://signup.example.org/verify-email?email=3Duser1%40example.com"));

        QTRY_COMPARE(outbox(*server).first().status, u"sent"_s);
        const auto row = outbox(*server).first();
        QCOMPARE(header(raw, "Message-ID"), QByteArray("<" + row.message.messageId.toUtf8() + ">"));
        QVERIFY2(row.serverReply.startsWith(u"250"_s), qPrintable(row.serverReply));
        QCOMPARE(row.attempts, 1);
        // The body held a live token: redacted once sent.
        QVERIFY(!row.message.textBody.contains(u"token="_s));
        QVERIFY(!row.message.htmlBody.contains(u"token="_s));
    }

    void outageDelaysMailAndLosesNone()
    {
        const quint16 port = unusedPort();
        auto server = serverWithSmtp(u"smtp://127.0.0.1:%1"_s.arg(port));
        constexpr int kSignups = 5;
        for (int i = 0; i < kSignups; ++i)
            QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(i)).status, 201);
        server->flushMail();
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto rows = outbox(*server);
                return rows.size() == kSignups &&
                       std::all_of(rows.begin(), rows.end(), [](const auto &r) {
                           return r.status == u"queued"_s && r.attempts >= 1 &&
                                  !r.lastError.isEmpty();
                       });
            }(),
            15000);

        SmtpSink::Options options;
        options.port = port;
        SmtpSink sink(options);
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        // Past the backoff, the retry delivers everything.
        for (int round = 0; round < 6 && sink.messages().size() < kSignups; ++round) {
            server->clock().advanceSeconds(600);
            server->flushMail();
        }
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), kSignups, 15000);
        QSet<QByteArray> ids;
        for (const QByteArray &m : sink.messages())
            ids.insert(header(m, "Message-ID"));
        QCOMPARE(ids.size(), kSignups);
        QTRY_VERIFY([&] {
            const auto rows = outbox(*server);
            return std::all_of(rows.begin(), rows.end(),
                               [](const auto &r) { return r.status == u"sent"_s; });
        }());
    }

    void permanentRefusalEndsDead()
    {
        SmtpSink::Options options;
        options.failCode = 550;
        SmtpSink sink(options);
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        auto server = serverWithSmtp(sink.url());
        QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(7)).status, 201);
        for (int round = 0; round < 5; ++round) {
            server->flushMail();
            server->clock().advanceSeconds(3600);
        }
        QTRY_COMPARE(outbox(*server).first().status, u"dead"_s);
        const auto row = outbox(*server).first();
        QVERIFY2(row.lastError.contains(u"550"_s), qPrintable(row.lastError));
        QCOMPARE(row.attempts, 3);
        QCOMPARE(sink.messages().size(), 0);
    }

    void twoSendersNeverSendARowTwice()
    {
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        QTemporaryDir dir;
        sd::store::Database db(
            *sd::store::DatabaseUrl::parse(u"sqlite:"_s + dir.filePath(u"o.db"_s)));
        QVERIFY(db.migrate());
        constexpr int kMessages = 20;
        {
            auto tx = sd::store::Transaction::begin(db);
            QVERIFY(tx);
            for (int i = 0; i < kMessages; ++i) {
                sd::mail::Message m;
                m.messageId = u"m%1@test"_s.arg(i);
                m.from = u"SignupDesk <noreply@localhost>"_s;
                m.to = u"r%1@example.com"_s.arg(i);
                m.subject = u"hello"_s;
                m.textBody = u"text"_s;
                m.htmlBody = u"<p>html</p>"_s;
                m.date = QDateTime::currentDateTimeUtc();
                QVERIFY(sd::mail::Outbox::enqueue(tx->db(), u"test"_s, {}, m, 0));
            }
            QVERIFY(tx->commit());
        }
        auto mailer = std::make_shared<sd::mail::SmtpMailer>(sink.url());
        auto now = [] { return qint64(1000); };
        sd::mail::OutboxSender a(db, mailer, {}, now), b(db, mailer, {}, now);
        int sentA = 0, sentB = 0;
        std::thread ta([&] {
            for (int i = 0; i < 3; ++i)
                sentA += a.drainOnce();
        });
        std::thread tb([&] {
            for (int i = 0; i < 3; ++i)
                sentB += b.drainOnce();
        });
        ta.join();
        tb.join();
        QCOMPARE(sentA + sentB, kMessages);
        QTRY_COMPARE(sink.messages().size(), kMessages);
        QSet<QByteArray> ids;
        for (const QByteArray &m : sink.messages())
            ids.insert(header(m, "Message-ID"));
        QCOMPARE(ids.size(), kMessages);
    }

    // The sender polls every second; a database outage is logged once when it begins and
    // once when it ends, not on every poll.
    void databaseOutageIsLoggedOnce()
    {
        static QStringList logged;
        logged.clear();
        const QtMessageHandler previous =
            qInstallMessageHandler([](QtMsgType, const QMessageLogContext &,
                                      const QString &message) { logged.append(message); });
        QTemporaryDir dir;
        const QString folder = dir.filePath(u"not-yet"_s); // no such folder: SQLite cannot open
        sd::store::Database db(*sd::store::DatabaseUrl::parse(u"sqlite:"_s + folder + u"/o.db"_s));
        auto mailer = std::make_shared<sd::mail::SmtpMailer>(u"smtp://127.0.0.1:1"_s);
        sd::mail::OutboxSender sender(db, mailer, {}, [] { return qint64(1000); });
        for (int i = 0; i < 5; ++i)
            QCOMPARE(sender.drainOnce(), 0);
        const QStringList duringOutage = logged;
        QVERIFY(QDir().mkpath(folder));
        const bool migrated = bool(db.migrate());
        QCOMPARE(sender.drainOnce(), 0);
        QCOMPARE(sender.drainOnce(), 0);
        qInstallMessageHandler(previous);

        QVERIFY(migrated);
        QCOMPARE(duringOutage.size(), 1);
        QVERIFY2(duringOutage.first().startsWith(u"outbox: database unavailable: "_s),
                 qPrintable(duringOutage.first()));
        QCOMPARE(logged.size(), 2);
        QCOMPARE(logged.last(), u"outbox: database available again"_s);
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
