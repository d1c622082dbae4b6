// Issue 16 item 3: every statement a hot path runs uses an index. The test records what the
// real flows run (store::detail::setStatementObserver), over real HTTP against an in-process
// server: the session check (GET /api/v1/user/me with the session cache off), login by
// username and by email, token lookup and consumption (signup confirmation, verify-email by
// address and token, logout), the signup's uniqueness checks, the outbox claim. Then it asks the
// database for each statement's plan, with the values it ran with: EXPLAIN QUERY PLAN on SQLite,
// EXPLAIN on PostgreSQL (with enable_seqscan off, so a tiny test table cannot hide a missing index
// behind a cheap sequential scan), and fails on a full scan of a table that grows with users.

#include "context.h"
#include "httpclient.h"
#include "testbackend.h"
#include "testenv.h"

#include "apiflows.h"
#include "queryplan.h"
#include "sqlquery.h"

#include <QMutex>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

// Tables whose rows grow with users, signups, mail or requests. (meta, settings,
// schema_migrations stay a few rows; a scan of those is no problem.)
const QStringList kGrowing = {u"users"_s,        u"tokens"_s,         u"outbox"_s,
                              u"audit_log"_s,    u"link_hits"_s,      u"oauth_identities"_s,
                              u"oauth_states"_s, u"invitations"_s,    u"webhook_deliveries"_s,
                              u"rate_windows"_s, u"login_failures"_s, u"user_last_login"_s};

struct Statement
{
    QString step;
    QString sql;
    QVariantList params;
};

// Table names by alias ("tokens t" → t: tokens), and every table by its own name.
QHash<QString, QString> aliasesIn(const QString &sql)
{
    QHash<QString, QString> tables;
    static const QRegularExpression from(
        u"\\b(?:FROM|JOIN|UPDATE|INTO)\\s+([a-z_]+)(?:\\s+(?:AS\\s+)?([a-z_]+))?"_s,
        QRegularExpression::CaseInsensitiveOption);
    static const QStringList keywords = {u"where"_s, u"set"_s,    u"on"_s,    u"join"_s,
                                         u"left"_s,  u"inner"_s,  u"order"_s, u"group"_s,
                                         u"limit"_s, u"values"_s, u"select"_s};
    for (auto it = from.globalMatch(sql); it.hasNext();) {
        const auto m = it.next();
        tables.insert(m.captured(1), m.captured(1));
        const QString alias = m.captured(2);
        if (!alias.isEmpty() && !keywords.contains(alias.toLower()))
            tables.insert(alias, m.captured(1));
    }
    return tables;
}

} // namespace

