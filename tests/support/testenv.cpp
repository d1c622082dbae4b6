#include "testenv.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

namespace testenv {

QString sourceDir()
{
    return qEnvironmentVariable("SD_SOURCE_DIR");
}

QString signupdeskBinary()
{
    return qEnvironmentVariable("SD_SIGNUPDESK_BIN");
}

QString postgresUrl()
{
    return qEnvironmentVariable("SIGNUPDESK_TEST_PG_URL");
}

bool resetPostgres(QString *error)
{
    const QUrl url(postgresUrl());
    const QString name = QStringLiteral("testenv_reset");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setPassword(url.password());
        db.setDatabaseName(url.path().mid(1));
        if (db.open()) {
            QSqlQuery q(db);
            ok = q.exec(QStringLiteral("SET client_min_messages = warning")) &&
                 q.exec(QStringLiteral("DROP SCHEMA public CASCADE")) &&
                 q.exec(QStringLiteral("CREATE SCHEMA public"));
            if (!ok && error)
                *error = q.lastError().text();
        } else if (error) {
            *error = db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QByteArray readListeningLine(QProcess &process, quint16 *port, int timeoutMs)
{
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (!out.contains('\n') && timer.elapsed() < timeoutMs) {
        if (process.state() == QProcess::NotRunning)
            break;
        process.waitForReadyRead(200);
        out += process.readAllStandardOutput();
    }
    out += process.readAllStandardOutput();
    static const QRegularExpression line(
        QStringLiteral("^listening on http://127\\.0\\.0\\.1:(\\d+)\n"));
    const auto m = line.match(QString::fromUtf8(out));
    *port = m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
    return out;
}

} // namespace testenv
