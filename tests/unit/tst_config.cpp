#include "config.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using sd::core::Config;
using sd::core::ConfigSources;
using sd::core::ErrorCode;
using sd::core::loadConfig;

class TestConfig : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void defaultsMatchApi();
    void iniFileIsRead();
    void precedence_data();
    void precedence();
    void environmentNames_data();
    void environmentNames();
    void booleans_data();
    void booleans();
    void badValues_data();
    void badValues();
    void goodEditableValues();
    void missingFileIsAnError();
    void everyKeyIsKnown();

private:
    QString writeIni(const QByteArray &content);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestConfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestConfig::writeIni(const QByteArray &content)
{
    const QString path = m_dir->filePath(u"signupdesk.ini"_s);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
        return {};
    return path;
}

void TestConfig::defaultsMatchApi()
{
    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    const auto config = loadConfig(sources);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().detail));

    QCOMPARE(config->listen, u"127.0.0.1"_s);
    QCOMPARE(config->port, 8080);
    QCOMPARE(config->publicUrl, QString());
    QCOMPARE(config->maxConnections, 10000);
    QCOMPARE(config->maxConnectionsPerAddress, 512);
    QCOMPARE(config->tlsCert, QString());
    QCOMPARE(config->tlsKey, QString());
    QCOMPARE(config->maxBodyBytes, 64 * 1024);
    QCOMPARE(config->threads, 0); // one HTTP server thread per core
    QCOMPARE(config->databaseUrl, u"sqlite:"_s + QDir(m_dir->path()).filePath(u"signupdesk.db"_s));
    QCOMPARE(config->mailTransport, u"file"_s);
    QCOMPARE(config->mailFolder, QDir(m_dir->path()).filePath(u"mail"_s));
    QCOMPARE(config->smtpUrl, QString());
    QCOMPARE(config->mailFrom, u"SignupDesk <noreply@localhost>"_s);
    QCOMPARE(config->mailWelcome, true);
    QCOMPARE(config->mailRejection, true);
    QCOMPARE(config->signupEnabled, true);
    QCOMPARE(config->approvalRequired, true);
    QCOMPARE(config->returnConfirmToken, false);
    QCOMPARE(config->apps, QStringList{u"default"_s});
    QCOMPARE(config->defaultGroup, u"users"_s);
    QCOMPARE(config->verificationStyle, u"token"_s);
    QCOMPARE(config->verificationUrl, QString());
    QCOMPARE(config->verificationTtlSeconds, 172800);
    QCOMPARE(config->loginLinkTtlSeconds, 900);
    QCOMPARE(config->sessionTtlSeconds, 43200);
    QCOMPARE(config->sessionIdleSeconds, 1800);
    QCOMPARE(config->rateLimitEnabled, true);
    QCOMPARE(config->loginFailuresPerWindow, 10);
    QCOMPARE(config->loginFailureWindowSeconds, 900);
    QCOMPARE(config->requestsPerAddressPerMinute, 60);
    QCOMPARE(config->tosVersion, QString());
    QCOMPARE(config->allowedRedirectHosts, QStringList());
    QCOMPARE(config->adminApiEnabled, false);
    QCOMPARE(config->password.memoryKib, 19456u);
    QCOMPARE(config->password.iterations, 2u);
    QCOMPARE(config->password.parallelism, 1u);
    QCOMPARE(config->dataDir, m_dir->path());
}

void TestConfig::iniFileIsRead()
{
    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    sources.iniPath = writeIni("[server]\n"
                               "listen = 0.0.0.0\n"
                               "port = 9090\n"
                               "threads = 3\n"
                               "[database]\n"
                               "url = postgresql://u:p@db.example:5433/sd\n"
                               "[signup]\n"
                               "apps = shop, forum\n"
                               "approval_required = false\n"
                               "[mail]\n"
                               "transport = smtp\n"
                               "smtp_url = smtp://127.0.0.1:2525\n"
                               "folder = /var/mail/sd\n"
                               "[verification]\n"
                               "style = signed\n"
                               "ttl_seconds = 60\n"
                               "[admin]\n"
                               "api_enabled = true\n"
                               "[redirect]\n"
                               "allowed_hosts = a.example, b.example\n");
    QVERIFY(!sources.iniPath.isEmpty());
    const auto config = loadConfig(sources);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().detail));
    QCOMPARE(config->listen, u"0.0.0.0"_s);
    QCOMPARE(config->port, 9090);
    QCOMPARE(config->threads, 3);
    QCOMPARE(config->databaseUrl, u"postgresql://u:p@db.example:5433/sd"_s);
    QCOMPARE(config->apps, (QStringList{u"shop"_s, u"forum"_s}));
    QCOMPARE(config->approvalRequired, false);
    QCOMPARE(config->mailTransport, u"smtp"_s);
    QCOMPARE(config->smtpUrl, u"smtp://127.0.0.1:2525"_s);
    QCOMPARE(config->mailFolder, u"/var/mail/sd"_s);
    QCOMPARE(config->verificationStyle, u"signed"_s);
    QCOMPARE(config->verificationTtlSeconds, 60);
    QCOMPARE(config->adminApiEnabled, true);
    QCOMPARE(config->allowedRedirectHosts, (QStringList{u"a.example"_s, u"b.example"_s}));
}

