#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

// A real SMTP server on loopback for tests: runs tests/support/smtp_sink.py (aiosmtpd) with
// Debian's /usr/bin/python3, waits until it printed its port, and reads back what it received.
// The script is found through SD_SOURCE_DIR (set by sd_add_test). Stopped by stop() or the
// destructor; it also exits by itself when the test process dies (its stdin closes).
class SmtpSink
{
public:
    struct Options
    {
        int failCode = 0;         // e.g. 550 or 421: the reply to the end of DATA
        bool requireAuth = false; // refuse MAIL until AUTH (PLAIN/LOGIN, any credentials)
        quint16 port = 0;         // 0: any free port
        QString tlsMode = {};     // "", "smtps" (TLS from the start) or "starttls" (required)
        QString tlsCert = {};     // PEM files for the TLS modes
        QString tlsKey = {};
    };

    // One SMTP transaction that reached the end of DATA, accepted or refused.
    struct Transaction
    {
        QString mailFrom; // without angle brackets
        QStringList rcptTos;
        QString authLogin; // empty without AUTH
        QString reply;     // what the sink answered to DATA, e.g. "250 2.0.0 Ok: …"
        QByteArray raw;    // the message as received (CRLF); empty when refused
        bool accepted = false;
    };

    SmtpSink();
    explicit SmtpSink(Options options);
    ~SmtpSink();
    SmtpSink(const SmtpSink &) = delete;
    SmtpSink &operator=(const SmtpSink &) = delete;

    bool start(int timeoutMs = 15000); // false with errorString() when it did not come up
    void stop();
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QString url() const;                                             // "smtp://127.0.0.1:<port>"
    QString url(const QString &user, const QString &password) const; // with user info
    QString folder() const { return m_folder.path(); }

    QList<Transaction> transactions() const; // in the order they happened
    QList<QByteArray> messages() const;      // raw bytes of the accepted messages only

    QString errorString() const { return m_error; }
    QByteArray standardError() const;

    static QString scriptPath();

private:
    Options m_options;
    QTemporaryDir m_folder;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};
