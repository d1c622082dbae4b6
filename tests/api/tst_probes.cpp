// Issue 18 (an outside attacker's probe), items 1, 4 and 5, over real HTTP on loopback against
// an in-process server with a fake clock; built twice, on SQLite and on PostgreSQL:
//   1. a signup with a registered email holds the requested username exactly as a new signup
//      does, so "username: taken" on a second try tells nothing about the address;
//   4. every mail a stranger can trigger to an address (verification, "already registered"
//      notice, resend, email-link) comes out of one budget per address;
//   5. resend and email-link answer before any account-specific work.
// The timing side of item 5 is measured in tests/bench/bench_enum.py.

#include "httpclient.h"
#include "testbackend.h"
#include "testenv.h"
#include "testserver.h"

#include "accounts/accountstore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

#include <latch>
#include <thread>

#include "apiflows.h"

using namespace Qt::StringLiterals;

namespace {

using testflows::kPassword;
using testflows::signupBody;
const QString kProbePassword = u"an attacker's own passphrase"_s; // not the owners'

// A body with its random parts masked, for byte-by-byte comparisons.
QByteArray masked(const HttpResult &r)
{
    static const QRegularExpression ids(u"(usr|cid)_[A-Za-z0-9_-]{22}"_s);
    static const QRegularExpression token(u"\"confirm_token\":\"[A-Za-z0-9_-]+\""_s);
    QString s = QString::fromUtf8(r.body);
    s.replace(ids, u"\\1_*"_s).replace(token, u"\"confirm_token\":\"*\""_s);
    return QByteArray::number(r.status) + ' ' + s.toUtf8();
}

QByteArray randomIPv4()
{
    auto *rng = QRandomGenerator::global();
    return "198.51." + QByteArray::number(rng->bounded(256)) + '.' +
           QByteArray::number(rng->bounded(1, 255));
}

} // namespace

