#include "filemailer.h"
#include "mime.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using sd::mail::FileMailer;
using sd::mail::Message;
using sd::mail::SendResult;

namespace {

Message sampleMessage(const QString &messageId = u"msg_abc123@signupdesk"_s)
{
    Message message;
    message.messageId = messageId;
    message.from = u"SignupDesk <noreply@example.org>"_s;
    message.to = u"alice@example.com"_s;
    message.subject = u"Bestätigen Sie Ihre E-Mail — ça marche"_s;
    message.textBody = u"Hallo Alice,\nbitte bestätigen: https://desk.example.org/c?t=abc\n"_s;
    message.htmlBody = u"<p>Hallo Alice</p>\n"_s;
    message.date = QDateTime(QDate(2026, 11, 22), QTime(10, 0), Qt::UTC);
    return message;
}

// Exact POSIX mode bits: QFile::permissions() folds owner and user together.
int modeOf(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

// The boundary is random per rendering: compare two renderings with it replaced.
QByteArray withoutBoundary(QByteArray raw)
{
    static const QRegularExpression boundary(u"boundary=\"([^\"]+)\""_s);
    const QRegularExpressionMatch match = boundary.match(QString::fromLatin1(raw));
    if (match.hasMatch())
        raw.replace(match.captured(1).toLatin1(), "BOUNDARY");
    return raw;
}

QStringList entriesOf(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System |
                                  QDir::NoDotAndDotDot);
}

} // namespace

class TestFileMailer : public QObject
{
    Q_OBJECT

private slots:
    void writesMessage();
    void createsMissingFolderOwnerOnly();
    void sanitizesFileName_data();
    void sanitizesFileName();
    void overwritesOnRetry();
    void folderIsAFile();
    void emptyMessageId();
    void describe();
};

void TestFileMailer::writesMessage()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString folder = root.filePath(u"mail"_s);
    FileMailer mailer(folder);
    const Message message = sampleMessage();

    const SendResult result = mailer.send(message);
    QCOMPARE(result.kind, SendResult::Kind::Sent);
    QVERIFY(result.isSent());
    const QString path = folder + u"/msg_abc123@signupdesk.eml"_s;
    QCOMPARE(result.reply, u"written "_s + path);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(withoutBoundary(file.readAll()), withoutBoundary(sd::mail::renderMime(message)));
    QCOMPARE(modeOf(path), 0600);
    // Written atomically: no temporary file is left beside it.
    QCOMPARE(entriesOf(folder), QStringList{u"msg_abc123@signupdesk.eml"_s});
}

void TestFileMailer::createsMissingFolderOwnerOnly()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString folder = root.filePath(u"a/b/mail"_s);
    QVERIFY(!QFileInfo::exists(folder));
    FileMailer mailer(folder);

    QCOMPARE(mailer.send(sampleMessage()).kind, SendResult::Kind::Sent);
    QVERIFY(QFileInfo(folder).isDir());
    QCOMPARE(modeOf(folder), 0700);
}

void TestFileMailer::sanitizesFileName_data()
{
    QTest::addColumn<QString>("messageId");
    QTest::addColumn<QString>("fileName");
    QTest::newRow("typical") << u"msg_0f3a-9.b@signupdesk.example"_s
                             << u"msg_0f3a-9.b@signupdesk.example.eml"_s;
    QTest::newRow("slashes") << u"a b/c\\d"_s << u"a_b_c_d.eml"_s;
    QTest::newRow("parent folder") << u"../../etc/passwd"_s << u"___.._etc_passwd.eml"_s;
    QTest::newRow("hidden") << u".profile"_s << u"_profile.eml"_s;
    QTest::newRow("angle brackets") << u"<id@host>"_s << u"_id@host_.eml"_s;
    QTest::newRow("non-ascii") << u"grüße@host"_s << u"gr__e@host.eml"_s;
    QTest::newRow("line breaks") << u"a\r\nb"_s << u"a__b.eml"_s;
}

void TestFileMailer::sanitizesFileName()
{
    QFETCH(QString, messageId);
    QFETCH(QString, fileName);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString folder = root.filePath(u"mail"_s);
    FileMailer mailer(folder);

    const SendResult result = mailer.send(sampleMessage(messageId));
    QCOMPARE(result.kind, SendResult::Kind::Sent);
    QCOMPARE(entriesOf(folder), QStringList{fileName});
    QCOMPARE(entriesOf(root.path()), QStringList{u"mail"_s}); // nothing escaped the folder
    QCOMPARE(result.reply, u"written "_s + folder + u'/' + fileName);
}

void TestFileMailer::overwritesOnRetry()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    FileMailer mailer(root.path());
    Message message = sampleMessage();
    QVERIFY(mailer.send(message).isSent());
    const QString path = root.filePath(u"msg_abc123@signupdesk.eml"_s);
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));

    message.textBody = u"second attempt"_s;
    QVERIFY(mailer.send(message).isSent());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(withoutBoundary(file.readAll()), withoutBoundary(sd::mail::renderMime(message)));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(entriesOf(root.path()).size(), 1);
}

void TestFileMailer::folderIsAFile()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString notAFolder = root.filePath(u"mail"_s);
    QFile blocker(notAFolder);
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();

    FileMailer mailer(notAFolder);
    const SendResult result = mailer.send(sampleMessage());
    QCOMPARE(result.kind, SendResult::Kind::TemporaryFailure);
    QVERIFY2(result.reply.contains(notAFolder), qPrintable(result.reply));

    FileMailer below(notAFolder + u"/sub"_s);
    QCOMPARE(below.send(sampleMessage()).kind, SendResult::Kind::TemporaryFailure);
}

void TestFileMailer::emptyMessageId()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    FileMailer mailer(root.path());
    const SendResult result = mailer.send(sampleMessage(QString()));
    QCOMPARE(result.kind, SendResult::Kind::PermanentFailure);
    QVERIFY(entriesOf(root.path()).isEmpty());
}

void TestFileMailer::describe()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    FileMailer mailer(root.filePath(u"mail"_s));
    QCOMPARE(mailer.describe(), u"file://"_s + root.filePath(u"mail"_s));
}

QTEST_GUILESS_MAIN(TestFileMailer)
#include "tst_filemailer.moc"