void TestConfig::precedence_data()
{
    QTest::addColumn<bool>("inFile");
    QTest::addColumn<bool>("inEnvironment");
    QTest::addColumn<bool>("inOverrides");
    QTest::addColumn<int>("expectedPort");
    QTest::newRow("default") << false << false << false << 8080;
    QTest::newRow("file") << true << false << false << 1111;
    QTest::newRow("environment") << false << true << false << 2222;
    QTest::newRow("file < environment") << true << true << false << 2222;
    QTest::newRow("override") << false << false << true << 3333;
    QTest::newRow("file < override") << true << false << true << 3333;
    QTest::newRow("environment < override") << false << true << true << 3333;
    QTest::newRow("file < environment < override") << true << true << true << 3333;
}

void TestConfig::precedence()
{
    QFETCH(bool, inFile);
    QFETCH(bool, inEnvironment);
    QFETCH(bool, inOverrides);
    QFETCH(int, expectedPort);

    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    // The file always sets a second key, which nothing else overrides.
    sources.iniPath =
        writeIni(inFile ? "[server]\nport=1111\nlisten=10.0.0.1\n" : "[server]\nlisten=10.0.0.1\n");
    QVERIFY(!sources.iniPath.isEmpty());
    if (inEnvironment)
        sources.environment.insert(u"SIGNUPDESK_SERVER_PORT"_s, u"2222"_s);
    if (inOverrides)
        sources.overrides.insert(u"server/port"_s, u"3333"_s);
    sources.environment.insert(u"UNRELATED"_s, u"x"_s);

    const auto config = loadConfig(sources);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().detail));
    QCOMPARE(config->port, expectedPort);
    QCOMPARE(config->listen, u"10.0.0.1"_s);
}

void TestConfig::environmentNames_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("key");
    QTest::newRow("signup/approval_required")
        << u"SIGNUPDESK_SIGNUP_APPROVAL_REQUIRED"_s << u"false"_s << u"signup/approval_required"_s;
    QTest::newRow("session/idle_seconds")
        << u"SIGNUPDESK_SESSION_IDLE_SECONDS"_s << u"60"_s << u"session/idle_seconds"_s;
    QTest::newRow("login_link/ttl_seconds")
        << u"SIGNUPDESK_LOGIN_LINK_TTL_SECONDS"_s << u"61"_s << u"login_link/ttl_seconds"_s;
    QTest::newRow("recovery/ttl_seconds")
        << u"SIGNUPDESK_RECOVERY_TTL_SECONDS"_s << u"600"_s << u"recovery/ttl_seconds"_s;
    QTest::newRow("database/url") << u"SIGNUPDESK_DATABASE_URL"_s << u"sqlite:/tmp/x.db"_s
                                  << u"database/url"_s;
    QTest::newRow("admin/api_enabled")
        << u"SIGNUPDESK_ADMIN_API_ENABLED"_s << u"true"_s << u"admin/api_enabled"_s;
    QTest::newRow("lower-case name is not ours")
        << u"signupdesk_server_port"_s << u"1"_s << QString();
}

void TestConfig::environmentNames()
{
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QFETCH(QString, key);

    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    sources.environment.insert(variable, value);
    const auto fromEnvironment = loadConfig(sources);
    QVERIFY(fromEnvironment);
    const auto defaults = loadConfig(ConfigSources{{}, {}, {}, m_dir->path()});
    QVERIFY(defaults);
    if (key.isEmpty()) {
        QCOMPARE(fromEnvironment->port, defaults->port);
        return;
    }
    // The same value given as an override must give the same config.
    ConfigSources viaOverride;
    viaOverride.defaultDataDir = m_dir->path();
    viaOverride.overrides.insert(key, value);
    const auto fromOverride = loadConfig(viaOverride);
    QVERIFY(fromOverride);
    QCOMPARE(fromEnvironment->approvalRequired, fromOverride->approvalRequired);
    QCOMPARE(fromEnvironment->sessionIdleSeconds, fromOverride->sessionIdleSeconds);
    QCOMPARE(fromEnvironment->loginLinkTtlSeconds, fromOverride->loginLinkTtlSeconds);
    QCOMPARE(fromEnvironment->recoveryTtlSeconds, fromOverride->recoveryTtlSeconds);
    QCOMPARE(fromEnvironment->databaseUrl, fromOverride->databaseUrl);
    QCOMPARE(fromEnvironment->adminApiEnabled, fromOverride->adminApiEnabled);
    // …and differ from the defaults.
    const bool changed = fromEnvironment->approvalRequired != defaults->approvalRequired ||
                         fromEnvironment->sessionIdleSeconds != defaults->sessionIdleSeconds ||
                         fromEnvironment->loginLinkTtlSeconds != defaults->loginLinkTtlSeconds ||
                         fromEnvironment->recoveryTtlSeconds != defaults->recoveryTtlSeconds ||
                         fromEnvironment->databaseUrl != defaults->databaseUrl ||
                         fromEnvironment->adminApiEnabled != defaults->adminApiEnabled;
    QVERIFY(changed);
}

