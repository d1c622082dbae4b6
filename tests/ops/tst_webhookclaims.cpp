// Several webhook senders (one per instance, in effect) draining one table of deliveries at
// once deliver every event exactly once, over real HTTP to a receiver on loopback: on SQLite
// with a guarded UPDATE per row, on PostgreSQL with one UPDATE … FOR UPDATE SKIP LOCKED claim
// (issue 15, like tests/mail/tst_outboxclaims for the mail outbox). And a sender that died
// holding a row gives it back when its lease ends, not before.
#include "testenv.h"
#include "webhookreceiver.h"

#include "coreservices.h"
#include "database.h"
#include "sqlquery.h"
#include "transaction.h"
#include "webhooks/webhooks.h"
#include "webhooksender.h"

#include <QHash>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <latch>

using namespace Qt::StringLiterals;

namespace {

#ifdef SD_TEST_BACKEND_PG
constexpr bool kPostgres = true;
#else
constexpr bool kPostgres = false;
#endif

const QByteArray kKey = QByteArray("0123456789abcdef0123456789abcdef");

struct Fixture
{
    QTemporaryDir dir;
    sd::core::Config config;
    sd::core::FakeClock clock;
    std::unique_ptr<sd::store::Database> database;
    std::unique_ptr<sd::core::CoreServices> core;

    bool open(const QString &receiverUrl, QString *error)
    {
        sd::core::ConfigSources sources;
        sources.defaultDataDir = dir.path();
        config = *sd::core::loadConfig(sources);
        config.webhookUrls = {receiverUrl};
        config.webhookSecret = u"whsec_"_s + QString::fromLatin1(kKey.toBase64());
        config.databaseUrl = u"sqlite:"_s + dir.filePath(u"w.db"_s);
        if (kPostgres) {
            if (!testenv::resetPostgres(error))
                return false;
            config.databaseUrl = testenv::postgresUrl();
        }
        database = std::make_unique<sd::store::Database>(
            *sd::store::DatabaseUrl::parse(config.databaseUrl));
        auto made = sd::core::CoreServices::create(config, *database, clock);
        if (!made) {
            *error = made.error().detail;
            return false;
        }
        core = std::move(*made);
        return true;
    }

    // `count` events in one transaction, as a flow queues them.
    bool queue(int count)
    {
        auto tx = sd::store::Transaction::begin(*database);
        if (!tx)
            return false;
        for (int i = 0; i < count; ++i)
            if (!sd::core::queueWebhookEvent(core->context(), tx->db(), u"user.registered",
                                             QJsonObject{{u"n"_s, i}}))
                return false;
        return bool(tx->commit());
    }
};

} // namespace

class TestWebhookClaims : public QObject
{
    Q_OBJECT

private slots:
    void sendersUnderContentionDeliverEachOnce()
    {
        WebhookReceiver receiver(kKey);
        Fixture f;
        QString error;
        QVERIFY2(f.open(receiver.url(), &error), qPrintable(error));
        constexpr int kEvents = 120, kSenders = 3;
        QVERIFY(f.queue(kEvents));

        sd::core::WebhookPolicy policy;
        policy.batchSize = 5; // many small rounds: the senders meet often
        std::atomic<int> delivered = 0;
        std::latch start(kSenders);
        std::vector<std::unique_ptr<QThread>> threads;
        for (int s = 0; s < kSenders; ++s) {
            threads.emplace_back(QThread::create([&] {
                // Each sender has its own Database (its own connections) and its own core, as
                // an instance has.
                sd::store::Database own(f.database->url());
                auto core = sd::core::CoreServices::create(f.config, own, f.clock);
                if (!core) {
                    start.count_down();
                    return;
                }
                sd::http::WebhookSender sender(**core, kKey, policy, 5000);
                sender.start();
                start.arrive_and_wait();
                for (int round = 0; round < 200; ++round) {
                    const int n = sender.drainOnce();
                    delivered += n;
                    if (n == 0 && round > 3)
                        break;
                }
            }));
            threads.back()->start();
        }
        for (auto &t : threads)
            QVERIFY(t->wait(120000));

        QCOMPARE(delivered.load(), kEvents);
        const auto received = receiver.received();
        QCOMPARE(received.size(), kEvents);
        QHash<QByteArray, int> seen;
        for (const auto &r : received) {
            QVERIFY(r.signatureValid);
            ++seen[r.headers.value("webhook-id")];
        }
        QCOMPARE(seen.size(), kEvents);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, it.key().constData());
        auto list = f.core->webhooks().list();
        QVERIFY(list);
        QCOMPARE(list->size(), kEvents);
        for (const auto &d : *list) {
            QCOMPARE(d.status, u"delivered"_s);
            QCOMPARE(d.attempts, 1);
        }
    }

    // A claim holds its rows for the lease: another sender skips them until it ends, then
    // takes them over (the first sender died, say).
    void leaseHoldsThenExpires()
    {
        WebhookReceiver receiver(kKey);
        Fixture f;
        QString error;
        QVERIFY2(f.open(receiver.url(), &error), qPrintable(error));
        QVERIFY(f.queue(3));
        sd::core::WebhookPolicy policy;
        policy.leaseMs = 60'000;
        // The three are claimed by one statement (one commit, not one per delivery).
        int claims = 0;
        const sd::store::detail::StatementObserver observer = [&](const QString &sql,
                                                                  const QVariantList &) {
            claims += sql.startsWith(u"UPDATE webhook_deliveries SET status = 'processing'"_s);
        };
        sd::store::detail::setStatementObserver(&observer);
        auto first = f.core->webhooks().claimDue(u"dead-sender"_s, policy);
        sd::store::detail::setStatementObserver(nullptr);
        QVERIFY(first);
        QCOMPARE(first->size(), 3);
        QCOMPARE(claims, 1);
        for (const auto &d : *first)
            QCOMPARE(d.status, u"processing"_s);
        auto none = f.core->webhooks().claimDue(u"other"_s, policy);
        QVERIFY(none);
        QCOMPARE(none->size(), 0);
        f.clock.advanceMs(60'001);
        auto again = f.core->webhooks().claimDue(u"other"_s, policy);
        QVERIFY(again);
        QCOMPARE(again->size(), 3);
        // The dead sender's late answer changes nothing: the row is the new owner's now.
        QVERIFY(f.core->webhooks().finish(first->first(), u"dead-sender"_s, policy, 204, {}));
        auto list = f.core->webhooks().list();
        QVERIFY(list);
        for (const auto &d : *list)
            QCOMPARE(d.status, u"processing"_s);
        // In due order, whatever order the claim statement returned them in.
        for (qsizetype i = 1; i < again->size(); ++i)
            QVERIFY(again->at(i - 1).nextAttemptAt <= again->at(i).nextAttemptAt);
    }
};

QTEST_GUILESS_MAIN(TestWebhookClaims)
#include "tst_webhookclaims.moc"
