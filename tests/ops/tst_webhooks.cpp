// Issue 15 item 1 (webhooks), over real HTTP on loopback with a receiver that checks the
// Standard Webhooks signature: each event of the signup flows is delivered, signed, with the
// same webhook-id on every attempt; a 500 is retried with backoff until dead; a redirect is
// not followed; a silent receiver times out; start-up refuses URLs without a valid secret; a
// delivery survives kill -9 of the real program between commit and send; and two instances on
// PostgreSQL deliver each event exactly once. Built twice, on SQLite and on PostgreSQL.

#include "apiflows.h"
#include "httpclient.h"
#include "mailtext.h"
#include "testbackend.h"
#include "testserver.h"
#include "webhookreceiver.h"

#include "webhooks/webhooks.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QByteArray kKey = QByteArray("0123456789abcdef0123456789abcdef");
const QString kSecret = u"whsec_"_s + QString::fromLatin1(kKey.toBase64());

QJsonObject signupBody(const QString &name)
{
    return {{u"username"_s, name},
            {u"password"_s, u"a long enough passphrase 42"_s},
            {u"email"_s, QString(name + u"@example.com"_s)}};
}

QJsonObject bodyOf(const WebhookReceiver::Received &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

// The data of every delivery of `type` the receiver got, signature checked.
QList<QJsonObject> dataOf(const WebhookReceiver &receiver, const QString &type)
{
    QList<QJsonObject> out;
    for (const auto &r : receiver.received())
        if (bodyOf(r).value(u"type"_s).toString() == type && r.signatureValid)
            out << bodyOf(r).value(u"data"_s).toObject();
    return out;
}

QStringList typesOf(const QList<WebhookReceiver::Received> &all)
{
    QStringList out;
    for (const auto &r : all)
        out << bodyOf(r).value(u"type"_s).toString();
    return out;
}

} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> start(WebhookReceiver &receiver,
                                      std::function<void(sd::core::Config &)> more = {})
    {
        auto server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.adminApiEnabled = true;
            c.webhookUrls = {receiver.url()};
            c.webhookSecret = kSecret;
            c.webhookRetrySeconds = 1;
            c.webhookMaxAttempts = 3;
            c.webhookTimeoutSeconds = 1;
            if (more)
                more(c);
        });
        QString error;
        if (!server->start(&error))
            qWarning("start: %s", qPrintable(error));
        return server;
    }
    void wake(TestServer &server)
    {
        QMetaObject::invokeMethod(server.app().webhookSender(), "wake", Qt::QueuedConnection);
    }
    sd::core::WebhookDelivery onlyDelivery(TestServer &server)
    {
        auto list = server.app().core().webhooks().list();
        return list && list->size() == 1 ? list->first() : sd::core::WebhookDelivery{};
    }