void TestConfig::booleans_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("value");
    QTest::newRow("true") << u"true"_s << true;
    QTest::newRow("TRUE") << u"TRUE"_s << true;
    QTest::newRow("1") << u"1"_s << true;
    QTest::newRow("yes") << u"yes"_s << true;
    QTest::newRow("on") << u"on"_s << true;
    QTest::newRow("false") << u"false"_s << false;
    QTest::newRow("0") << u"0"_s << false;
    QTest::newRow("no") << u"no"_s << false;
    QTest::newRow("Off") << u"Off"_s << false;
}

void TestConfig::booleans()
{
    QFETCH(QString, text);
    QFETCH(bool, value);
    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    sources.overrides.insert(u"admin/api_enabled"_s, text);
    sources.overrides.insert(u"signup/approval_required"_s, text);
    const auto config = loadConfig(sources);
    QVERIFY(config);
    QCOMPARE(config->adminApiEnabled, value);
    QCOMPARE(config->approvalRequired, value);
}

void TestConfig::badValues_data()
{
    QTest::addColumn<QString>("source"); // ini, env or override
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("namedKey");

    QTest::newRow("port 70000 (file)")
        << u"ini"_s << u"server/port"_s << u"70000"_s << u"server/port"_s;
    QTest::newRow("port 70000 (environment)")
        << u"env"_s << u"server/port"_s << u"70000"_s << u"server/port"_s;
    QTest::newRow("port 70000 (override)")
        << u"override"_s << u"server/port"_s << u"70000"_s << u"server/port"_s;
    QTest::newRow("port -1") << u"override"_s << u"server/port"_s << u"-1"_s << u"server/port"_s;
    QTest::newRow("threads -1") << u"override"_s << u"server/threads"_s << u"-1"_s
                                << u"server/threads"_s;
    QTest::newRow("port not a number")
        << u"override"_s << u"server/port"_s << u"80ab"_s << u"server/port"_s;
    QTest::newRow("bool maybe (file)")
        << u"ini"_s << u"signup/approval_required"_s << u"maybe"_s << u"signup/approval_required"_s;
    QTest::newRow("bool maybe (environment)")
        << u"env"_s << u"admin/api_enabled"_s << u"maybe"_s << u"admin/api_enabled"_s;
    QTest::newRow("verification style foo")
        << u"ini"_s << u"verification/style"_s << u"foo"_s << u"verification/style"_s;
    QTest::newRow("smtp without url")
        << u"ini"_s << u"mail/transport"_s << u"smtp"_s << u"mail/smtp_url"_s;
    QTest::newRow("unknown transport")
        << u"override"_s << u"mail/transport"_s << u"pigeon"_s << u"mail/transport"_s;
    QTest::newRow("ttl zero") << u"override"_s << u"verification/ttl_seconds"_s << u"0"_s
                              << u"verification/ttl_seconds"_s;
    QTest::newRow("ttl negative") << u"env"_s << u"session/ttl_seconds"_s << u"-5"_s
                                  << u"session/ttl_seconds"_s;
    QTest::newRow("session idle not a number")
        << u"ini"_s << u"session/idle_seconds"_s << u"soon"_s << u"session/idle_seconds"_s;
    QTest::newRow("no apps") << u"override"_s << u"signup/apps"_s << u" , "_s << u"signup/apps"_s;
    QTest::newRow("tls cert without key")
        << u"override"_s << u"server/tls_cert"_s << u"/etc/cert.pem"_s << u"server/tls_key"_s;
    // The Settings dialog's rules (core/settings/settingsrules) hold at start-up too.
    QTest::newRow("app not a code name (file)")
        << u"ini"_s << u"signup/apps"_s << u"two words"_s << u"signup/apps"_s;
    QTest::newRow("app listed twice")
        << u"env"_s << u"signup/apps"_s << u"shop,shop"_s << u"signup/apps"_s;
    QTest::newRow("empty default group (file)")
        << u"ini"_s << u"signup/default_group"_s << u""_s << u"signup/default_group"_s;
    QTest::newRow("blank default group")
        << u"override"_s << u"signup/default_group"_s << u"  "_s << u"signup/default_group"_s;
    QTest::newRow("default group with a comma (file)")
        << u"ini"_s << u"signup/default_group"_s << u"\"a,b\""_s << u"signup/default_group"_s;
    QTest::newRow("default group with a control character")
        << u"env"_s << u"signup/default_group"_s << u"us\u0001ers"_s << u"signup/default_group"_s;
    QTest::newRow("smtp url not smtp") << u"override"_s << u"mail/smtp_url"_s
                                       << u"http://mail.example.org"_s << u"mail/smtp_url"_s;
    QTest::newRow("sender not an address (environment)")
        << u"env"_s << u"mail/from"_s << u"SignupDesk <nobody>"_s << u"mail/from"_s;
    QTest::newRow("sender not an address (file)")
        << u"ini"_s << u"mail/from"_s << u"desk at example"_s << u"mail/from"_s;
}