class TestProbes : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;

    void startServer(std::function<void(sd::core::Config &)> configure = {})
    {
        m_server = std::make_unique<TestServer>(kBackend, [&](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.adminApiEnabled = true;
            if (configure)
                configure(c);
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
    }
    // Every limit on; client addresses come from X-Forwarded-For, so a test can rotate them.
    void startLimitedServer(std::function<void(sd::core::Config &)> configure = {})
    {
        startServer([&](sd::core::Config &c) {
            c.rateLimitEnabled = true;
            c.requestsPerAddressPerMinute = 1000;
            c.trustedProxies = {u"127.0.0.0/8"_s};
            c.approvalRequired = false;
            if (configure)
                configure(c);
        });
    }
    quint16 port() const { return m_server->port(); }
    sd::core::FakeClock &clock() { return m_server->clock(); }

    HttpResult post(const QByteArray &path, const QJsonObject &body, const QByteArray &from = {})
    {
        HeaderList headers{{"Content-Type", "application/json"}};
        if (!from.isEmpty())
            headers.append({"X-Forwarded-For", from});
        return httpRequest(port(), "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                           headers);
    }
    HttpResult signUp(const QString &username, const QString &email, const QByteArray &from = {},
                      const QString &password = kPassword)
    {
        return post("/api/v1/signup", signupBody(username, email, password), from);
    }
    HttpResult login(const QString &identifier, const QString &password = kPassword)
    {
        return post("/api/v1/login", {{u"username"_s, identifier}, {u"password"_s, password}});
    }
    // Signs up and confirms with the confirm token: active (or pending approval).
    QString confirmedUser(const QString &username)
    {
        return testflows::confirmedUser(port(), username);
    }
    QString superuserToken()
    {
        auto admin = m_server->app().core().signup().createSuperuser(
            u"boss"_s, u"boss@example.com"_s, kPassword, {u"test"_s});
        if (!admin)
            qWarning("createSuperuser: %s", qPrintable(admin.error().detail));
        return login(u"boss"_s).json().value(u"ust"_s).toString();
    }
    int count(const QString &sql)
    {
        m_server->app().core().waitForAfterAnswer();
        auto db = m_server->app().database().connection();
        QSqlQuery q(*db);
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }
    int mailsTo(const QString &address)
    {
        return count(u"SELECT count(*) FROM outbox WHERE lower(recipient) LIKE '%%1%'"_s.arg(
            address.toLower()));
    }

private slots:
    void cleanup() { m_server.reset(); }

    // --- item 1: the username is held alike -------------------------------------------------

    void usernameHeldAlikeForKnownAndNewAddress_data()
    {
        QTest::addColumn<bool>("approvalRequired");
        QTest::addColumn<QString>("target");
        for (bool approval : {true, false}) {
            const char *a = approval ? "approval" : "no approval";
            QTest::addRow("%s, super-user, other case", a) << approval << u"BOSS@Example.COM"_s;
            QTest::addRow("%s, confirmed user", a) << approval << u"gina@example.com"_s;
            QTest::addRow("%s, pending user", a) << approval << u"Hank@Example.com"_s;
        }
    }
    void usernameHeldAlikeForKnownAndNewAddress()
    {
        QFETCH(bool, approvalRequired);
        QFETCH(QString, target);
        startServer([&](sd::core::Config &c) { c.approvalRequired = approvalRequired; });
        superuserToken();
        confirmedUser(u"gina"_s);
        QCOMPARE(signUp(u"hank"_s, u"hank@example.com"_s).status, 201);

        // The attacker's two steps, once with the target and once with a never-seen address.
        const HttpResult knownFirst = signUp(u"probe1"_s, target, {}, kProbePassword);
        const HttpResult newFirst =
            signUp(u"probe2"_s, u"never-seen@example.com"_s, {}, kProbePassword);
        QCOMPARE(masked(knownFirst), masked(newFirst));
        QCOMPARE(knownFirst.status, 201);
        const HttpResult knownSecond = signUp(u"probe1"_s, u"fresh1@example.com"_s);
        const HttpResult newSecond = signUp(u"probe2"_s, u"fresh2@example.com"_s);
        QCOMPARE(masked(knownSecond), masked(newSecond));
        QCOMPARE(knownSecond.status, 400);
        QCOMPARE(knownSecond.json()[u"error"_s][u"fields"_s].toObject().keys(),
                 QStringList{u"username"_s});
        // Any case of the username, like any other.
        QCOMPARE(masked(signUp(u"PROBE1"_s, u"fresh3@example.com"_s)),
                 masked(signUp(u"Probe2"_s, u"fresh4@example.com"_s)));
        // Login with the username and the attacker's password: a pending account both times.
        const HttpResult knownLogin = login(u"probe1"_s, kProbePassword);
        QCOMPARE(knownLogin.status, 403);
        QCOMPARE(masked(knownLogin), masked(login(u"probe2"_s, kProbePassword)));
        // Login with the address and the attacker's password: an unverified address is no
        // login identifier, so both answer invalid_credentials.
        const HttpResult knownByEmail = login(target, kProbePassword);
        QCOMPARE(knownByEmail.status, 401);
        QCOMPARE(masked(knownByEmail), masked(login(u"never-seen@example.com"_s, kProbePassword)));
        // Resend and email-link for the target answer as for anything else.
        QCOMPARE(masked(post("/api/v1/verify-email/resend", {{u"email"_s, target}})),
                 masked(post("/api/v1/verify-email/resend",
                             {{u"email"_s, u"never-seen@example.com"_s}})));

        // The owners are untouched: same status, the address is still theirs, one notice each.
        QCOMPARE(login(u"boss"_s).status, 200);
        QCOMPARE(login(u"BOSS@example.com"_s).status, 200);
        QCOMPARE(login(u"gina@example.com"_s).status, approvalRequired ? 403 : 200);
        QCOMPARE(count(u"SELECT count(*) FROM outbox WHERE kind = 'already_registered'"_s), 1);
        auto db = m_server->app().database().connection();
        const auto owner = *sd::core::accountstore::findByEmail(*db, target);
        QVERIFY(owner);
        QVERIFY(owner->username != u"probe1"_s);
    }

    void placeholderIsListedAndReleasedLikeAPendingSignup()
    {
        startServer();
        const QString ust = superuserToken();
        const HttpResult dup = signUp(u"squatter"_s, u"boss@example.com"_s);
        QCOMPARE(dup.status, 201);
        const QString id = dup.json().value(u"user_id"_s).toString();
        // Its confirm token redeems nothing: nobody can verify a placeholder.
        QCOMPARE(
            post("/api/v1/signup/confirm", {{u"confirm_token"_s, dup.json()[u"confirm_token"_s]}})
                .status,
            400);
        // The administrators see what happened: a pending signup with the submitted address.
        const HttpResult list = getJson(port(), "/api/v1/signup?status=pending_verification", ust);
        QCOMPARE(list.status, 200);
        const QJsonArray rows = QJsonDocument::fromJson(list.body).array();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0][u"user_id"_s].toString(), id);
        QCOMPARE(rows[0][u"username"_s].toString(), u"squatter"_s);
        QCOMPARE(rows[0][u"email"_s].toString(), u"boss@example.com"_s);
        // Rejecting it frees the username, as for any pending signup.
        QCOMPARE(post("/api/v1/signup/reject", {{u"user_id"_s, id}, {u"reason"_s, u"squatting"_s}})
                     .status,
                 401);
        QCOMPARE(
            httpRequest(
                port(), "POST", "/api/v1/signup/reject",
                QJsonDocument(QJsonObject{{u"user_id"_s, id}, {u"reason"_s, u"squatting"_s}})
                    .toJson(),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + ust.toUtf8()}})
                .status,
            204);
        QCOMPARE(signUp(u"squatter"_s, u"squatter@example.com"_s).status, 201);
        QCOMPARE(login(u"boss@example.com"_s).status, 200);
    }

    void racingSignupsForOneNewAddressBothAnswerLikeAKnownOne()
    {
        startServer();
        // Two signups with one new address at once: whichever loses the race for the address
        // must answer like a signup with a registered one, never fail.
        for (int round = 0; round < 10; ++round) {
            const QString email = u"race%1@example.com"_s.arg(round);
            HttpResult results[2];
            std::latch start(2);
            std::thread threads[2];
            for (int i = 0; i < 2; ++i)
                threads[i] = std::thread([&, i] {
                    start.arrive_and_wait();
                    results[i] = signUp(u"race%1x%2"_s.arg(round).arg(i), email);
                });
            for (auto &t : threads)
                t.join();
            QCOMPARE(results[0].status, 201);
            QCOMPARE(masked(results[0]), masked(results[1]));
        }
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE email_key LIKE 'race%'"_s), 10);
        QCOMPARE(count(u"SELECT count(*) FROM users WHERE email_key LIKE 'placeholder:%'"_s), 10);
    }

    // --- item 4: one mail budget per address ------------------------------------------------

    void duplicateSignupsShareTheMailBudget()
    {
        startLimitedServer();
        confirmedUser(u"vic"_s);
        clock().advanceSeconds(3600); // the signup's own mail is out of the way
        const int before = mailsTo(u"vic@example.com"_s);
        // Thirty signups with the victim's address from thirty client addresses.
        QByteArray first;
        for (int i = 0; i < 30; ++i) {
            const HttpResult r = signUp(u"flood%1"_s.arg(i), u"vic@example.com"_s, randomIPv4());
            QCOMPARE(r.status, 201);
            if (i == 0)
                first = masked(r).replace("flood0", "floodN");
            else // the same answer whether the budget allowed a mail or not
                QCOMPARE(masked(r).replace(u"flood%1"_s.arg(i).toUtf8(), "floodN"), first);
        }
        QCOMPARE(mailsTo(u"vic@example.com"_s) - before, 1);
        // Resend and email-link have cooldowns of their own but spend the same hourly cap:
        // over an hour, whatever the kinds, no more than the cap.
        const int perHour = m_server->config().resendPerHour;
        int lastResend = 0;
        for (int i = 0; i < 2 * perHour; ++i) {
            clock().advanceSeconds(m_server->config().resendCooldownSeconds);
            for (int j = 0; j < 3; ++j)
                QCOMPARE(signUp(u"later%1x%2"_s.arg(i).arg(j), u"vic@example.com"_s, randomIPv4())
                             .status,
                         201);
            QVERIFY(
                post("/api/v1/login/email-link", {{u"email"_s, u"VIC@example.com"_s}}, randomIPv4())
                    .status != 500);
            lastResend = post("/api/v1/verify-email/resend", {{u"email"_s, u"vic@example.com"_s}},
                              randomIPv4())
                             .status;
        }
        QCOMPARE(lastResend, 429); // the cap is spent
        QVERIFY(mailsTo(u"vic@example.com"_s) - before <= perHour);
    }

    void everyStrangerMailSharesOneBudget()
    {
        startLimitedServer();
        // A new signup's verification mail spends it: a duplicate signup right after waits
        // for the signup cooldown, while a resend (its own cooldown) still replaces the token.
        QCOMPARE(signUp(u"wendy"_s, u"wendy@example.com"_s).status, 201);
        QCOMPARE(mailsTo(u"wendy@example.com"_s), 1);
        QCOMPARE(signUp(u"wendy2"_s, u"Wendy@example.com"_s).status, 201);
        QCOMPARE(mailsTo(u"wendy@example.com"_s), 1);
        QCOMPARE(post("/api/v1/verify-email/resend", {{u"email"_s, u"wendy@example.com"_s}}).status,
                 202);
        QCOMPARE(mailsTo(u"wendy@example.com"_s), 2);
        const HttpResult resendKnown =
            post("/api/v1/verify-email/resend", {{u"email"_s, u"wendy@example.com"_s}});
        QCOMPARE(resendKnown.status, 429);
        // An unknown address spent the same way answers the same 429.
        QCOMPARE(post("/api/v1/verify-email/resend", {{u"email"_s, u"xena@example.com"_s}}).status,
                 202);
        const HttpResult resendUnknown =
            post("/api/v1/verify-email/resend", {{u"email"_s, u"xena@example.com"_s}});
        QCOMPARE(resendUnknown.body, resendKnown.body);
        QCOMPARE(resendUnknown.headers.value("retry-after"),
                 resendKnown.headers.value("retry-after"));
        // A signup with a fresh address whose hourly cap is spent still makes the account,
        // unmailed: the email-link and resends to it spent the cap.
        const int perHour = m_server->config().resendPerHour;
        QCOMPARE(post("/api/v1/login/email-link", {{u"email"_s, u"xena@example.com"_s}}).status,
                 202);
        for (int i = 2; i < perHour; ++i) {
            clock().advanceSeconds(m_server->config().resendCooldownSeconds);
            QCOMPARE(
                post("/api/v1/verify-email/resend", {{u"email"_s, u"xena@example.com"_s}}).status,
                202);
        }
        // The resends' look-ups run after their answers: let them find no account first.
        m_server->app().core().waitForAfterAnswer();
        const HttpResult spent = signUp(u"xena"_s, u"xena@example.com"_s);
        const HttpResult fresh = signUp(u"yuri"_s, u"yuri@example.com"_s);
        QCOMPARE(masked(spent).replace("xena", "NAME"), masked(fresh).replace("yuri", "NAME"));
        QCOMPARE(login(u"xena"_s).status, 403);
        QCOMPARE(mailsTo(u"xena@example.com"_s), 0);
        QCOMPARE(mailsTo(u"yuri@example.com"_s), 1);
        // After the hour a resend brings the mail.
        clock().advanceSeconds(3600);
        QCOMPARE(post("/api/v1/verify-email/resend", {{u"email"_s, u"xena@example.com"_s}}).status,
                 202);
        QCOMPARE(mailsTo(u"xena@example.com"_s), 1);
    }

    // --- item 5: answer before the account-specific work --------------------------------------

    void resendAndEmailLinkAnswerBeforeTouchingTheAccount()
    {
        startServer([](sd::core::Config &c) { c.approvalRequired = false; });
        confirmedUser(u"zoe"_s);                                      // active
        QCOMPARE(signUp(u"amy"_s, u"amy@example.com"_s).status, 201); // pending
        const int before = count(u"SELECT count(*) FROM outbox"_s);
        // Another connection holds the database's writer; account-specific work would wait.
        auto db = m_server->app().database().connection();
        QSqlQuery lock(*db);
        const bool sqlite = kBackend == TestServer::Backend::Sqlite;
        QVERIFY(lock.exec(sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s));
        if (!sqlite)
            QVERIFY(lock.exec(u"LOCK TABLE outbox IN EXCLUSIVE MODE"_s));
        QElapsedTimer timer;
        timer.start();
        const HttpResult resend =
            post("/api/v1/verify-email/resend", {{u"email"_s, u"amy@example.com"_s}});
        const HttpResult link =
            post("/api/v1/login/email-link", {{u"email"_s, u"zoe@example.com"_s}});
        const HttpResult unknown =
            post("/api/v1/login/email-link", {{u"email"_s, u"nobody@example.com"_s}});
        const qint64 elapsed = timer.elapsed();
        QVERIFY(lock.exec(u"COMMIT"_s));
        QCOMPARE(resend.status, 202);
        QCOMPARE(link.status, 202);
        QCOMPARE(link.body, unknown.body);
        QVERIFY2(elapsed < 5000, qPrintable(u"%1 ms"_s.arg(elapsed)));
        // The work still happens, once the writer is free.
        QCOMPARE(count(u"SELECT count(*) FROM outbox"_s), before + 2);
        QCOMPARE(mailsTo(u"nobody@example.com"_s), 0);
    }

    void wrongCodesStillBurnTheTokenAfterTheAnswer()
    {
        startServer();
        QCOMPARE(signUp(u"bob"_s, u"bob@example.com"_s).status, 201);
        auto code = [&](const QString &email, const QString &c) {
            return post("/api/v1/user/verify-email/", {{u"email"_s, email}, {u"code"_s, c}});
        };
        const HttpResult unknown = code(u"nobody@example.com"_s, u"000000"_s);
        for (int i = 0; i < 5; ++i) {
            const HttpResult wrong = code(u"bob@example.com"_s, u"00000%1"_s.arg(i));
            QCOMPARE(wrong.body, unknown.body);
        }
        QCOMPARE(
            count(
                u"SELECT count(*) FROM tokens WHERE kind = 'verification' AND burned_at IS NOT NULL"_s),
            1);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'token.burned'"_s), 1);
        // The work after the answer is alike: one audit row and one commit per wrong code,
        // for the unknown address too.
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE action = 'verification.failed'"_s),
                 6);
    }
};

QTEST_GUILESS_MAIN(TestProbes)
#include "tst_probes.moc"