private slots:
    void eventsOfTheSignupFlowsAreDeliveredSigned()
    {
        WebhookReceiver receiver(kKey);
        auto server = start(receiver, [](sd::core::Config &c) { c.approvalRequired = false; });
        QVERIFY(server->port());
        const HttpResult r = postJson(server->port(), "/api/v1/signup", signupBody(u"hooked"_s));
        QCOMPARE(r.status, 201);
        QTRY_COMPARE(receiver.received().size(), 1);
        const auto first = receiver.received().first();
        QVERIFY(first.signatureValid);
        QCOMPARE(first.path, u"/hook"_s);
        QVERIFY(first.headers.value("webhook-id").startsWith("msg_"));
        QVERIFY(first.headers.value("webhook-signature").startsWith("v1,"));
        QCOMPARE(first.headers.value("content-type"), "application/json");
        const QJsonObject event = bodyOf(first);
        QCOMPARE(event.value(u"type"_s).toString(), u"user.registered"_s);
        QVERIFY(event.value(u"timestamp"_s).toString().endsWith(u'Z'));
        const QJsonObject user = event.value(u"data"_s).toObject();
        QCOMPARE(user.value(u"username"_s).toString(), u"hooked"_s);
        QCOMPARE(user.value(u"status"_s).toString(), u"pending_verification"_s);
        QCOMPARE(user.value(u"user_id"_s).toString(), r.json().value(u"user_id"_s).toString());

        // Confirming verifies the email and, without approval, activates: two events.
        QCOMPARE(postJson(server->port(), "/api/v1/signup/confirm",
                          {{u"confirm_token"_s, r.json().value(u"confirm_token"_s)}})
                     .status,
                 200);
        QTRY_COMPARE(
            typesOf(receiver.received()),
            QStringList({u"user.registered"_s, u"user.email_verified"_s, u"user.activated"_s}));
        for (const auto &each : receiver.received())
            QVERIFY(each.signatureValid);
        QCOMPARE(bodyOf(receiver.received().last())[u"data"_s][u"status"_s].toString(),
                 u"active"_s);
        auto list = server->app().core().webhooks().list();
        QVERIFY(list);
        for (const auto &d : *list)
            QCOMPARE(d.status, u"delivered"_s);
    }

    void approvalAndRejection()
    {
        WebhookReceiver receiver(kKey);
        auto server = start(receiver);
        const auto a = postJson(server->port(), "/api/v1/signup", signupBody(u"approveme"_s));
        const auto b = postJson(server->port(), "/api/v1/signup", signupBody(u"rejectme"_s));
        QCOMPARE(postJson(server->port(), "/api/v1/signup/confirm",
                          {{u"confirm_token"_s, a.json().value(u"confirm_token"_s)}})
                     .status,
                 200);
        auto &core = server->app().core();
        QVERIFY(core.approval().approve(a.json().value(u"user_id"_s).toString(), {u"test"_s}));
        QVERIFY(core.approval().reject(b.json().value(u"user_id"_s).toString(), u"spam"_s,
                                       {u"test"_s}));
        QTRY_COMPARE(receiver.received().size(), 5);
        const QStringList types = typesOf(receiver.received());
        QCOMPARE(types.count(u"user.registered"_s), 2);
        QVERIFY(types.contains(u"user.email_verified"_s));
        QVERIFY(types.contains(u"user.activated"_s));
        const auto rejected =
            std::find_if(receiver.received().cbegin(), receiver.received().cend(),
                         [](const auto &r) { return bodyOf(r)[u"type"_s] == u"user.rejected"_s; });
        QVERIFY(rejected != receiver.received().cend());
        const QJsonObject data = bodyOf(*rejected)[u"data"_s].toObject();
        QCOMPARE(data.value(u"username"_s).toString(), u"rejectme"_s);
        QCOMPARE(data.value(u"reason"_s).toString(), u"spam"_s);
    }

    // The account events after signup (API.md "Webhooks": every row of the table), each from
    // its own request over HTTP, with the data the table lists.
    void accountEventsAfterSignup()
    {
        WebhookReceiver receiver(kKey);
        auto server = start(receiver, [](sd::core::Config &c) { c.approvalRequired = false; });
        QVERIFY(server->port());
        const quint16 port = server->port();
        auto &core = server->app().core();
        QVERIFY(core.signup().createSuperuser(u"boss"_s, u"boss@example.com"_s,
                                              testflows::kPassword, {u"test"_s}));
        const QString admin = testflows::loginToken(port, u"boss"_s);
        QVERIFY(!admin.isEmpty());
        const auto mailTo = [&](const QString &address) {
            core.waitForAfterAnswer();
            server->flushMail();
            return decodeMail(server->lastMailTo(address));
        };
        const auto codeIn = [](const QString &mail) {
            return QRegularExpression(u"code: (\\d{6})"_s).match(mail).captured(1);
        };
        const QSet<QString> summaryKeys{u"user_id"_s, u"username"_s, u"email"_s};
        const auto keysOf = [](const QJsonObject &o) {
            const QStringList keys = o.keys();
            return QSet<QString>(keys.cbegin(), keys.cend());
        };

        // user.password_changed: the signed-in user's change, then a reset by code.
        const QString annaId = testflows::confirmedUser(port, u"anna"_s);
        QVERIFY(!annaId.isEmpty());
        QString anna = testflows::loginToken(port, u"anna"_s);
        const QString second = u"another long passphrase 43"_s;
        QCOMPARE(
            postJson(port, "/api/v1/user/password",
                     {{u"current_password"_s, testflows::kPassword}, {u"new_password"_s, second}},
                     anna)
                .status,
            204);
        QTRY_COMPARE(dataOf(receiver, u"user.password_changed"_s).size(), 1);
        QCOMPARE(
            postJson(port, "/api/v1/password/forgot", {{u"email"_s, u"anna@example.com"_s}}).status,
            202);
        const QString resetCode = codeIn(mailTo(u"anna@example.com"_s));
        QVERIFY(!resetCode.isEmpty());
        QCOMPARE(postJson(port, "/api/v1/password/reset",
                          {{u"email"_s, u"anna@example.com"_s},
                           {u"code"_s, resetCode},
                           {u"new_password"_s, testflows::kPassword}})
                     .status,
                 200);
        QTRY_COMPARE(dataOf(receiver, u"user.password_changed"_s).size(), 2);
        for (const QJsonObject &data : dataOf(receiver, u"user.password_changed"_s)) {
            QCOMPARE(data.value(u"user_id"_s).toString(), annaId);
            QCOMPARE(data.value(u"status"_s).toString(), u"active"_s); // the user object
            QVERIFY(!data.contains(u"password_hash"_s));
        }

        // user.email_changed: the user object with the new, verified address.
        anna = testflows::loginToken(port, u"anna"_s);
        QCOMPARE(postJson(port, "/api/v1/user/email",
                          {{u"new_email"_s, u"anna@new.example"_s},
                           {u"current_password"_s, testflows::kPassword}},
                          anna)
                     .status,
                 202);
        const QString changeCode = codeIn(mailTo(u"anna@new.example"_s));
        QVERIFY(!changeCode.isEmpty());
        QCOMPARE(
            postJson(port, "/api/v1/email-change/confirm", {{u"code"_s, changeCode}}, anna).status,
            200);
        QTRY_COMPARE(dataOf(receiver, u"user.email_changed"_s).size(), 1);
        const QJsonObject changed = dataOf(receiver, u"user.email_changed"_s).first();
        QCOMPARE(changed.value(u"user_id"_s).toString(), annaId);
        QCOMPARE(changed.value(u"email"_s).toString(), u"anna@new.example"_s);
        QCOMPARE(changed.value(u"verified_email"_s).toBool(), true);

        // user.disabled (id, username, email only), then user.activated when enabled again.
        const QByteArray adminPath = "/api/v1/admin/users/" + annaId.toLatin1();
        QCOMPARE(postJson(port, adminPath + "/disable", {{u"reason"_s, u"abuse"_s}}, admin).status,
                 204);
        QTRY_COMPARE(dataOf(receiver, u"user.disabled"_s).size(), 1);
        const QJsonObject disabled = dataOf(receiver, u"user.disabled"_s).first();
        QCOMPARE(keysOf(disabled), summaryKeys);
        QCOMPARE(disabled.value(u"user_id"_s).toString(), annaId);
        QCOMPARE(disabled.value(u"email"_s).toString(), u"anna@new.example"_s);
        const int activatedBefore = dataOf(receiver, u"user.activated"_s).size();
        QCOMPARE(postJson(port, adminPath + "/enable", {}, admin).status, 204);
        QTRY_COMPARE(dataOf(receiver, u"user.activated"_s).size(), activatedBefore + 1);
        const QJsonObject enabled = dataOf(receiver, u"user.activated"_s).last();
        QCOMPARE(enabled.value(u"user_id"_s).toString(), annaId);
        QCOMPARE(enabled.value(u"status"_s).toString(), u"active"_s);
        // A refused change sends nothing: enabling an active account is a 409.
        QCOMPARE(postJson(port, adminPath + "/enable", {}, admin).status, 409);

        // user.deleted, by the admin and by the user.
        QCOMPARE(postJson(port, adminPath + "/delete", {{u"reason"_s, u"asked by mail"_s}}, admin)
                     .status,
                 204);
        const QString bobId = testflows::confirmedUser(port, u"bob"_s);
        QCOMPARE(postJson(port, "/api/v1/user/delete",
                          {{u"current_password"_s, testflows::kPassword}},
                          testflows::loginToken(port, u"bob"_s))
                     .status,
                 204);
        QTRY_COMPARE(dataOf(receiver, u"user.deleted"_s).size(), 2);
        QStringList deletedIds;
        for (const QJsonObject &data : dataOf(receiver, u"user.deleted"_s)) {
            QCOMPARE(keysOf(data), summaryKeys);
            deletedIds << data.value(u"user_id"_s).toString();
        }
        deletedIds.sort();
        QStringList expected{annaId, bobId};
        expected.sort();
        QCOMPARE(deletedIds, expected);

        // An invitation's signup: made (user.registered) and active (user.activated) at once.
        QCOMPARE(postJson(port, "/api/v1/admin/invitations", {{u"email"_s, u"cleo@example.com"_s}},
                          admin)
                     .status,
                 201);
        const QString invite = QRegularExpression(u"/accept-invite\\?token=([A-Za-z0-9_-]+)"_s)
                                   .match(mailTo(u"cleo@example.com"_s))
                                   .captured(1);
        QVERIFY(!invite.isEmpty());
        const HttpResult cleo = postJson(port, "/api/v1/signup",
                                         {{u"invitation_token"_s, invite},
                                          {u"username"_s, u"cleo"_s},
                                          {u"password"_s, testflows::kPassword}});
        QCOMPARE(cleo.status, 201);
        const QString cleoId = cleo.json().value(u"user_id"_s).toString();
        const auto about = [&](const QString &type) {
            QList<QJsonObject> out;
            for (const QJsonObject &data : dataOf(receiver, type))
                if (data.value(u"user_id"_s).toString() == cleoId)
                    out << data;
            return out;
        };
        QTRY_COMPARE(about(u"user.registered"_s).size(), 1);
        QTRY_COMPARE(about(u"user.activated"_s).size(), 1);
        QCOMPARE(about(u"user.activated"_s).first().value(u"status"_s).toString(), u"active"_s);

        // The console's "mark verified": user.email_verified (and, without approval, activated).
        const auto dora = testflows::signUp(port, u"dora"_s, u"dora@example.com"_s);
        QVERIFY(core.signupAdmin().markVerified(dora.userId, u"phoned"_s, {u"test"_s}));
        QTRY_COMPARE(dataOf(receiver, u"user.email_verified"_s).size(), 3); // anna, bob, dora
        QCOMPARE(dataOf(receiver, u"user.email_verified"_s).last().value(u"user_id"_s).toString(),
                 dora.userId);

        for (const auto &r : receiver.received())
            QVERIFY(r.signatureValid);
        QTRY_VERIFY([&] {
            auto list = core.webhooks().list();
            return list && std::ranges::all_of(
                               *list, [](const auto &d) { return d.status == u"delivered"_s; });
        }());
    }

    void failuresAreRetriedThenDead()
    {
        WebhookReceiver receiver(kKey);
        receiver.setMode(WebhookReceiver::Mode::Fail500);
        auto server = start(receiver);
        QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(u"failing"_s)).status, 201);
        QTRY_COMPARE(receiver.received().size(), 1);
        QTRY_COMPARE(onlyDelivery(*server).attempts, 1);
        QCOMPARE(onlyDelivery(*server).status, u"queued"_s);
        QCOMPARE(onlyDelivery(*server).lastStatus, 500);
        // Not due before its backoff (1 s ± 25 %), due after.
        wake(*server);
        QTest::qWait(200);
        QCOMPARE(receiver.received().size(), 1);
        server->clock().advanceMs(1300);
        wake(*server);
        QTRY_COMPARE(receiver.received().size(), 2);
        server->clock().advanceMs(2600); // doubled
        wake(*server);
        QTRY_COMPARE(receiver.received().size(), 3);
        QTRY_COMPARE(onlyDelivery(*server).status, u"dead"_s);
        QCOMPARE(onlyDelivery(*server).attempts, 3);
        server->clock().advanceMs(3'600'000);
        wake(*server);
        QTest::qWait(300);
        QCOMPARE(receiver.received().size(), 3); // dead stays dead
        const QByteArray id = receiver.received().first().headers.value("webhook-id");
        for (const auto &r : receiver.received())
            QCOMPARE(r.headers.value("webhook-id"), id);
        // The console's retry makes it due again.
        receiver.setMode(WebhookReceiver::Mode::Ok);
        QVERIFY(*server->app().core().webhooks().retry(onlyDelivery(*server).id));
        wake(*server);
        QTRY_COMPARE(onlyDelivery(*server).status, u"delivered"_s);
        QCOMPARE(receiver.received().last().headers.value("webhook-id"), id);
    }

    void redirectsAreNotFollowed()
    {
        WebhookReceiver receiver(kKey);
        receiver.setMode(WebhookReceiver::Mode::Redirect);
        auto server = start(receiver);
        QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(u"redirected"_s)).status,
                 201);
        QTRY_COMPARE(onlyDelivery(*server).attempts, 1);
        QCOMPARE(onlyDelivery(*server).lastStatus, 302);
        QCOMPARE(onlyDelivery(*server).status, u"queued"_s);
        QTest::qWait(300);
        QCOMPARE(receiver.received().size(), 1);
        QCOMPARE(receiver.received().first().path, u"/hook"_s); // never /elsewhere
    }

    void silentReceiverTimesOut()
    {
        WebhookReceiver receiver(kKey);
        receiver.setMode(WebhookReceiver::Mode::Hang);
        auto server = start(receiver); // webhooks/timeout_seconds = 1
        QCOMPARE(postJson(server->port(), "/api/v1/signup", signupBody(u"silent"_s)).status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(onlyDelivery(*server).attempts, 1, 10000);
        QCOMPARE(onlyDelivery(*server).lastStatus, 0);
        QCOMPARE(onlyDelivery(*server).lastError, u"no answer within 1000 ms"_s);
        QCOMPARE(onlyDelivery(*server).status, u"queued"_s);
    }

    void startupRefusesUrlsWithoutAValidSecret()
    {
        const auto load = [](const QHash<QString, QString> &overrides) {
            sd::core::ConfigSources sources;
            sources.overrides = overrides;
            sources.defaultDataDir = u"/tmp/unused"_s;
            return sd::core::loadConfig(sources);
        };
        const QString url = u"http://127.0.0.1:9/hook"_s;
        QVERIFY(!load({{u"webhooks/urls"_s, url}}));
        QVERIFY(!load({{u"webhooks/urls"_s, url}, {u"webhooks/secret"_s, u"not-whsec"_s}}));
        QVERIFY(!load({{u"webhooks/urls"_s, url}, {u"webhooks/secret"_s, u"whsec_c2hvcnQ="_s}}));
        QVERIFY(!load({{u"webhooks/urls"_s, u"ftp://x/y"_s}, {u"webhooks/secret"_s, kSecret}}));
        QVERIFY(!load({{u"webhooks/urls"_s, url},
                       {u"webhooks/secret"_s, kSecret},
                       {u"webhooks/events"_s, u"user.nonsense"_s}}));
        QVERIFY(load({{u"webhooks/urls"_s, url}, {u"webhooks/secret"_s, kSecret}}));
        QVERIFY(load({})); // no URLs, no secret needed
        // The real program says why and exits non-zero.
        QProcess program;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"SIGNUPDESK_WEBHOOKS_URLS"_s, url);
        program.setProcessEnvironment(env);
        program.start(qEnvironmentVariable("SD_SIGNUPDESK_BIN"),
                      {u"--headless"_s, u"--port"_s, u"0"_s});
        QVERIFY(program.waitForFinished(30000));
        QVERIFY(program.exitCode() != 0);
        QVERIFY2(program.readAllStandardError().contains("webhooks/secret"), "no reason given");
    }