// A value the rules accept loads as given (and the shipped defaults pass them: defaultsMatchApi).
void TestConfig::goodEditableValues()
{
    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    sources.iniPath = writeIni("[signup]\napps=shop, forum.v2, a_b-c\ndefault_group=Members Ltd\n"
                               "[mail]\nfrom=\"Desk <desk@example.org>\"\ntransport=smtp\n"
                               "smtp_url=smtps://u:p@mail.example.org:465\n");
    QVERIFY(!sources.iniPath.isEmpty());
    const auto config = loadConfig(sources);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().detail));
    QCOMPARE(config->apps, (QStringList{u"shop"_s, u"forum.v2"_s, u"a_b-c"_s}));
    QCOMPARE(config->defaultGroup, u"Members Ltd"_s);
    QCOMPARE(config->mailFrom, u"Desk <desk@example.org>"_s);
}

void TestConfig::badValues()
{
    QFETCH(QString, source);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, namedKey);

    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    if (source == u"ini"_s) {
        const QString section = key.section(u'/', 0, 0);
        const QString name = key.section(u'/', 1);
        sources.iniPath = writeIni(u"[%1]\n%2=%3\n"_s.arg(section, name, value).toUtf8());
        QVERIFY(!sources.iniPath.isEmpty());
    } else if (source == u"env"_s) {
        QString variable = u"SIGNUPDESK_"_s + key.toUpper();
        variable.replace(u'/', u'_');
        sources.environment.insert(variable, value);
    } else {
        sources.overrides.insert(key, value);
    }
    const auto config = loadConfig(sources);
    QVERIFY(!config);
    QCOMPARE(config.error().code, ErrorCode::Validation);
    QVERIFY2(config.error().detail.contains(namedKey), qPrintable(config.error().detail));
}

void TestConfig::missingFileIsAnError()
{
    ConfigSources sources;
    sources.defaultDataDir = m_dir->path();
    sources.iniPath = m_dir->filePath(u"does-not-exist.ini"_s);
    const auto config = loadConfig(sources);
    QVERIFY(!config);
    QCOMPARE(config.error().code, ErrorCode::Validation);
    QVERIFY2(config.error().detail.contains(sources.iniPath), qPrintable(config.error().detail));
}

void TestConfig::everyKeyIsKnown()
{
    const QStringList keys = sd::core::knownConfigKeys();
    for (const char *key : {"server/listen",
                            "server/port",
                            "server/public_url",
                            "server/max_connections",
                            "server/max_connections_per_address",
                            "server/tls_cert",
                            "server/tls_key",
                            "server/threads",
                            "database/url",
                            "mail/transport",
                            "mail/folder",
                            "mail/smtp_url",
                            "mail/from",
                            "signup/enabled",
                            "signup/approval_required",
                            "signup/return_confirm_token",
                            "signup/apps",
                            "signup/default_group",
                            "verification/style",
                            "verification/url",
                            "verification/ttl_seconds",
                            "login_link/ttl_seconds",
                            "recovery/ttl_seconds",
                            "session/ttl_seconds",
                            "session/idle_seconds",
                            "mail/welcome",
                            "mail/rejection",
                            "ratelimit/enabled",
                            "tos/version",
                            "redirect/allowed_hosts",
                            "admin/api_enabled"})
        QVERIFY2(keys.contains(QString::fromLatin1(key)), key);
    QCOMPARE(keys.size(), QSet<QString>(keys.cbegin(), keys.cend()).size());
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
