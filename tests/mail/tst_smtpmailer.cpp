#include "mime.h"
#include "smtpmailer.h"
#include "smtpsink.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using sd::mail::Message;
using sd::mail::SendResult;
using sd::mail::SmtpMailer;

namespace {

Message sampleMessage(const QString &from = u"SignupDesk <noreply@example.org>"_s)
{
    Message message;
    message.messageId = u"msg_smtp_1@signupdesk"_s;
    message.from = from;
    message.to = u"alice@example.com"_s;
    message.subject = u"Bestätigen Sie Ihre E-Mail — ça marche"_s;
    message.textBody = u"Hallo Alice,\n.\nbitte bestätigen: https://desk.example.org/c?t=abc\n"_s;
    message.htmlBody = u"<p>Hallo Alice</p>\n"_s;
    message.date = QDateTime(QDate(2026, 11, 22), QTime(10, 0), Qt::UTC);
    return message;
}

QByteArray withoutBoundary(QByteArray raw)
{
    static const QRegularExpression boundary(u"boundary=\"([^\"]+)\""_s);
    const QRegularExpressionMatch match = boundary.match(QString::fromLatin1(raw));
    if (match.hasMatch())
        raw.replace(match.captured(1).toLatin1(), "BOUNDARY");
    return raw;
}

// A loopback port that is bound but not listening: connecting is refused at once, and no
// other process can take the port while the test runs.
class RefusingPort
{
public:
    RefusingPort()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
            ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            return;
        m_port = ntohs(address.sin_port);
    }
    ~RefusingPort()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    RefusingPort(const RefusingPort &) = delete;
    RefusingPort &operator=(const RefusingPort &) = delete;
    quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

} // namespace

class TestSmtpMailer : public QObject
{
    Q_OBJECT

private slots:
    void delivers_data();
    void delivers();
    void serverDownIsTemporaryAndFast();
    void refusedData_data();
    void refusedData();
    void describeHidesPassword_data();
    void describeHidesPassword();
    void authRequired();
    void passwordNeedsTlsOffLoopback();
    void tlsEndToEnd_data();
    void tlsEndToEnd();
    void concurrentSends();
};

void TestSmtpMailer::delivers_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("envelopeFrom");
    QTest::newRow("name and address")
        << u"SignupDesk <noreply@example.org>"_s << u"noreply@example.org"_s;
    QTest::newRow("bare address") << u"noreply@example.org"_s << u"noreply@example.org"_s;
    QTest::newRow("quoted name") << u"\"Desk, Inc.\" <desk@example.org>"_s << u"desk@example.org"_s;
    QTest::newRow("non-ascii name") << u"Café Équipe <cafe@example.org>"_s << u"cafe@example.org"_s;
}

void TestSmtpMailer::delivers()
{
    QFETCH(QString, from);
    QFETCH(QString, envelopeFrom);
    SmtpSink sink;
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));
    SmtpMailer mailer(sink.url());
    const Message message = sampleMessage(from);

    const SendResult result = mailer.send(message);
    QVERIFY2(result.isSent(), qPrintable(result.reply));
    QCOMPARE(result.kind, SendResult::Kind::Sent);

    // The sink has answered 250 only after it logged the message.
    const QList<SmtpSink::Transaction> received = sink.transactions();
    QCOMPARE(received.size(), 1);
    const SmtpSink::Transaction &mail = received.first();
    QVERIFY(mail.accepted);
    QVERIFY(result.reply.startsWith(u"250 "_s));
    QCOMPARE(result.reply, mail.reply); // the server's own reply line, for the console
    QCOMPARE(mail.mailFrom, envelopeFrom);
    QCOMPARE(mail.rcptTos, QStringList{u"alice@example.com"_s});
    QVERIFY(mail.authLogin.isEmpty());

    QVERIFY(mail.raw.contains("\r\nMessage-ID: <msg_smtp_1@signupdesk>\r\n"));
    QVERIFY(mail.raw.contains("\r\nTo: alice@example.com\r\n"));
    QVERIFY(mail.raw.contains("\r\nSubject: =?UTF-8?B?"));
    // Byte for byte what renderMime wrote (dot-stuffing undone by the server).
    QCOMPARE(withoutBoundary(mail.raw), withoutBoundary(sd::mail::renderMime(message)));
}

