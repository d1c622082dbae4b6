// Plants a sentinel password, runs every flow that hands out a secret (signup, verification
// link and code, password login, email-link login through the pages), then searches
// everything the server wrote or said for the secrets: every log line (all categories at
// debug level), every column of every table outside the digest columns, and every response.

#include "httpclient.h"
#include "mailtext.h"
#include "testserver.h"

#include "sqlquery.h"

#include <QDirIterator>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QUrl>

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
    if (previousHandler && type != QtDebugMsg && type != QtInfoMsg) // debug is only searched
        previousHandler(type, context, message);
}

// Columns that hold digests of secrets by design (never the secrets themselves).
bool isDigestColumn(const QString &table, const QString &column)
{
    static const QSet<QString> digests = {
        u"users.password_hash"_s, u"tokens.token_hash"_s,    u"tokens.code_hash"_s,
        u"audit_log.prev_hash"_s, u"audit_log.entry_hash"_s, u"oauth_states.state_hash"_s,
        u"meta.value"_s};
    return digests.contains(table + u'.' + column);
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

    const QString m_password = u"Zebra-Pass-7f3a9c-Marble!"_s;
    QList<HttpResult> m_responses;

    HttpResult keep(HttpResult r)
    {
        m_responses.append(r);
        return r;
    }

private slots:
    void initTestCase()
    {
        QLoggingCategory::setFilterRules(u"*.debug=true"_s);
        previousHandler = qInstallMessageHandler(captureMessage);
    }
    void cleanupTestCase() { qInstallMessageHandler(previousHandler); }

    void noSecretInLogsDatabaseOrResponses()
    {
        TestServer server(TestServer::Backend::Sqlite, [](sd::core::Config &c) {
            c.approvalRequired = false;
            c.tosVersion = u"2026-11"_s;
        });
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        const quint16 port = server.port();
        QStringList secrets{m_password};

        // Signup with the sentinel password; the email holds the link token and the code.
        QCOMPARE(keep(postJson(port, "/api/v1/signup",
                               {{u"username"_s, u"sentinel"_s},
                                {u"password"_s, m_password},
                                {u"email"_s, u"sentinel@example.com"_s},
                                {u"display_name"_s, u"Sen Tinel"_s}}))
                     .status,
                 201);
        server.flushMail();
        const QString mail = decodeMail(server.lastMailTo(u"sentinel@example.com"_s));
        const QString verifyToken =
            QRegularExpression(u"token=([A-Za-z0-9_-]{43})"_s).match(mail).captured(1);
        QCOMPARE(verifyToken.size(), 43);
        secrets << verifyToken;

        // Failures must not log what was tried either.
        const QString wrongPassword = m_password + u"-wrong"_s;
        secrets << wrongPassword;
        QCOMPARE(keep(postJson(port, "/api/v1/login",
                               {{u"username"_s, u"sentinel"_s}, {u"password"_s, wrongPassword}}))
                     .status,
                 401);
        QCOMPARE(keep(postJson(port, "/api/v1/user/verify-email/",
                               {{u"email"_s, u"sentinel@example.com"_s},
                                {u"token"_s, QString(verifyToken + u"A"_s)}}))
                     .status,
                 400);

        // The verification page (GET records a hit; the token is in its URL), then its POST.
        const QByteArray pagePath =
            "/verify-email?email=sentinel%40example.com&token=" + verifyToken.toLatin1();
        const HttpResult page = keep(httpRequest(port, "GET", pagePath));
        QCOMPARE(page.status, 200);
        QCOMPARE(
            keep(postJson(port, "/api/v1/user/verify-email/",
                          {{u"email"_s, u"sentinel@example.com"_s}, {u"token"_s, verifyToken}}))
                .status,
            200);

        // Password login: the session token.
        const HttpResult login = keep(postJson(
            port, "/api/v1/login", {{u"username"_s, u"sentinel"_s}, {u"password"_s, m_password}}));
        QCOMPARE(login.status, 200);
        const QString ust = login.json().value(u"ust"_s).toString();
        QCOMPARE(ust.size(), 43);
        secrets << ust;
        QCOMPARE(keep(getJson(port, "/api/v1/user/me", ust)).status, 200);

        // Email-link login through the pages: the login token, the CSRF pair, the cookie session.
        QCOMPARE(keep(postJson(port, "/api/v1/login/email-link",
                               {{u"email"_s, u"sentinel@example.com"_s}}))
                     .status,
                 202);
        server.flushMail();
        const QString linkMail = decodeMail(server.lastMailTo(u"sentinel@example.com"_s));
        const QString loginToken =
            QRegularExpression(u"/login/confirm\\?token=([A-Za-z0-9_-]{43})"_s)
                .match(linkMail)
                .captured(1);
        QCOMPARE(loginToken.size(), 43);
        secrets << loginToken;
        const HttpResult confirmPage =
            keep(httpRequest(port, "GET", "/login/confirm?token=" + loginToken.toLatin1()));
        QCOMPARE(confirmPage.status, 200);
        const QString csrf = QRegularExpression(u"name=\"csrf_token\" value=\"([^\"]+)\""_s)
                                 .match(QString::fromUtf8(confirmPage.body))
                                 .captured(1);
        const QByteArray csrfCookie = confirmPage.headers.value("set-cookie").split(';').first();
        QVERIFY(!csrf.isEmpty());
        QVERIFY(csrfCookie.startsWith("sd_csrf="));
        const QByteArray form = "csrf_token=" + QUrl::toPercentEncoding(csrf) +
                                "&token=" + loginToken.toLatin1() +
                                "&display_name=Sen+Tinel&tos=on";
        const HttpResult confirmed =
            keep(httpRequest(port, "POST", "/login/confirm", form,
                             {{"Content-Type", "application/x-www-form-urlencoded"},
                              {"Cookie", csrfCookie},
                              {"Origin", "http://127.0.0.1:" + QByteArray::number(port)}}));
        QCOMPARE(confirmed.status, 303);
        const QByteArray sessionCookie = confirmed.headers.value("set-cookie");
        const QString cookieSession =
            QString::fromLatin1(sessionCookie.split(';').first().split('=').value(1));
        QCOMPARE(cookieSession.size(), 43);
        secrets << cookieSession;

        QCOMPARE(keep(postJson(port, "/api/v1/logout", QJsonObject(), ust)).status, 204);
        server.flushMail(); // every email sent: bodies redacted in the outbox

        // 1. The database, every table, every column but the digests.
        QStringList dump;
        {
            auto db = server.app().database().connection();
            QVERIFY(db);
            for (const QString &table : db->tables()) {
                QSqlQuery q(*db);
                QVERIFY(q.exec(u"SELECT * FROM "_s + table)); // table names come from the driver
                while (q.next()) {
                    const QSqlRecord record = q.record();
                    for (int i = 0; i < record.count(); ++i)
                        if (!isDigestColumn(table, record.fieldName(i)))
                            dump << q.value(i).toString();
                }
            }
        }
        QVERIFY(dump.size() > 50); // the dump really saw the rows
        const QString database = dump.join(u'\n');

        // 2. Every log line, 3. every response (password never; tokens only where handed out).
        QString log;
        {
            QMutexLocker lock(&logMutex);
            log = capturedLog.join(u'\n');
        }
        QString responses;
        for (const HttpResult &r : std::as_const(m_responses))
            if (!r.body.contains(ust.toLatin1()) && !r.raw.contains("Set-Cookie: sd_session"))
                responses += QString::fromUtf8(r.raw);

        int hits = 0;
        for (const QString &secret : std::as_const(secrets)) {
            for (const QString &variant : {secret, QString::fromLatin1(secret.toUtf8().toHex()),
                                           QString::fromLatin1(secret.toUtf8().toBase64())}) {
                if (database.contains(variant)) {
                    qWarning("secret found in the database: %s…", qPrintable(secret.left(6)));
                    ++hits;
                }
                if (log.contains(variant)) {
                    const qsizetype at = log.indexOf(variant);
                    const qsizetype from = qMax<qsizetype>(0, at - 200);
                    qWarning("secret found in the log: %s… in: %s", qPrintable(secret.left(6)),
                             qPrintable(log.mid(from, 300).replace(variant, u"<SECRET>"_s)));
                    ++hits;
                }
            }
            if (secret != verifyToken && secret != loginToken && responses.contains(secret)) {
                // Link tokens live in their own page's URL and form; anything else is a leak.
                qWarning("secret found in a response: %s…", qPrintable(secret.left(6)));
                ++hits;
            }
        }
        QCOMPARE(hits, 0);
        // The password never appears in any response at all.
        for (const HttpResult &r : std::as_const(m_responses))
            QVERIFY(!r.raw.contains(m_password.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestSecrets)
#include "tst_secrets.moc"