#ifndef SD_TEST_BACKEND_PG
    // kill -9 after the signup committed and before the delivery got an answer: the next
    // start delivers it (at least once). The real program, on SQLite.
    void survivesKill9BetweenCommitAndSend()
    {
        WebhookReceiver receiver(kKey);
        receiver.setMode(WebhookReceiver::Mode::Hang); // the first attempt never ends
        QTemporaryDir dir;
        const QString ini = dir.filePath(u"signupdesk.ini"_s);
        QFile file(ini);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            u"[server]\nport=0\n[database]\nurl=sqlite:%1/data/db.sqlite\n[mail]\nfolder=%1/mail\n"
            "[signup]\nreturn_confirm_token=true\n[password]\nmemory_kib=64\niterations=1\n"
            "[webhooks]\nurls=%2\nsecret=%3\ntimeout_seconds=1\nretry_seconds=1\n"_s
                .arg(dir.path(), receiver.url(), kSecret)
                .toUtf8());
        file.close();
        const auto run = [&](QProcess &p) {
            p.start(qEnvironmentVariable("SD_SIGNUPDESK_BIN"),
                    {u"--config"_s, ini, u"--headless"_s});
            QVERIFY(p.waitForReadyRead(30000));
        };
        QProcess first;
        run(first);
        const quint16 port =
            quint16(QString::fromLatin1(first.readLine()).trimmed().section(u':', -1).toUInt());
        QCOMPARE(postJson(port, "/api/v1/signup", signupBody(u"survivor"_s)).status, 201);
        QTRY_COMPARE(receiver.received().size(), 1); // committed, and in flight
        first.kill();                                // SIGKILL
        QVERIFY(first.waitForFinished(10000));

        receiver.setMode(WebhookReceiver::Mode::Ok);
        QProcess second;
        run(second);
        // The dead sender's lease (timeout × 2 + 5 s) ends, then the row is sent again.
        QTRY_COMPARE_WITH_TIMEOUT(receiver.received().size(), 2, 30000);
        const auto again = receiver.received().last();
        QVERIFY(again.signatureValid);
        QCOMPARE(again.headers.value("webhook-id"),
                 receiver.received().first().headers.value("webhook-id"));
        QCOMPARE(bodyOf(again)[u"type"_s].toString(), u"user.registered"_s);
        second.terminate();
        QVERIFY(second.waitForFinished(10000));
    }