void TestSmtpMailer::serverDownIsTemporaryAndFast()
{
    RefusingPort closed;
    QVERIFY(closed.port() != 0);
    SmtpMailer mailer(u"smtp://user:secret@127.0.0.1:"_s + QString::number(closed.port()));

    QElapsedTimer timer;
    timer.start();
    const SendResult result = mailer.send(sampleMessage());
    QCOMPARE(result.kind, SendResult::Kind::TemporaryFailure);
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(!result.reply.isEmpty());
    QVERIFY2(!result.reply.contains(u"secret"_s), qPrintable(result.reply));
}

void TestSmtpMailer::refusedData_data()
{
    QTest::addColumn<int>("failCode");
    QTest::addColumn<SendResult::Kind>("kind");
    QTest::newRow("550 rejected") << 550 << SendResult::Kind::PermanentFailure;
    QTest::newRow("554 failed") << 554 << SendResult::Kind::PermanentFailure;
    QTest::newRow("421 not available") << 421 << SendResult::Kind::TemporaryFailure;
    QTest::newRow("450 mailbox busy") << 450 << SendResult::Kind::TemporaryFailure;
}

void TestSmtpMailer::refusedData()
{
    QFETCH(int, failCode);
    QFETCH(SendResult::Kind, kind);
    SmtpSink sink({.failCode = failCode});
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));
    SmtpMailer mailer(sink.url(u"user"_s, u"secret"_s));

    const SendResult result = mailer.send(sampleMessage());
    QCOMPARE(result.kind, kind);
    QVERIFY2(result.reply.startsWith(QString::number(failCode) + u' '), qPrintable(result.reply));
    QVERIFY2(!result.reply.contains(u"secret"_s), qPrintable(result.reply));

    // Refused at the end of DATA, after the whole message went through.
    const QList<SmtpSink::Transaction> received = sink.transactions();
    QCOMPARE(received.size(), 1);
    QVERIFY(!received.first().accepted);
    QVERIFY(result.reply.startsWith(received.first().reply));
}

void TestSmtpMailer::describeHidesPassword_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("described");
    QTest::newRow("user and password")
        << u"smtp://user:secret@127.0.0.1:2525"_s << u"smtp://127.0.0.1:2525"_s;
    QTest::newRow("smtps, encoded password")
        << u"smtps://me%40example.org:se%3Acret@mail.example.org:465"_s
        << u"smtps://mail.example.org:465"_s;
    QTest::newRow("user only") << u"smtp://user@127.0.0.1:25"_s << u"smtp://127.0.0.1:25"_s;
    QTest::newRow("no credentials") << u"smtp://127.0.0.1:2525"_s << u"smtp://127.0.0.1:2525"_s;
    QTest::newRow("with EHLO domain") << u"smtp://u:secret@mail.example.org:587/desk.example.org"_s
                                      << u"smtp://mail.example.org:587/desk.example.org"_s;
    QTest::newRow("unparseable") << u"smtp://u:sec ret@[bad:2525"_s << u"smtp://[bad:2525"_s;
}

void TestSmtpMailer::describeHidesPassword()
{
    QFETCH(QString, url);
    QFETCH(QString, described);
    QCOMPARE(SmtpMailer(url).describe(), described);
}

void TestSmtpMailer::authRequired()
{
    SmtpSink sink({.requireAuth = true});
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));

    const SendResult anonymous = SmtpMailer(sink.url()).send(sampleMessage());
    QCOMPARE(anonymous.kind, SendResult::Kind::PermanentFailure);
    QVERIFY2(anonymous.reply.startsWith(u"530 "_s), qPrintable(anonymous.reply));
    QVERIFY(sink.transactions().isEmpty());

    // A password with characters that must be percent-encoded in the URL.
    const QString password = u"se:cr@t/%"_s;
    SmtpMailer mailer(sink.url(u"desk"_s, password));
    const SendResult result = mailer.send(sampleMessage());
    QVERIFY2(result.isSent(), qPrintable(result.reply));
    QVERIFY(!result.reply.contains(password));
    const QList<SmtpSink::Transaction> received = sink.transactions();
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().authLogin, u"desk"_s);
    QVERIFY(!mailer.describe().contains(password));
    QVERIFY(!mailer.describe().contains(u"se%3Acr"_s));
}

