// Several outbox senders (one per instance, in effect) draining one outbox at once send every
// message exactly once, on SQLite and on PostgreSQL. A batch is claimed by one statement (on
// PostgreSQL with FOR UPDATE SKIP LOCKED, issue 16). A real SMTP server on loopback counts what
// arrives.
#include "smtpsink.h"
#include "testenv.h"

#include "database.h"
#include "outbox.h"
#include "outboxsender.h"
#include "smtpmailer.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QHash>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <latch>
#include <thread>

using namespace Qt::StringLiterals;

namespace {

#ifdef SD_TEST_BACKEND_PG
constexpr bool kPostgres = true;
#else
constexpr bool kPostgres = false;
#endif

QByteArray messageId(const QByteArray &raw)
{
    static const QRegularExpression re(u"(?m)^Message-ID: (.*)\\r$"_s);
    return re.match(QString::fromUtf8(raw)).captured(1).toUtf8();
}

} // namespace

class TestOutboxClaims : public QObject
{
    Q_OBJECT

private slots:
    void sendersUnderContentionSendEachOnce()
    {
        QTemporaryDir dir;
        QString url = u"sqlite:"_s + dir.filePath(u"o.db"_s);
        if constexpr (kPostgres) {
            QString error;
            QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
            url = testenv::postgresUrl();
        }
        sd::store::Database db(*sd::store::DatabaseUrl::parse(url));
        QVERIFY(db.migrate());
        constexpr int kMessages = 300, kSenders = 4;
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
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        auto mailer = std::make_shared<sd::mail::SmtpMailer>(sink.url());
        auto now = [] { return qint64(1000); };
        sd::mail::OutboxPolicy policy;
        policy.batchSize = 10; // many small claims: the senders meet often

        std::atomic<int> sent = 0;
        std::latch start(kSenders);
        std::vector<std::thread> threads;
        for (int s = 0; s < kSenders; ++s) {
            threads.emplace_back([&] {
                // Each sender has its own Database (its own connections), as an instance has.
                sd::store::Database own(db.url());
                sd::mail::OutboxSender sender(own, mailer, policy, now);
                start.arrive_and_wait();
                for (int round = 0; round < 100; ++round) {
                    const int n = sender.drainOnce();
                    sent += n;
                    if (n == 0 && round > 3)
                        break;
                }
            });
        }
        for (auto &t : threads)
            t.join();

        QCOMPARE(sent.load(), kMessages);
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), kMessages, 30000);
        QHash<QByteArray, int> seen;
        for (const QByteArray &m : sink.messages())
            ++seen[messageId(m)];
        QCOMPARE(seen.size(), kMessages);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, it.key().constData());
        auto list = sd::mail::Outbox::list(db);
        QVERIFY(list);
        for (const auto &row : *list)
            QVERIFY2(row.status == u"sent"_s, qPrintable(row.status));
    }

    // Mails queued in the same millisecond (a verification, then a login link, to one person)
    // leave in the order they were queued, whatever order the claim returns its rows in.
    void tiedMailsLeaveInQueueOrder()
    {
        QTemporaryDir dir;
        QString url = u"sqlite:"_s + dir.filePath(u"o.db"_s);
        if constexpr (kPostgres) {
            QString error;
            QVERIFY2(testenv::resetPostgres(&error), qPrintable(error));
            url = testenv::postgresUrl();
        }
        sd::store::Database db(*sd::store::DatabaseUrl::parse(url));
        QVERIFY(db.migrate());
        constexpr int kMessages = 40;
        QStringList queued;
        for (int i = 0; i < kMessages; ++i) {
            // One transaction each, as separate requests queue them.
            auto tx = sd::store::Transaction::begin(db);
            QVERIFY(tx);
            sd::mail::Message m;
            m.messageId = u"m%1@test"_s.arg(i);
            m.from = u"SignupDesk <noreply@localhost>"_s;
            m.to = u"same@example.com"_s;
            m.subject = u"hello"_s;
            m.textBody = u"text"_s;
            m.htmlBody = u"<p>html</p>"_s;
            m.date = QDateTime::currentDateTimeUtc();
            auto id = sd::mail::Outbox::enqueue(tx->db(), u"test"_s, {}, m, 5000);
            QVERIFY(id);
            queued.append(*id);
            QVERIFY(tx->commit());
        }
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        sd::mail::OutboxPolicy policy;
        policy.batchSize = kMessages;
        sd::mail::OutboxSender sender(db, std::make_shared<sd::mail::SmtpMailer>(sink.url()),
                                      policy, [] { return qint64(5000); });
        QStringList sentOrder;
        connect(&sender, &sd::mail::OutboxSender::messageSent, this,
                [&](const QString &id) { sentOrder.append(id); });
        // The batch is claimed by one statement (one commit, not one per message).
        int claims = 0;
        const sd::store::detail::StatementObserver observer = [&](const QString &sql,
                                                                  const QVariantList &) {
            claims += sql.startsWith(u"UPDATE outbox SET status = 'processing'"_s) ? 1 : 0;
        };
        sd::store::detail::setStatementObserver(&observer);
        const int sent = sender.drainOnce();
        sd::store::detail::setStatementObserver(nullptr);
        QCOMPARE(sent, kMessages);
        QCOMPARE(sentOrder, queued);
        QCOMPARE(claims, 1);
    }
};

QTEST_GUILESS_MAIN(TestOutboxClaims)
#include "tst_outboxclaims.moc"
