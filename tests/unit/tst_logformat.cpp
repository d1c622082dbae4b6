// Log lines escape CR/LF (SEC-35): what a message holds can never start a line of its own.

#include "logformat.h"

#include <QTest>

using namespace Qt::StringLiterals;
using sd::core::escapeLogText;

namespace {

QStringList handedOn;
void capture(QtMsgType, const QMessageLogContext &, const QString &message)
{
    handedOn.append(message);
}

} // namespace

class TestLogFormat : public QObject
{
    Q_OBJECT

private slots:
    void escapes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("logged");
        QTest::newRow("plain") << u"outbox: sent 3"_s << u"outbox: sent 3"_s;
        QTest::newRow("tab kept") << u"a\tb"_s << u"a\tb"_s;
        QTest::newRow("crlf") << u"said x\r\nFORGED 200"_s << u"said x\\r\\nFORGED 200"_s;
        QTest::newRow("lone lf") << u"\nstart"_s << u"\\nstart"_s;
        QTest::newRow("backslash") << u"a\\nb"_s << u"a\\\\nb"_s;
        QTest::newRow("nul and esc") << QString(u"a\0b\x1b[31m"_s) << u"a\\x00b\\x1b[31m"_s;
        QTest::newRow("del and c1") << QString(u"\x7f\x85"_s) << u"\\x7f\\x85"_s;
        QTest::newRow("line separators")
            << QString(QChar(0x2028)) + QChar(0x2029) << u"\\u2028\\u2029"_s;
        QTest::newRow("non-ascii kept") << u"Zoë 日本 🙂"_s << u"Zoë 日本 🙂"_s;
    }
    void escapes()
    {
        QFETCH(QString, text);
        QFETCH(QString, logged);
        const QString escaped = escapeLogText(text);
        QCOMPARE(escaped, logged);
        QVERIFY(!escaped.contains(u'\n') && !escaped.contains(u'\r'));
    }

    // The installed handler escapes and hands the message on to the handler before it.
    void handlerEscapesEveryMessage()
    {
        const QtMessageHandler before = qInstallMessageHandler(capture);
        sd::core::installEscapingLogHandler();
        sd::core::installEscapingLogHandler(); // a second call changes nothing
        qWarning("provider said %s", "x\r\nFORGED line");
        qInfo().noquote() << u"path /a\nb"_s;
        qInstallMessageHandler(before);
        QCOMPARE(handedOn.size(), 2);
        QCOMPARE(handedOn.at(0), u"provider said x\\r\\nFORGED line"_s);
        QCOMPARE(handedOn.at(1), u"path /a\\nb"_s);
    }
};

QTEST_GUILESS_MAIN(TestLogFormat)
#include "tst_logformat.moc"