#endif

#ifdef SD_TEST_BACKEND_PG
    // Two instances sharing one PostgreSQL database: each event reaches a healthy receiver
    // exactly once.
    void twoInstancesDeliverEachEventOnce()
    {
        WebhookReceiver receiver(kKey);
        auto a = start(receiver);
        TestServer b(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.webhookUrls = {receiver.url()};
            c.webhookSecret = kSecret;
        });
        QVERIFY(b.app().start()); // the same database, not reset again
        constexpr int kSignups = 20;
        for (int i = 0; i < kSignups; ++i) {
            const quint16 port = i % 2 ? a->port() : b.port();
            QCOMPARE(postJson(port, "/api/v1/signup", signupBody(u"twin%1"_s.arg(i))).status, 201);
        }
        QTRY_COMPARE_WITH_TIMEOUT(receiver.received().size(), kSignups, 20000);
        QTest::qWait(2500); // both senders polled again meanwhile
        QSet<QByteArray> ids;
        for (const auto &r : receiver.received())
            ids.insert(r.headers.value("webhook-id"));
        QCOMPARE(receiver.received().size(), kSignups);
        QCOMPARE(ids.size(), kSignups);
    }
#endif
};

QTEST_GUILESS_MAIN(TestWebhooks)
#include "tst_webhooks.moc"