class TestQueryPlans : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestServer> m_server;
    QMutex m_mutex;
    QString m_step; // empty: not recording
    QList<Statement> m_statements;
    sd::store::detail::StatementObserver m_observer = [this](const QString &sql,
                                                             const QVariantList &params) {
        QMutexLocker lock(&m_mutex);
        if (!m_step.isEmpty())
            m_statements.append({m_step, sql, params});
    };

    quint16 port() const { return m_server->port(); }
    void record(const QString &step)
    {
        m_server->app().core().waitForAfterAnswer();
        QMutexLocker lock(&m_mutex);
        m_step = step;
    }
    void stopRecording()
    {
        m_server->app().core().waitForAfterAnswer();
        QMutexLocker lock(&m_mutex);
        m_step.clear();
    }

    // The plan's lines, or an error text as its only line.
    QStringList planOf(const QSqlDatabase &db, const Statement &s)
    {
        return testplan::planOf(db, kBackend == TestServer::Backend::Postgres, s.sql, s.params);
    }

    // The full scans of growing tables in a plan, as text (empty: none).
    QStringList fullScans(const Statement &s, const QStringList &plan)
    {
        QStringList found;
        const auto tables = aliasesIn(s.sql);
        const auto growing = [&](const QString &name) {
            return kGrowing.contains(tables.value(name, name));
        };
        if (kBackend == TestServer::Backend::Sqlite) {
            // "SCAN users", "SCAN t USING INDEX …" (a whole index is a full scan too);
            // "SEARCH …" uses an index for the condition.
            static const QRegularExpression scan(u"^SCAN (?:TABLE )?([a-z_]+)"_s);
            for (const QString &line : plan)
                if (const auto m = scan.match(line); m.hasMatch() && growing(m.captured(1)))
                    found << line;
            return found;
        }
        static const QRegularExpression seq(u"Seq Scan on ([a-z_]+)"_s);
        static const QRegularExpression index(
            u"(?:Index Scan|Index Only Scan)(?: Backward)? using [a-z_0-9]+ on ([a-z_]+)"_s);
        static const QRegularExpression node(u"^(\\s*)(?:->\\s+)?([A-Z][A-Za-z ]+)"_s);
        const auto indentOf = [](const QString &line) {
            qsizetype i = 0;
            while (i < line.size() && line.at(i) == u' ')
                ++i;
            return i;
        };
        for (qsizetype i = 0; i < plan.size(); ++i) {
            const QString &line = plan.at(i);
            if (const auto m = seq.match(line); m.hasMatch() && growing(m.captured(1))) {
                found << line;
                continue;
            }
            const auto m = index.match(line);
            if (!m.hasMatch() || !growing(m.captured(1)))
                continue;
            // An index scan without a condition reads the whole index, unless a Limit right
            // above it stops it after a few rows (MAX(seq), the oldest due row).
            const qsizetype indent = indentOf(line);
            bool hasCondition = false;
            for (qsizetype j = i + 1; j < plan.size() && indentOf(plan.at(j)) > indent &&
                                      !plan.at(j).trimmed().startsWith(u"->"_s);
                 ++j)
                hasCondition = hasCondition || plan.at(j).contains(u"Index Cond:"_s);
            bool underLimit = false;
            for (qsizetype j = i - 1; j >= 0; --j) {
                if (indentOf(plan.at(j)) < indent && node.match(plan.at(j)).hasMatch() &&
                    !plan.at(j).trimmed().startsWith(u"Index Cond"_s) &&
                    !plan.at(j).trimmed().startsWith(u"Filter"_s)) {
                    underLimit = plan.at(j).trimmed().startsWith(u"-> Limit"_s) ||
                                 plan.at(j).trimmed().startsWith(u"->  Limit"_s) ||
                                 plan.at(j).trimmed().startsWith(u"Limit"_s);
                    break;
                }
            }
            if (!hasCondition && !underLimit)
                found << line;
        }
        return found;
    }

