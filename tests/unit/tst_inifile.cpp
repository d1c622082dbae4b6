// writeIniValues: what it writes, QSettings (through loadConfig) reads back exactly, and the
// lines it does not touch (comments, other keys, their order) stay as they were.

#include "config.h"
#include "settings/inifile.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void writeText(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

} // namespace

class TestIniFile : public QObject
{
    Q_OBJECT

private slots:
    void keepsCommentsAndOtherKeys()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"signupdesk.ini"_s);
        writeText(path, "; SignupDesk, production\n"
                        "[server]\n"
                        "# the public port\n"
                        "port=9090\n"
                        "\n"
                        "[signup]\n"
                        "enabled=true   \n"
                        "apps=default\n"
                        "\n"
                        "[mail]\n"
                        "transport=file\n");
        QVERIFY(sd::core::writeIniValues(path, {{u"signup/enabled"_s, u"false"_s},
                                                {u"signup/approval_required"_s, u"false"_s},
                                                {u"mail/from"_s, u"Desk <desk@example.org>"_s},
                                                {u"verification/ttl_seconds"_s, u"3600"_s}}));
        QCOMPARE(readText(path), u"; SignupDesk, production\n"
                                 "[server]\n"
                                 "# the public port\n"
                                 "port=9090\n"
                                 "\n"
                                 "[signup]\n"
                                 "enabled=false\n"
                                 "apps=default\n"
                                 "approval_required=false\n"
                                 "\n"
                                 "[mail]\n"
                                 "transport=file\n"
                                 "from=Desk <desk@example.org>\n"
                                 "\n"
                                 "[verification]\n"
                                 "ttl_seconds=3600\n"_s);
        sd::core::ConfigSources sources;
        sources.iniPath = path;
        auto config = sd::core::loadConfig(sources);
        QVERIFY2(config, qPrintable(config ? QString() : config.error().detail));
        QCOMPARE(config->port, 9090);
        QCOMPARE(config->signupEnabled, false);
        QCOMPARE(config->approvalRequired, false);
        QCOMPARE(config->mailFrom, u"Desk <desk@example.org>"_s);
        QCOMPARE(config->verificationTtlSeconds, qint64(3600));
    }

    void valuesReadBackExactly_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("plain") << u"smtp://127.0.0.1:2525"_s;
        QTest::newRow("comma list") << u"default,shop,forum"_s;
        QTest::newRow("semicolon and hash") << u"smtps://u:p;a#ss@host:465"_s;
        QTest::newRow("quotes and backslash") << u"Desk \"HQ\" \\ <desk@example.org>"_s;
        QTest::newRow("leading @") << u"@home"_s;
        QTest::newRow("spaces around") << u"  padded  "_s;
        QTest::newRow("non-ASCII") << u"Café Desk <café@example.org>"_s;
        QTest::newRow("equals") << u"a=b"_s;
        QTest::newRow("empty") << QString();
    }

    void valuesReadBackExactly()
    {
        QFETCH(QString, value);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"x.ini"_s);
        QVERIFY(sd::core::writeIniValues(path, {{u"mail/smtp_url"_s, value}}));
        QSettings ini(path, QSettings::IniFormat);
        // loadConfig joins what QSettings splits at unquoted commas: do the same.
        QCOMPARE(ini.value(u"mail/smtp_url"_s).toStringList().join(u','), value);
        // And again over the line it wrote.
        QVERIFY(sd::core::writeIniValues(path, {{u"mail/smtp_url"_s, value + u"2"_s}}));
        QSettings again(path, QSettings::IniFormat);
        QCOMPARE(again.value(u"mail/smtp_url"_s).toStringList().join(u','), value + u"2"_s);
        QCOMPARE(readText(path).count(u"smtp_url="_s), 1);
    }

    void newFileIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"sub/folder/signupdesk.ini"_s);
        QVERIFY(sd::core::writeIniValues(path, {{u"signup/enabled"_s, u"false"_s}}));
        QCOMPARE(readText(path), u"[signup]\nenabled=false\n"_s);
        QCOMPARE(QFile::permissions(path) & (QFileDevice::ReadGroup | QFileDevice::ReadOther |
                                             QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
    }

    void keepsCrLfAndPermissions()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"crlf.ini"_s);
        writeText(path, "[signup]\r\nenabled=true\r\n");
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                        QFileDevice::ReadGroup);
        QVERIFY(sd::core::writeIniValues(path, {{u"signup/enabled"_s, u"false"_s}}));
        QCOMPARE(readText(path), u"[signup]\r\nenabled=false\r\n"_s);
        QCOMPARE(QFile::permissions(path) & QFileDevice::ReadGroup, QFileDevice::ReadGroup);
    }

    void duplicateKeysCollapse()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"dup.ini"_s);
        writeText(path, "[signup]\nenabled=true\nenabled=true\n");
        QVERIFY(sd::core::writeIniValues(path, {{u"signup/enabled"_s, u"false"_s}}));
        QCOMPARE(readText(path), u"[signup]\nenabled=false\n"_s);
    }

    void unwritableIsAnErrorAndWritesNothing()
    {
        QTemporaryDir dir;
        // A folder that cannot exist: its parent is a file (this holds for root too).
        const QString blocker = dir.filePath(u"afile"_s);
        writeText(blocker, "not a folder");
        auto r = sd::core::writeIniValues(blocker + u"/signupdesk.ini"_s,
                                          {{u"signup/enabled"_s, u"false"_s}});
        QVERIFY(!r);
        QCOMPARE(r.error().code, sd::core::ErrorCode::Unavailable);
        QVERIFY2(r.error().detail.contains(blocker), qPrintable(r.error().detail));
        // A folder where the file should be.
        auto dirAsFile = sd::core::writeIniValues(dir.path(), {{u"signup/enabled"_s, u"false"_s}});
        QVERIFY(!dirAsFile);
        QCOMPARE(readText(blocker), u"not a folder"_s);
    }
};

QTEST_GUILESS_MAIN(TestIniFile)
#include "tst_inifile.moc"
