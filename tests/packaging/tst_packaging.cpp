// The example configuration the package installs (/etc/signupdesk/signupdesk.ini): it names
// every key the program reads, no other, and loads as the service's configuration (state under
// /var/lib/signupdesk, the rest the built-in defaults).

#include "config.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

class TestPackaging : public QObject
{
    Q_OBJECT

    QString iniPath() const
    {
        return qEnvironmentVariable("SD_SOURCE_DIR") + u"/packaging/signupdesk.ini"_s;
    }

private slots:
    void exampleConfigNamesEveryKey()
    {
        QFile file(iniPath());
        QVERIFY2(file.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(iniPath()));
        const QRegularExpression section(u"^\\[([a-z_]+)\\]$"_s);
        const QRegularExpression key(u"^;?([a-z_]+)="_s); // set, or commented with its default
        QString current;
        QSet<QString> named;
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (const auto m = section.match(line); m.hasMatch())
                current = m.captured(1);
            else if (const auto k = key.match(line); k.hasMatch()) {
                QVERIFY2(!current.isEmpty(), qPrintable(line));
                named.insert(current + u'/' + k.captured(1));
            }
        }
        const QStringList known = sd::core::knownConfigKeys();
        const QSet<QString> knownSet(known.cbegin(), known.cend());
        for (const QString &k : known)
            QVERIFY2(named.contains(k), qPrintable(u"missing from the example: "_s + k));
        for (const QString &k : named)
            QVERIFY2(knownSet.contains(k), qPrintable(u"not a key the program reads: "_s + k));
    }

    void exampleConfigLoadsWithStateUnderVarLib()
    {
        sd::core::ConfigSources sources;
        sources.iniPath = iniPath();
        sources.defaultDataDir = u"/nonexistent/home/data"_s;
        const auto config = sd::core::loadConfig(sources);
        QVERIFY2(config.has_value(), config ? "" : qPrintable(config.error().detail));
        QCOMPARE(config->databaseUrl, u"sqlite:/var/lib/signupdesk/signupdesk.db"_s);
        QCOMPARE(config->mailTransport, u"file"_s);
        QCOMPARE(config->mailFolder, u"/var/lib/signupdesk/mail"_s);
        const sd::core::Config defaults;
        QCOMPARE(config->listen, defaults.listen);
        QCOMPARE(config->port, defaults.port);
        QCOMPARE(config->apps, defaults.apps);
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