private slots:
    void init()
    {
        m_server = std::make_unique<TestServer>(kBackend, [](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
            c.sessionCacheMs = 0; // every session check reads the database
            c.rateLimitEnabled = true;
            c.requestsPerAddressPerMinute = 1'000'000;
        });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        sd::store::detail::setStatementObserver(&m_observer);
    }
    void cleanup()
    {
        sd::store::detail::setStatementObserver(nullptr);
        m_server.reset();
        m_statements.clear();
    }

    void hotPathsUseIndexes()
    {
        // Some accounts first, so the plans are those of a desk in use.
        for (int i = 0; i < 5; ++i)
            testflows::confirmedUser(port(), u"seed%1"_s.arg(i));
        m_server->flushMail();

        record(u"signup (uniqueness checks)"_s);
        const auto signedUp = testflows::signUp(port(), u"ann"_s, u"ann@example.com"_s);
        QCOMPARE(signedUp.answer.status, 201);
        record(u"confirm (token lookup and consumption)"_s);
        QCOMPARE(testflows::confirmSignup(port(), signedUp.confirmToken).status, 200);
        // verify-email by address and token (bench_datascale.sh measures it at 1 M accounts):
        // the token by its digest, the account by id, consumption, the move to active.
        const auto bob = testflows::signUp(port(), u"bob"_s, u"bob@example.com"_s);
        QCOMPARE(bob.answer.status, 201);
        record(u"verify-email (address and token)"_s);
        QCOMPARE(postJson(port(), "/api/v1/user/verify-email/",
                          {{u"email"_s, u"bob@example.com"_s}, {u"token"_s, bob.confirmToken}})
                     .status,
                 200);
        record(u"login by username"_s);
        const QString ust = testflows::loginToken(port(), u"ann"_s);
        QVERIFY(!ust.isEmpty());
        record(u"login by email"_s);
        QVERIFY(!testflows::loginToken(port(), u"ann@example.com"_s).isEmpty());
        record(u"failed login (limits)"_s);
        QCOMPARE(postJson(port(), "/api/v1/login",
                          {{u"username"_s, u"ann"_s}, {u"password"_s, u"not it at all"_s}})
                     .status,
                 401);
        record(u"session check"_s);
        const QList<std::pair<QByteArray, QByteArray>> auth = {
            {"Authorization", "Bearer " + ust.toLatin1()}};
        QCOMPARE(httpRequest(port(), "GET", "/api/v1/user/me", {}, auth).status, 200);
        record(u"outbox claim"_s);
        // The sender may have sent the mails already: a drain claims (finds nothing) all the same.
        (void)m_server->flushMail();
        record(u"logout (token lookup)"_s);
        QCOMPARE(httpRequest(port(), "POST", "/api/v1/logout", {}, auth).status, 204);
        stopRecording();

        QList<Statement> statements;
        {
            QMutexLocker lock(&m_mutex);
            statements = m_statements;
        }
        // The observer saw each step's own table: nothing below passes by seeing nothing.
        const QList<std::pair<QString, QString>> expected = {
            {u"signup (uniqueness checks)"_s, u"users"_s},
            {u"confirm (token lookup and consumption)"_s, u"tokens"_s},
            {u"verify-email (address and token)"_s, u"tokens"_s},
            {u"verify-email (address and token)"_s, u"users"_s},
            {u"login by username"_s, u"users"_s},
            {u"login by username"_s, u"user_last_login"_s},
            {u"login by email"_s, u"users"_s},
            {u"session check"_s, u"tokens"_s},
            {u"outbox claim"_s, u"outbox"_s},
            {u"logout (token lookup)"_s, u"tokens"_s}};
        for (const auto &[step, table] : expected) {
            const bool seen =
                std::any_of(statements.cbegin(), statements.cend(), [&](const Statement &s) {
                    return s.step == step && s.sql.contains(table);
                });
            QVERIFY2(seen, qPrintable(step + u": no statement on "_s + table + u" recorded"_s));
        }

        auto db = m_server->app().database().connection();
        QVERIFY(db);
        if (kBackend == TestServer::Backend::Postgres) {
            QSqlQuery off(*db);
            QVERIFY(off.exec(u"SET enable_seqscan = off"_s));
        }
        static const QRegularExpression explainable(u"^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\\b"_s,
                                                    QRegularExpression::CaseInsensitiveOption);
        QSet<QString> seen;
        QStringList failures;
        int explained = 0;
        for (const Statement &s : std::as_const(statements)) {
            if (!explainable.match(s.sql).hasMatch() || seen.contains(s.sql))
                continue;
            seen.insert(s.sql);
            const QStringList plan = planOf(*db, s);
            if (!plan.isEmpty() && plan.first().startsWith(u"ERROR "_s)) {
                failures << s.step + u": EXPLAIN failed: "_s + plan.first();
                continue;
            }
            ++explained;
            const QStringList scans = fullScans(s, plan);
            if (!scans.isEmpty())
                failures << s.step + u": full scan ("_s + scans.join(u"; "_s) + u") in: "_s +
                                s.sql + u"\n  plan: "_s + plan.join(u"\n        "_s);
        }
        if (kBackend == TestServer::Backend::Postgres) {
            QSqlQuery on(*db);
            QVERIFY(on.exec(u"RESET enable_seqscan"_s));
        }
        qInfo("%d distinct statements explained", explained);
        QVERIFY(explained >= 10);
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u"\n"_s)));
    }

    // The checker itself: a query without a usable index is caught.
    void aFullScanIsCaught()
    {
        auto db = m_server->app().database().connection();
        QVERIFY(db);
        if (kBackend == TestServer::Backend::Postgres) {
            QSqlQuery off(*db);
            QVERIFY(off.exec(u"SET enable_seqscan = off"_s));
        }
        const Statement bad{
            u"check"_s, u"SELECT id FROM users WHERE display_name = ?"_s, {u"Ann"_s}};
        const QStringList plan = planOf(*db, bad);
        QVERIFY2(!plan.isEmpty() && !plan.first().startsWith(u"ERROR"_s),
                 qPrintable(plan.join(u'\n')));
        QVERIFY2(!fullScans(bad, plan).isEmpty(), qPrintable(plan.join(u'\n')));
        const Statement good{
            u"check"_s, u"SELECT id FROM users WHERE username_key = ?"_s, {u"ann"_s}};
        const QStringList goodPlan = planOf(*db, good);
        QVERIFY2(fullScans(good, goodPlan).isEmpty(), qPrintable(goodPlan.join(u'\n')));
        if (kBackend == TestServer::Backend::Postgres) {
            QSqlQuery on(*db);
            QVERIFY(on.exec(u"RESET enable_seqscan"_s));
        }
    }
};

QTEST_GUILESS_MAIN(TestQueryPlans)
#include "tst_queryplans.moc"
