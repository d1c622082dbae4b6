// The real signupdesk program, run through QProcess: the admin sub-commands, start-up and
// SIGTERM, and where settings come from (INI < environment < command line). API.md,
// "Configuration and command line" and "Details that settle edge cases".
//
// The slots run in declaration order and share one data folder: the HTTP part creates the
// signups that the later admin commands list, approve and reject.
//
// API.md only promises "non-zero with a one-line message"; the exact statuses checked here are
// the program's convention: 2 for a usage or configuration error, 1 for a refused operation.

#include "support/httpclient.h"
#include "support/testenv.h"

#include <QDateTime>
#include <QDebug>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr auto kRootPassword = "Correct-horse-battery-9";
constexpr auto kUserPassword = "Sturdy-password-42";
constexpr int kStopBudgetMs = 5000; // "promptly" after SIGTERM

struct CliResult
{
    int exitCode = -1;
    bool normalExit = false;
    QByteArray out;
    QByteArray err;
};

// A server run of the program: `signupdesk --headless …` until stop().
struct ServerRun
{
    std::unique_ptr<QProcess> process; // its destructor kills a server a failed test left running
    quint16 port = 0;
    QByteArray firstLine;
};

QProcessEnvironment cleanEnvironment(const QString &dataHome)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys())
        if (key.startsWith(u"SIGNUPDESK_"_s))
            env.remove(key);
    env.insert(u"XDG_DATA_HOME"_s, dataHome); // the default data folder, never the real one
    return env;
}

// A port nobody listens on right now (bound, read, released).
quint16 freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    quint16 port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &length) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

QByteArray joinLines(const QList<QByteArray> &lines)
{
    QByteArray text;
    for (const QByteArray &line : lines)
        text += line + '\n';
    return text;
}

} // namespace

class TestAdminCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_binary;
    QString m_config;
    QString m_dbPath;
    QString m_mailFolder;
    QString m_rootId;
    // What the HTTP admin listing said, one row per signup in listing order (API.md: the CLI
    // prints `user_id username email status sign_up_time`); kept in step with approve/reject.
    QList<QStringList> m_rows;
    QHash<QString, QString> m_ids; // username -> user_id

    QString path(const QString &name) const { return m_dir.filePath(name); }

    QString writeConfig(const QString &name, const QByteArray &extra,
                        const QByteArray &serverPort = "0")
    {
        const QString file = path(name);
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write("[server]\nport=" + serverPort +
                "\n"
                "[database]\nurl=sqlite:" +
                m_dbPath.toUtf8() +
                "\n"
                "[mail]\nfolder=" +
                m_mailFolder.toUtf8() +
                "\n"
                "[password]\nmemory_kib=64\niterations=1\n"
                "[admin]\napi_enabled=true\n"
                "[ratelimit]\nenabled=false\n"
                "[signup]\nreturn_confirm_token=true\n" +
                extra);
        return file;
    }

    QProcessEnvironment environment() const { return cleanEnvironment(path(u"xdg"_s)); }

    CliResult run(const QStringList &args, const QByteArray &input = {},
                  const QProcessEnvironment &env = {})
    {
        QProcess p;
        p.setProcessEnvironment(env.isEmpty() ? environment() : env);
        p.start(m_binary, args);
        CliResult r;
        if (!p.waitForStarted(10000))
            return r;
        if (!input.isEmpty())
            p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.normalExit = p.exitStatus() == QProcess::NormalExit;
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

    // `signupdesk --config <the shared config> ARGS…`
    CliResult admin(const QStringList &args, const QByteArray &input = {})
    {
        return run(QStringList{u"--config"_s, m_config, u"admin"_s} + args, input);
    }

    // Starts the server and waits for its `listening on` line.
    bool startServer(ServerRun &s, const QStringList &args, const QProcessEnvironment &env = {})
    {
        s.process = std::make_unique<QProcess>();
        s.process->setProcessEnvironment(env.isEmpty() ? environment() : env);
        s.process->start(m_binary, args);
        if (!s.process->waitForStarted(10000)) {
            qWarning("cannot start %s", qPrintable(m_binary));
            return false;
        }
        const QByteArray out = testenv::readListeningLine(*s.process, &s.port);
        s.firstLine = out.left(out.indexOf('\n') + 1);
        if (s.port == 0 || out.size() != s.firstLine.size()) {
            qWarning("no listening line; stdout: %s stderr: %s", out.constData(),
                     s.process->readAllStandardError().constData());
            return false;
        }
        return true;
    }

    // SIGTERM, then: exit status 0 within kStopBudgetMs, nothing more on standard output and
    // only the closing line on standard error (no Qt warnings, no database errors).
    void stopServerCleanly(ServerRun &s)
    {
        QVERIFY(s.process);
        QCOMPARE(s.process->state(), QProcess::Running);
        QElapsedTimer timer;
        timer.start();
        s.process->terminate();
        QVERIFY2(s.process->waitForFinished(kStopBudgetMs * 2), "no exit after SIGTERM");
        const qint64 elapsed = timer.elapsed();
        QVERIFY2(elapsed < kStopBudgetMs, qPrintable(u"took %1 ms to stop"_s.arg(elapsed)));
        QCOMPARE(s.process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(s.process->exitCode(), 0);
        QCOMPARE(s.process->readAllStandardOutput(), QByteArray());
        QCOMPARE(s.process->readAllStandardError(), QByteArray("signupdesk: stopped\n"));
        s.process.reset();
    }

    QByteArray expectedList(const QStringList &statuses) const
    {
        QList<QByteArray> lines;
        for (const QStringList &row : m_rows)
            if (statuses.contains(row.at(3)))
                lines << row.join(u'\t').toUtf8();
        return joinLines(lines);
    }

    void setStatus(const QString &username, const QString &status)
    {
        for (QStringList &row : m_rows)
            if (row.at(1) == username)
                row[3] = status;
    }

    // outbox rows (kind, recipient) for a user, or for a recipient when the row has no user.
    QList<QStringList> outboxRows(const QString &where, const QString &value)
    {
        QList<QStringList> rows;
        const QString name = u"tst_admincli_outbox"_s;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_dbPath);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            if (!db.open()) {
                qWarning("cannot open %s: %s", qPrintable(m_dbPath),
                         qPrintable(db.lastError().text()));
            } else {
                QSqlQuery q(db);
                q.prepare(u"SELECT kind, recipient, user_id FROM outbox WHERE "_s + where +
                          u" = ? ORDER BY created_at, id"_s);
                q.addBindValue(value);
                if (!q.exec())
                    qWarning("outbox query: %s", qPrintable(q.lastError().text()));
                while (q.next())
                    rows.append(
                        {q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return rows;
    }

    // The .eml files in the mail folder whose text contains every needle.
    QStringList emlFilesWith(const QList<QByteArray> &needles) const
    {
        QStringList found;
        const QStringList files = QDir(m_mailFolder).entryList({u"*.eml"_s}, QDir::Files);
        for (const QString &file : files) {
            QFile f(QDir(m_mailFolder).filePath(file));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray text = f.readAll();
            bool all = true;
            for (const QByteArray &needle : needles)
                all = all && text.contains(needle);
            if (all)
                found << file;
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        m_binary = testenv::signupdeskBinary();
        QVERIFY2(!m_binary.isEmpty(), "SD_SIGNUPDESK_BIN is not set (run through ctest)");
        QVERIFY2(QFileInfo(m_binary).isExecutable(), qPrintable(m_binary));
        QVERIFY(m_dir.isValid());
        m_dbPath = path(u"data/signupdesk.db"_s);
        m_mailFolder = path(u"mail"_s);
        m_config = writeConfig(u"signupdesk.ini"_s, {});
        QVERIFY(!m_config.isEmpty());
    }

    // --- create-superuser --------------------------------------------------------------------

    void createSuperuser()
    {
        // "root" is a reserved name for self-service signup, not here.
        const CliResult r = admin({u"create-superuser"_s, u"root"_s, u"root@example.com"_s},
                                  QByteArray(kRootPassword) + '\n');
        QCOMPARE(r.err, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
        static const QRegularExpression id(u"^(usr_[A-Za-z0-9_-]{22})\\n$"_s);
        const auto m = id.match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), r.out.constData());
        m_rootId = m.captured(1);
    }

    void createSuperuserRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("err");

        const QByteArray good = QByteArray(kRootPassword) + '\n';
        QTest::newRow("short password")
            << QStringList{u"ops"_s, u"ops@example.com"_s} << QByteArray("short\n") << 1
            << QByteArray("signupdesk: invalid input: password: too_short\n");
        QTest::newRow("common password")
            << QStringList{u"ops"_s, u"ops@example.com"_s} << QByteArray("password1234\n") << 1
            << QByteArray("signupdesk: invalid input: password: too_common\n");
        QTest::newRow("password contains the username")
            << QStringList{u"operator"_s, u"ops@example.com"_s} << QByteArray("my-operator-pass\n")
            << 1 << QByteArray("signupdesk: invalid input: password: contains_username_or_email\n");
        QTest::newRow("duplicate username")
            << QStringList{u"root"_s, u"other@example.com"_s} << good << 1
            << QByteArray("signupdesk: invalid input: username: taken\n");
        QTest::newRow("duplicate email")
            << QStringList{u"root2"_s, u"root@example.com"_s} << good << 1
            << QByteArray("signupdesk: invalid input: email: taken\n");
        QTest::newRow("bad email")
            << QStringList{u"ops"_s, u"not-an-address"_s} << good << 1
            << QByteArray("signupdesk: invalid input: email: invalid_format\n");
        QTest::newRow("password not UTF-8")
            << QStringList{u"ops"_s, u"ops@example.com"_s}
            << QByteArray("correct battery \xff staple\n") << 2
            << QByteArray("signupdesk: the password is not valid UTF-8\n");
        QTest::newRow("password with an encoded surrogate")
            << QStringList{u"ops"_s, u"ops@example.com"_s}
            << QByteArray("correct battery \xed\xa0\x80 staple\n") << 2
            << QByteArray("signupdesk: the password is not valid UTF-8\n");
        QTest::newRow("password with a control character")
            << QStringList{u"ops"_s, u"ops@example.com"_s}
            << QByteArray("correct\tbattery staple\n") << 1
            << QByteArray("signupdesk: invalid input: password: invalid_characters\n");
        QTest::newRow("no standard input")
            << QStringList{u"ops"_s, u"ops@example.com"_s} << QByteArray() << 2
            << QByteArray("signupdesk: give the password as the first line of standard input\n");
        QTest::newRow("empty first line")
            << QStringList{u"ops"_s, u"ops@example.com"_s} << QByteArray("\n" + good) << 2
            << QByteArray("signupdesk: give the password as the first line of standard input\n");
    }

    void createSuperuserRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, input);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, err);
        const CliResult r = admin(QStringList{u"create-superuser"_s} + args, input);
        QCOMPARE(r.err, err);
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, exitCode);
    }

    // --- signups list, nothing yet ----------------------------------------------------------

    void listWithNothingPending_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("default") << QStringList{};
        QTest::newRow("all (super-users are not signups)") << QStringList{u"--status"_s, u"all"_s};
    }

    void listWithNothingPending()
    {
        QFETCH(QStringList, args);
        const CliResult r = admin(QStringList{u"signups"_s, u"list"_s} + args);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
    }

    // --- the server: signups over HTTP, then SIGTERM ------------------------------------------

    void serverSignupsThenSigterm()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
        ServerRun server;
        QVERIFY(startServer(server, {u"--config"_s, m_config, u"--headless"_s}));

        // alice stays pending_verification; bob, carol and dave confirm: pending_approval.
        for (const QString &name : {u"alice"_s, u"bob"_s, u"carol"_s, u"dave"_s}) {
            const QJsonObject body{{u"username"_s, name},
                                   {u"password"_s, QString::fromLatin1(kUserPassword)},
                                   {u"email"_s, QString(name + u"@example.com"_s)}};
            const HttpResult signup = postJson(server.port, "/api/v1/signup", body);
            QVERIFY2(signup.status == 201, signup.raw.constData());
            const QString userId = signup.json().value(u"user_id"_s).toString();
            const QString token = signup.json().value(u"confirm_token"_s).toString();
            QVERIFY(userId.startsWith(u"usr_"_s));
            QVERIFY(!token.isEmpty());
            m_ids.insert(name, userId);
            if (name == u"alice"_s)
                continue;
            const HttpResult confirm =
                postJson(server.port, "/api/v1/signup/confirm", {{u"confirm_token"_s, token}});
            QVERIFY2(confirm.status == 200, confirm.raw.constData());
            QCOMPARE(confirm.json().value(u"user_id"_s).toString(), userId);
            QCOMPARE(confirm.json().value(u"approval"_s).toString(), u"pending"_s);
        }

        // The HTTP admin listing: what `admin signups list` must print, field for field.
        const HttpResult login = postJson(
            server.port, "/api/v1/login",
            {{u"username"_s, u"root"_s}, {u"password"_s, QString::fromLatin1(kRootPassword)}});
        QVERIFY2(login.status == 200, login.raw.constData());
        const QString ust = login.json().value(u"ust"_s).toString();
        QCOMPARE(login.json().value(u"user"_s).toObject().value(u"user_id"_s).toString(), m_rootId);
        const HttpResult listing = getJson(server.port, "/api/v1/signup?status=all", ust);
        QVERIFY2(listing.status == 200, listing.raw.constData());
        const QDateTime after = QDateTime::currentDateTimeUtc().addSecs(1);
        static const QRegularExpression iso(
            u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$"_s);
        for (const QJsonValue &v : QJsonDocument::fromJson(listing.body).array()) {
            const QJsonObject o = v.toObject();
            const QString time = o.value(u"sign_up_time"_s).toString();
            QVERIFY2(iso.match(time).hasMatch(), qPrintable(time));
            const QDateTime when = QDateTime::fromString(time, Qt::ISODate);
            QVERIFY(when >= before && when <= after);
            m_rows.append({o.value(u"user_id"_s).toString(), o.value(u"username"_s).toString(),
                           o.value(u"email"_s).toString(), o.value(u"status"_s).toString(), time});
        }
        QCOMPARE(m_rows.size(), 4);
        for (const QStringList &row : std::as_const(m_rows)) {
            QCOMPARE(row.at(0), m_ids.value(row.at(1)));
            QCOMPARE(row.at(2), row.at(1) + u"@example.com"_s);
            QCOMPARE(row.at(3),
                     row.at(1) == u"alice"_s ? u"pending_verification"_s : u"pending_approval"_s);
        }

        // SIGTERM shuts down cleanly.
        stopServerCleanly(server);
    }

    // --- signups list ------------------------------------------------------------------------

    void list_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("statuses");
        const QStringList approval{u"pending_approval"_s};
        QTest::newRow("default") << QStringList{} << approval;
        QTest::newRow("pending_approval")
            << QStringList{u"--status"_s, u"pending_approval"_s} << approval;
        QTest::newRow("to-confirm (alias)")
            << QStringList{u"--status"_s, u"to-confirm"_s} << approval;
        QTest::newRow("--status=to-confirm") << QStringList{u"--status=to-confirm"_s} << approval;
        QTest::newRow("pending_verification")
            << QStringList{u"--status"_s, u"pending_verification"_s}
            << QStringList{u"pending_verification"_s};
        QTest::newRow("all") << QStringList{u"--status"_s, u"all"_s}
                             << QStringList{u"pending_verification"_s, u"pending_approval"_s,
                                            u"active"_s};
    }

    void list()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, statuses);
        QVERIFY2(!m_rows.isEmpty(), "needs serverSignupsThenSigterm");
        const CliResult r = admin(QStringList{u"signups"_s, u"list"_s} + args);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, expectedList(statuses));
        QVERIFY(!r.out.isEmpty());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
    }

    void listBogusStatus()
    {
        const CliResult r = admin({u"signups"_s, u"list"_s, u"--status"_s, u"bogus"_s});
        QCOMPARE(r.err, QByteArray("signupdesk: --status: use pending_approval, to-confirm,"
                                   " pending_verification or all\n"));
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 2);
    }

    // --- approve -----------------------------------------------------------------------------

    void approve()
    {
        const QString bob = m_ids.value(u"bob"_s);
        QVERIFY(!bob.isEmpty());
        const CliResult r = admin({u"signups"_s, u"approve"_s, bob});
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
        setStatus(u"bob"_s, u"active"_s);

        const CliResult pending = admin({u"signups"_s, u"list"_s});
        QCOMPARE(pending.exitCode, 0);
        QCOMPARE(pending.out, expectedList({u"pending_approval"_s}));
        QVERIFY(!pending.out.contains(bob.toUtf8()));
        const CliResult all = admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s});
        QCOMPARE(all.out,
                 expectedList({u"pending_verification"_s, u"pending_approval"_s, u"active"_s}));
        QVERIFY(all.out.contains(QByteArray(bob.toUtf8() + "\tbob\tbob@example.com\tactive\t")));

        // The approval queued the welcome email (sent by the server's mail sender).
        const QList<QStringList> rows = outboxRows(u"user_id"_s, bob);
        QVERIFY2(rows.contains(QStringList{u"welcome"_s, u"bob@example.com"_s, bob}),
                 qPrintable(QDebug::toString(rows)));
    }

    // --- users reset-password (API.md "Administration of accounts and invitations") -----------

    void resetPassword()
    {
        const QString bob = m_ids.value(u"bob"_s);     // active since approve()
        const QString alice = m_ids.value(u"alice"_s); // her email is not verified
        QVERIFY(!bob.isEmpty() && !alice.isEmpty());
        // The link needs the public address, which only a running server knows otherwise.
        const CliResult noUrl = admin({u"users"_s, u"reset-password"_s, bob});
        QCOMPARE(noUrl.exitCode, 2);
        QCOMPARE(
            noUrl.err,
            QByteArray("signupdesk: set server/public_url: the reset link is built from it\n"));
        QProcessEnvironment env = environment();
        env.insert(u"SIGNUPDESK_SERVER_PUBLIC_URL"_s, u"https://desk.example"_s);
        const auto resetWith = [&](const QString &id) {
            return run({u"--config"_s, m_config, u"admin"_s, u"users"_s, u"reset-password"_s, id},
                       {}, env);
        };
        const CliResult unknown = resetWith(u"usr_doesnotexist0000000000"_s);
        QCOMPARE(unknown.exitCode, 1);
        QCOMPARE(unknown.err, QByteArray("signupdesk: no such user\n"));
        const CliResult unverified = resetWith(alice);
        QCOMPARE(unverified.exitCode, 1);
        QCOMPARE(unverified.err, QByteArray("signupdesk: not possible in its current state (email "
                                            "not verified)\n"));
        QVERIFY(!outboxRows(u"user_id"_s, alice)
                     .contains(QStringList{u"password_reset"_s, u"alice@example.com"_s, alice}));

        const CliResult r = resetWith(bob);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray());
        QCOMPARE(r.exitCode, 0);
        QVERIFY(outboxRows(u"user_id"_s, bob)
                    .contains(QStringList{u"password_reset"_s, u"bob@example.com"_s, bob}));
    }

    // --- users reset-mfa (issue 14) ------------------------------------------------------------

    // Runs `sql` (with `value` bound) on the database file, as another process would.
    int exec(const QString &sql, const QVariantList &values)
    {
        const QString name = u"tst_admincli_exec"_s;
        int affected = -1;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
            db.setDatabaseName(m_dbPath);
            if (db.open()) {
                QSqlQuery q(db);
                q.prepare(sql);
                for (const QVariant &v : values)
                    q.addBindValue(v);
                if (q.exec())
                    affected =
                        q.isSelect() ? (q.next() ? q.value(0).toInt() : 0) : q.numRowsAffected();
                else
                    qWarning("exec: %s", qPrintable(q.lastError().text()));
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
        return affected;
    }

    void resetMfa()
    {
        const QString bob = m_ids.value(u"bob"_s);
        QVERIFY(!bob.isEmpty());
        const CliResult unknown = admin({u"users"_s, u"reset-mfa"_s, u"usr_doesnotexist00"_s});
        QCOMPARE(unknown.exitCode, 1);
        QCOMPARE(unknown.err, QByteArray("signupdesk: no such user\n"));
        // Bob's factor as enrolment leaves it (the sealed value is never opened by a reset).
        QCOMPARE(exec(u"INSERT INTO mfa_totp (user_id, secret_sealed, created_at, enabled_at,"
                      " last_step) VALUES (?, 'v1.sealed', 1, 1, 0)"_s,
                      {bob}),
                 1);
        QCOMPARE(exec(u"UPDATE users SET mfa_enabled = 1 WHERE id = ?"_s, {bob}), 1);
        const CliResult r = admin({u"users"_s, u"reset-mfa"_s, bob});
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(exec(u"SELECT mfa_enabled FROM users WHERE id = ?"_s, {bob}), 0);
        QCOMPARE(exec(u"SELECT count(*) FROM mfa_totp WHERE user_id = ?"_s, {bob}), 0);
        QCOMPARE(exec(u"SELECT count(*) FROM audit_log WHERE action = 'mfa.reset'"
                      " AND subject_id = ? AND actor LIKE 'cli:%'"_s,
                      {bob}),
                 1);
        QVERIFY(outboxRows(u"user_id"_s, bob)
                    .contains(QStringList{u"mfa_reset"_s, u"bob@example.com"_s, bob}));
        // Again: nothing to do, exit 0, no second mail.
        QCOMPARE(admin({u"users"_s, u"reset-mfa"_s, bob}).exitCode, 0);
        int mails = 0;
        for (const QStringList &row : outboxRows(u"user_id"_s, bob))
            mails += row.first() == u"mfa_reset"_s;
        QCOMPARE(mails, 1);
    }

    void approveRefused_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QByteArray>("err");
        QTest::newRow("already approved (409-like)")
            << u"bob"_s
            << QByteArray("signupdesk: not possible in its current state (signup is active)\n");
        QTest::newRow("still pending_verification")
            << u"alice"_s
            << QByteArray("signupdesk: not possible in its current state (signup is "
                          "pending_verification)\n");
        QTest::newRow("unknown id")
            << u"usr_doesnotexist0000000000"_s << QByteArray("signupdesk: no such signup\n");
        QTest::newRow("a super-user is not a signup")
            << u"root"_s << QByteArray("signupdesk: no such signup\n");
    }

    void approveRefused()
    {
        QFETCH(QString, who);
        QFETCH(QByteArray, err);
        const QString id = who == u"root"_s ? m_rootId : m_ids.value(who, who);
        const QByteArray listBefore = admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s}).out;
        const CliResult r = admin({u"signups"_s, u"approve"_s, id});
        QCOMPARE(r.err, err);
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 1);
        QCOMPARE(admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s}).out, listBefore);
    }

    // --- reject ------------------------------------------------------------------------------

    void reject()
    {
        const QString carol = m_ids.value(u"carol"_s);
        QVERIFY(!carol.isEmpty());
        const CliResult r = admin({u"signups"_s, u"reject"_s, carol, u"--reason"_s, u"spam"_s});
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
        m_rows.removeIf([](const QStringList &row) { return row.at(1) == u"carol"_s; });

        const CliResult all = admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s});
        QCOMPARE(all.out,
                 expectedList({u"pending_verification"_s, u"pending_approval"_s, u"active"_s}));
        QVERIFY(!all.out.contains(carol.toUtf8()));
        // The account is gone, so the rejection email is queued without a user.
        QCOMPARE(outboxRows(u"recipient"_s, u"carol@example.com"_s).last(),
                 (QStringList{u"rejection"_s, u"carol@example.com"_s, QString()}));
    }

    void rejectRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("err");
        const QByteArray needsReason("signupdesk: signups reject needs --reason TEXT\n");
        QTest::newRow("no --reason") << QStringList{u"dave"_s} << 2 << needsReason;
        QTest::newRow("blank --reason")
            << QStringList{u"dave"_s, u"--reason"_s, u"   "_s} << 2 << needsReason;
        QTest::newRow("active account")
            << QStringList{u"bob"_s, u"--reason"_s, u"spam"_s} << 1
            << QByteArray("signupdesk: not possible in its current state (account is active)\n");
        QTest::newRow("unknown id")
            << QStringList{u"usr_doesnotexist0000000000"_s, u"--reason"_s, u"spam"_s} << 1
            << QByteArray("signupdesk: no such signup\n");
        QTest::newRow("already rejected") << QStringList{u"carol"_s, u"--reason"_s, u"spam"_s} << 1
                                          << QByteArray("signupdesk: no such signup\n");
        QTest::newRow("a super-user") << QStringList{u"root"_s, u"--reason"_s, u"spam"_s} << 1
                                      << QByteArray("signupdesk: no such signup\n");
    }

    void rejectRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, err);
        args[0] = args[0] == u"root"_s ? m_rootId : m_ids.value(args[0], args[0]);
        QVERIFY(!args[0].isEmpty());
        const QByteArray listBefore = admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s}).out;
        const CliResult r = admin(QStringList{u"signups"_s, u"reject"_s} + args);
        QCOMPARE(r.err, err);
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, exitCode);
        QCOMPARE(admin({u"signups"_s, u"list"_s, u"--status"_s, u"all"_s}).out, listBefore);
    }

    // API.md: a pending_verification account can be rejected too (409 only for an active one).
    void rejectPendingVerification()
    {
        const QString alice = m_ids.value(u"alice"_s);
        QVERIFY(!alice.isEmpty());
        const CliResult r =
            admin({u"signups"_s, u"reject"_s, alice, u"--reason"_s, u"never confirmed"_s});
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 0);
        m_rows.removeIf([](const QStringList &row) { return row.at(1) == u"alice"_s; });
        const CliResult verification =
            admin({u"signups"_s, u"list"_s, u"--status"_s, u"pending_verification"_s});
        QCOMPARE(verification.err, QByteArray());
        QCOMPARE(verification.out, QByteArray()); // nothing left: prints nothing, exit 0
        QCOMPARE(verification.exitCode, 0);
    }

    // --- the mail the admin commands queued goes out once a server runs ---------------------

    void queuedMailSentByServer()
    {
        ServerRun server;
        QVERIFY(startServer(server, {u"--config"_s, m_config, u"--headless"_s}));
        const QList<QByteArray> welcome{"To: bob@example.com\r\n",
                                        "Subject: Welcome, your account is ready\r\n"};
        const QList<QByteArray> rejection{"To: carol@example.com\r\n",
                                          "Subject: Your signup was not approved\r\n", "spam"};
        QTRY_COMPARE_WITH_TIMEOUT(emlFilesWith(welcome).size(), 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(emlFilesWith(rejection).size(), 1, 15000);
        stopServerCleanly(server);
    }

    // --- log lines (SEC-35) -------------------------------------------------------------------

    // A provider error an attacker chose, with CR/LF in it, is logged on one escaped line:
    // it cannot forge a log line of its own.
    void logLinesEscapeControlCharacters()
    {
        QProcessEnvironment env = environment();
        env.remove(u"QT_MESSAGE_PATTERN"_s);
        env.remove(u"QT_LOGGING_RULES"_s);
        ServerRun server;
        QVERIFY(startServer(server, {u"--config"_s, m_config, u"--headless"_s}, env));
        const QByteArray answer =
            rawExchange(server.port,
                        "GET /oauth/callback/from/github?error=x%0D%0AFORGED%20line%5C HTTP/1.1\r\n"
                        "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 302"), answer.constData());

        server.process->terminate();
        QVERIFY(server.process->waitForFinished(kStopBudgetMs * 2));
        QCOMPARE(server.process->exitCode(), 0);
        // The line carries the request's id first ("[id] "), then the escaped message.
        QByteArray logged = server.process->readAllStandardError();
        if (logged.startsWith('['))
            logged = logged.mid(logged.indexOf("] ") + 2);
        QCOMPARE(logged, QByteArray("oauth callback (github) failed: provider_error: "
                                    "provider said x\\r\\nFORGED line\\\\\n"
                                    "signupdesk: stopped\n"));
        server.process.reset();
    }

    // --- the audit chain -------------------------------------------------------------------

    void auditVerify()
    {
        // Everything the commands above did was audited; verify seals it and walks the chain.
        const CliResult ok = admin({u"audit"_s, u"verify"_s});
        QCOMPARE(ok.err, QByteArray());
        QVERIFY2(ok.out.startsWith("audit chain intact: "), ok.out.constData());
        QVERIFY(ok.out.contains(" entries, head "));
        QCOMPARE(ok.exitCode, 0);

        // Rewrite history: the chain names the entry.
        auto setDetail = [&](const QVariant &detail) {
            QVariant before;
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"tamper"_s);
                db.setDatabaseName(m_dbPath);
                if (db.open()) {
                    QSqlQuery q(db);
                    q.exec(u"SELECT detail FROM audit_log WHERE seq = 2"_s);
                    if (q.next())
                        before = q.value(0);
                    q.finish();
                    q.prepare(u"UPDATE audit_log SET detail = ? WHERE seq = 2"_s);
                    q.addBindValue(detail);
                    q.exec();
                }
                db.close();
            }
            QSqlDatabase::removeDatabase(u"tamper"_s);
            return before;
        };
        const QVariant original = setDetail(u"nothing to see"_s);
        QVERIFY(original.isValid());
        const CliResult broken = admin({u"audit"_s, u"verify"_s});
        QVERIFY2(broken.err.startsWith("signupdesk: audit chain broken at entry 2 (aud_"),
                 broken.err.constData());
        QVERIFY(broken.err.contains("does not match its hash"));
        QCOMPARE(broken.out, QByteArray());
        QCOMPARE(broken.exitCode, 1);
        // Put it back: intact again.
        setDetail(original);
        QCOMPARE(admin({u"audit"_s, u"verify"_s}).exitCode, 0);
    }

    // --- panic switches ----------------------------------------------------------------------

    void panicSwitches()
    {
        const CliResult before = admin({u"signup"_s, u"status"_s});
        QCOMPARE(before.err, QByteArray());
        QCOMPARE(before.out, QByteArray("signup: open\napproval: required\n"));
        QCOMPARE(before.exitCode, 0);

        ServerRun server;
        QVERIFY(startServer(server, {u"--config"_s, m_config, u"--headless"_s}));
        int n = 0;
        auto signupStatus = [&](QByteArray *error) {
            const QString name = u"panic%1"_s.arg(++n);
            const HttpResult r = postJson(server.port, "/api/v1/signup",
                                          {{u"username"_s, name},
                                           {u"password"_s, QString::fromLatin1(kUserPassword)},
                                           {u"email"_s, QString(name + u"@example.com"_s)}});
            if (error)
                *error = r.json().value(u"error"_s).toObject().value(u"code"_s).toString().toUtf8();
            return r.status;
        };
        QCOMPARE(signupStatus(nullptr), 201);

        // Closed from the CLI: the running server refuses signups at its next refresh.
        const CliResult close = admin({u"signup"_s, u"close"_s});
        QCOMPARE(close.err, QByteArray());
        QCOMPARE(close.out, QByteArray("signup: closed\napproval: required\n"));
        QCOMPARE(close.exitCode, 0);
        QByteArray error;
        QTRY_COMPARE_WITH_TIMEOUT(signupStatus(&error), 403, 3000);
        QCOMPARE(error, QByteArray("signup_disabled"));
        QCOMPARE(admin({u"signup"_s, u"status"_s}).out,
                 QByteArray("signup: closed\napproval: required\n"));

        // Open again: accepted again.
        const CliResult open = admin({u"signup"_s, u"open"_s});
        QCOMPARE(open.out, QByteArray("signup: open\napproval: required\n"));
        QCOMPARE(open.exitCode, 0);
        QTRY_COMPARE_WITH_TIMEOUT(signupStatus(nullptr), 201, 3000);

        const CliResult relax = admin({u"approval"_s, u"relax"_s});
        QCOMPARE(relax.out, QByteArray("signup: open\napproval: not required\n"));
        QCOMPARE(relax.exitCode, 0);
        QCOMPARE(admin({u"signup"_s, u"status"_s}).out,
                 QByteArray("signup: open\napproval: not required\n"));
        const CliResult force = admin({u"approval"_s, u"force"_s});
        QCOMPARE(force.out, QByteArray("signup: open\napproval: required\n"));
        QCOMPARE(force.exitCode, 0);
        stopServerCleanly(server);

        // Audited like the console's switches, by "cli:" and the OS user running it.
        QStringList actions;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"panic_audit"_s);
            db.setDatabaseName(m_dbPath);
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(
                    u"SELECT actor, action FROM audit_log WHERE action IN ('signup.closed',"
                    " 'signup.reopened', 'approval.forced', 'approval.relaxed') ORDER BY at, rowid"_s);
                while (q.next())
                    actions << q.value(0).toString() + u' ' + q.value(1).toString();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(u"panic_audit"_s);
        const passwd *pw = getpwuid(geteuid()); // the OS user running the command line
        QVERIFY(pw && pw->pw_name);
        const QString cli = u"cli:"_s + QString::fromLocal8Bit(pw->pw_name);
        QCOMPARE(actions, (QStringList{cli + u" signup.closed"_s, cli + u" signup.reopened"_s,
                                       cli + u" approval.relaxed"_s, cli + u" approval.forced"_s}));
    }

    // --- usage errors ------------------------------------------------------------------------

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown subcommand") << QStringList{u"frobnicate"_s};
        QTest::newRow("no subcommand") << QStringList{};
        QTest::newRow("signups alone") << QStringList{u"signups"_s};
        QTest::newRow("signups unknown") << QStringList{u"signups"_s, u"delete"_s, u"usr_x"_s};
        QTest::newRow("list with an extra word")
            << QStringList{u"signups"_s, u"list"_s, u"extra"_s};
        QTest::newRow("approve without id") << QStringList{u"signups"_s, u"approve"_s};
        QTest::newRow("create-superuser without email")
            << QStringList{u"create-superuser"_s, u"x"_s};
        QTest::newRow("signup alone") << QStringList{u"signup"_s};
        QTest::newRow("signup unknown") << QStringList{u"signup"_s, u"shut"_s};
        QTest::newRow("signup close extra") << QStringList{u"signup"_s, u"close"_s, u"now"_s};
        QTest::newRow("approval alone") << QStringList{u"approval"_s};
        QTest::newRow("approval unknown") << QStringList{u"approval"_s, u"status"_s};
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        const CliResult r = admin(args, QByteArray(kRootPassword) + '\n');
        QCOMPARE(r.err,
                 QByteArray("signupdesk: usage: signupdesk admin create-superuser USERNAME EMAIL"
                            " | signups list [--status S] | signups approve USER_ID"
                            " | signups reject USER_ID --reason TEXT | audit verify"
                            " | signup close|open|status | approval force|relax"
                            " | users list [--query Q] [--status S]"
                            " | users disable USER_ID [--reason TEXT] | users enable USER_ID"
                            " | users delete USER_ID --reason TEXT | users reset-password USER_ID"
                            " | users reset-mfa USER_ID | invite EMAIL [--apps A,B] [--groups G,H] "
                            "| invitations list"
                            " | invitations revoke ID\n"));
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 2);
    }

    void unknownCommand()
    {
        const CliResult r = run({u"--config"_s, m_config, u"frobnicate"_s});
        QCOMPARE(r.err, QByteArray("signupdesk: unknown command frobnicate (try --help)\n"));
        QCOMPARE(r.out, QByteArray());
        QVERIFY(r.normalExit);
        QCOMPARE(r.exitCode, 2);
    }

    // --- configuration -----------------------------------------------------------------------

    void badConfig_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QByteArray>("port");
        QTest::addColumn<QByteArray>("err");
        QTest::newRow("port out of range")
            << QByteArray() << QByteArray("99999")
            << QByteArray("signupdesk: server/port: expected a whole number from 0 to 65535, got "
                          "\"99999\"\n");
        QTest::newRow("port not a number")
            << QByteArray() << QByteArray("eighty")
            << QByteArray("signupdesk: server/port: expected a whole number from 0 to 65535, got "
                          "\"eighty\"\n");
        QTest::newRow("flag not a boolean")
            << QByteArray("[mail]\nwelcome=maybe\n") << QByteArray("0")
            << QByteArray("signupdesk: mail/welcome: expected true or false, got \"maybe\"\n");
    }

    void badConfig()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QByteArray, port);
        QFETCH(QByteArray, err);
        const QString config = writeConfig(u"bad.ini"_s, extra, port);
        QVERIFY(!config.isEmpty());
        for (const QStringList &args :
             {QStringList{u"--config"_s, config, u"admin"_s, u"signups"_s, u"list"_s},
              QStringList{u"--config"_s, config, u"--headless"_s}}) {
            const CliResult r = run(args);
            QCOMPARE(r.err, err);
            QCOMPARE(r.err.count('\n'), 1);
            QCOMPARE(r.out, QByteArray());
            QVERIFY(r.normalExit);
            QCOMPARE(r.exitCode, 2);
        }
    }

    void missingConfigFile()
    {
        const QString missing = path(u"nowhere.ini"_s);
        const CliResult r = run({u"--config"_s, missing, u"admin"_s, u"signups"_s, u"list"_s});
        QCOMPARE(r.err, "signupdesk: config file not found: " + missing.toUtf8() + '\n');
        QCOMPARE(r.out, QByteArray());
        QCOMPARE(r.exitCode, 2);
    }

    // INI port=1; SIGNUPDESK_SERVER_PORT=0 wins: a free port, not 1.
    void environmentOverridesIni()
    {
        const QString config = writeConfig(u"port1.ini"_s, {}, "1");
        QProcessEnvironment env = environment();
        env.insert(u"SIGNUPDESK_SERVER_PORT"_s, u"0"_s);
        ServerRun server;
        QVERIFY(startServer(server, {u"--config"_s, config, u"--headless"_s}, env));
        QVERIFY(server.port != 1);
        QCOMPARE(getJson(server.port, "/healthz").status, 200);
        stopServerCleanly(server);
    }

    // An INI value the environment replaces is never read, so a bad one does not matter.
    void environmentReplacesBadIniValue()
    {
        const QString config = writeConfig(u"bad-port.ini"_s, {}, "99999");
        QProcessEnvironment env = environment();
        env.insert(u"SIGNUPDESK_SERVER_PORT"_s, u"0"_s);
        const CliResult r =
            run({u"--config"_s, config, u"admin"_s, u"signups"_s, u"list"_s}, {}, env);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, expectedList({u"pending_approval"_s}));
        QCOMPARE(r.exitCode, 0);
    }

    // --port beats SIGNUPDESK_SERVER_PORT (which beats the INI).
    void commandLineOverridesEnvironment()
    {
        const QString config = writeConfig(u"port1-again.ini"_s, {}, "1");
        const quint16 wanted = freePort();
        QVERIFY(wanted != 0);
        QProcessEnvironment env = environment();
        env.insert(u"SIGNUPDESK_SERVER_PORT"_s, u"0"_s);
        ServerRun server;
        QVERIFY(startServer(
            server, {u"--config"_s, config, u"--headless"_s, u"--port"_s, QString::number(wanted)},
            env));
        QCOMPARE(server.port, wanted);
        QCOMPARE(server.firstLine,
                 "listening on http://127.0.0.1:" + QByteArray::number(wanted) + '\n');
        stopServerCleanly(server);

        // A bad environment value is never read either when --port is given.
        env.insert(u"SIGNUPDESK_SERVER_PORT"_s, u"99999"_s);
        QVERIFY(startServer(server, {u"--config"_s, config, u"--headless"_s, u"--port"_s, u"0"_s},
                            env));
        QVERIFY(server.port != 1);
        stopServerCleanly(server);

        // Without --port the bad environment value is reported, naming the variable's key.
        const CliResult r = run({u"--config"_s, config, u"--headless"_s}, {}, env);
        QCOMPARE(r.err,
                 QByteArray("signupdesk: server/port: expected a whole number from 0 to 65535,"
                            " got \"99999\"\n"));
        QCOMPARE(r.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admincli.moc"