void TestSmtpMailer::tlsEndToEnd_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("scheme");
    QTest::newRow("smtps") << u"smtps"_s << u"smtps"_s;
    QTest::newRow("STARTTLS, required by the server") << u"starttls"_s << u"smtp"_s;
}

// Real TLS on loopback: a self-signed certificate for 127.0.0.1, trusted through the CA file
// option (mail/smtp_ca_file). Without it the certificate must be refused; with it the message,
// and AUTH, go through the encrypted connection.
void TestSmtpMailer::tlsEndToEnd()
{
    QFETCH(QString, mode);
    QFETCH(QString, scheme);
    QTemporaryDir dir;
    const QString cert = dir.filePath(u"cert.pem"_s), key = dir.filePath(u"key.pem"_s);
    QProcess openssl;
    openssl.start(u"openssl"_s,
                  {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s,
                   key, u"-out"_s, cert, u"-days"_s, u"1"_s, u"-subj"_s, u"/CN=127.0.0.1"_s,
                   u"-addext"_s, u"subjectAltName=IP:127.0.0.1"_s});
    QVERIFY(openssl.waitForFinished(30000));
    QCOMPARE(openssl.exitCode(), 0);

    SmtpSink::Options options;
    options.tlsMode = mode;
    options.tlsCert = cert;
    options.tlsKey = key;
    options.requireAuth = true;
    SmtpSink sink(options);
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));
    const QString url = u"%1://desk:s3cret@127.0.0.1:%2"_s.arg(scheme).arg(sink.port());

    const SendResult untrusted = SmtpMailer(url).send(sampleMessage());
    QVERIFY2(!untrusted.isSent(), qPrintable(untrusted.reply));
    QCOMPARE(sink.messages().size(), 0);

    const SendResult trusted = SmtpMailer(url, cert).send(sampleMessage());
    QVERIFY2(trusted.isSent(), qPrintable(trusted.reply));
    QTRY_COMPARE(sink.messages().size(), 1);
    QCOMPARE(sink.transactions().last().authLogin, u"desk"_s);
    QVERIFY(!trusted.reply.contains(u"s3cret"_s));
}

void TestSmtpMailer::passwordNeedsTlsOffLoopback()
{
    SmtpSink sink;
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));
    // The IPv4-mapped form reaches the sink but is not one of the loopback spellings SmtpMailer
    // trusts (localhost, 127.x, ::1), so it stands in for a remote server here.
    const QString hostPort = u"[::ffff:127.0.0.1]:"_s + QString::number(sink.port());
    const SendResult anonymous = SmtpMailer(u"smtp://"_s + hostPort).send(sampleMessage());
    QVERIFY2(anonymous.isSent(),
             qPrintable(u"IPv4-mapped IPv6 unavailable here: "_s + anonymous.reply));
    QCOMPARE(sink.messages().size(), 1);

    // The sink offers no STARTTLS: with a password, SmtpMailer must refuse to go on in clear.
    const SendResult result = SmtpMailer(u"smtp://user:secret@"_s + hostPort).send(sampleMessage());
    QCOMPARE(result.kind, SendResult::Kind::TemporaryFailure);
    QVERIFY2(result.reply.contains(u"STARTTLS"_s), qPrintable(result.reply));
    QVERIFY(!result.reply.contains(u"secret"_s));
    QCOMPARE(sink.messages().size(), 1);
}

void TestSmtpMailer::concurrentSends()
{
    SmtpSink sink;
    QVERIFY2(sink.start(), qPrintable(sink.errorString()));
    SmtpMailer mailer(sink.url());
    constexpr int senders = 4;
    std::vector<SendResult> results(senders);
    {
        std::vector<std::jthread> threads;
        for (int i = 0; i < senders; ++i) {
            threads.emplace_back([&mailer, &results, i] {
                Message message = sampleMessage();
                message.messageId = u"msg_thread_%1@signupdesk"_s.arg(i);
                results[std::size_t(i)] = mailer.send(message);
            });
        }
    }
    for (const SendResult &result : results)
        QVERIFY2(result.isSent(), qPrintable(result.reply));
    QCOMPARE(sink.messages().size(), senders);
}

QTEST_GUILESS_MAIN(TestSmtpMailer)
#include "tst_smtpmailer.moc"
