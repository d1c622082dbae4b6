// The console's models without a database: QAbstractItemModelTester on each while rows are
// loaded, inserted, updated and removed; the undo window's countdown. (The Signups tab's paged
// model reads the database: tests/ui/tst_signupspaged.cpp.)

#include "consoletablemodels.h"
#include "csvwriter.h"
#include "pendingdecisions.h"
#include "rowfilterproxy.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;
using sd::core::TokenState;
using sd::ui::SignupTableModel;

namespace {

constexpr qint64 kNow = 1'700'000'000'000;

SignupOverviewRow row(const QString &name, AccountStatus status, qint64 signedUpAgoMs)
{
    SignupOverviewRow r;
    r.account.id = u"usr_"_s + name;
    r.account.username = name;
    r.account.email = name + u"@example.com"_s;
    r.account.displayName = name.toUpper();
    r.account.status = status;
    r.account.signUpTimeMs = kNow - signedUpAgoMs;
    r.account.remoteIp = u"192.0.2.7"_s;
    r.tokenState = TokenState::Issued;
    r.tokenExpiresAt = kNow + 2 * 3600 * 1000;
    r.mailStatus = u"sent"_s;
    return r;
}

} // namespace

class TestConsoleModels : public QObject
{
    Q_OBJECT

private slots:
    void csvQuoting_data()
    {
        QTest::addColumn<QStringList>("fields");
        QTest::addColumn<QString>("line");
        QTest::newRow("plain") << QStringList{u"a"_s, u"b c"_s} << u"a,b c\r\n"_s;
        QTest::newRow("comma") << QStringList{u"x,y"_s, u"z"_s} << u"\"x,y\",z\r\n"_s;
        QTest::newRow("quote") << QStringList{u"say \"hi\""_s} << u"\"say \"\"hi\"\"\"\r\n"_s;
        QTest::newRow("newline") << QStringList{u"one\ntwo"_s, u"cr\rlf"_s}
                                 << u"\"one\ntwo\",\"cr\rlf\"\r\n"_s;
        QTest::newRow("empty") << QStringList{QString(), u""_s} << u",\r\n"_s;
        QTest::newRow("formula") << QStringList{u"=HYPERLINK(\"x\")"_s, u"@a"_s, u"-1"_s}
                                 << u"\"'=HYPERLINK(\"\"x\"\")\",'@a,'-1\r\n"_s;
        QTest::newRow("unicode") << QStringList{u"Zoë"_s, u"日本"_s} << u"Zoë,日本\r\n"_s;
    }
    void csvQuoting()
    {
        QFETCH(QStringList, fields);
        QFETCH(QString, line);
        QCOMPARE(sd::ui::toCsv({fields}), line);
    }

    void auditCsvHasHeaderAndUtcTimes()
    {
        const QList<sd::core::AuditEntry> entries{
            {u"aud_1"_s, kNow, u"console"_s, u"signup.rejected"_s, u"usr_1"_s,
             u"reason=Spam, obviously\nbye"_s},
            {u"aud_2"_s, kNow + 1, u"cli"_s, u"signup.approved"_s, u"usr_2"_s, {}}};
        const QString csv = sd::ui::auditLogCsv(entries);
        const QStringList lines = csv.split(u"\r\n"_s);
        QCOMPARE(lines.size(), 4); // header, two rows, the empty rest after the last CRLF
        QCOMPARE(lines.at(0), u"time_utc,actor,action,subject,detail,id"_s);
        QCOMPARE(
            lines.at(1),
            u"2023-11-14T22:13:20.000Z,console,signup.rejected,usr_1,\"reason=Spam, obviously\nbye\",aud_1"_s);
        QCOMPARE(lines.at(2), u"2023-11-14T22:13:20.001Z,cli,signup.approved,usr_2,,aud_2"_s);
        QVERIFY(lines.at(3).isEmpty());
    }

    void outboxModelStatusAndPreview()
    {
        sd::ui::OutboxTableModel model([] { return kNow; });
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        sd::core::OutboxEntry sent;
        sent.id = u"msg_1"_s;
        sent.kind = u"verification"_s;
        sent.to = u"ann@example.com"_s;
        sent.subject = u"Confirm your email"_s;
        sent.status = u"sent"_s;
        sent.attempts = 1;
        sent.sentAt = kNow - 120'000;
        sent.serverReply = u"250 OK queued as 42"_s;
        sd::core::OutboxEntry dead = sent;
        dead.id = u"msg_2"_s;
        dead.status = u"dead"_s;
        dead.sentAt = 0;
        dead.serverReply.clear();
        dead.lastError = u"550 mailbox unavailable"_s;
        model.setRows({sent, dead});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, sd::ui::OutboxTableModel::Status).data().toString(),
                 u"Sent 2 min ago"_s);
        QCOMPARE(model.index(1, sd::ui::OutboxTableModel::Status).data().toString(),
                 u"Failed for good"_s);
        QCOMPARE(model.index(1, sd::ui::OutboxTableModel::LastError).data().toString(),
                 u"550 mailbox unavailable"_s);
        const QString sentPreview = sd::ui::OutboxTableModel::preview(sent, kNow);
        QVERIFY(sentPreview.contains(u"To: ann@example.com"_s));
        QVERIFY(sentPreview.contains(u"Subject: Confirm your email"_s));
        QVERIFY(sentPreview.contains(u"redacted after sending"_s));
        const QString deadPreview = sd::ui::OutboxTableModel::preview(dead, kNow);
        // A live link never shows: core's OutboxEntry carries no body at all.
        QVERIFY(deadPreview.contains(u"does not show it"_s));
        QVERIFY(deadPreview.contains(u"550 mailbox unavailable"_s));
        QVERIFY(sd::ui::OutboxTableModel::canRetry(u"dead"_s));
        QVERIFY(sd::ui::OutboxTableModel::canRetry(u"held"_s));
        QVERIFY(!sd::ui::OutboxTableModel::canRetry(u"sent"_s));
        QVERIFY(sd::ui::OutboxTableModel::canHold(u"queued"_s));
        QVERIFY(!sd::ui::OutboxTableModel::canHold(u"processing"_s));
    }

    void auditModel()
    {
        sd::ui::AuditTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        sd::ui::RowFilterProxy proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({{u"aud_1"_s, kNow, u"console"_s, u"signup.approved"_s, u"usr_1"_s, {}},
                       {u"aud_2"_s, kNow + 5, u"system"_s, u"signup.created"_s, u"usr_2"_s,
                        u"ip=192.0.2.1"_s},
                       {u"aud_3"_s, kNow + 9, u"console"_s, u"signup.rejected"_s, u"usr_2"_s,
                        u"reason=spam"_s}});
        proxy.setStatuses({u"signup.rejected"_s});
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setStatuses({});
        proxy.setSearchText(u"usr_2"_s);
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setSearchText(u"console usr_2"_s);
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText({});
        proxy.sort(sd::ui::AuditTableModel::Time, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, sd::ui::AuditTableModel::Action).data().toString(),
                 u"Rejected"_s); // the label; the code in the tooltip
        QCOMPARE(proxy.index(0, sd::ui::AuditTableModel::Action).data(Qt::ToolTipRole),
                 QVariant(u"signup.rejected"_s));
    }

    void relativeTime_data()
    {
        QTest::addColumn<qint64>("deltaMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("seconds") << qint64(5'000) << u"5 s ago"_s;
        QTest::newRow("minutes") << qint64(3 * 60'000 + 10'000) << u"3 min ago"_s;
        QTest::newRow("hours") << qint64(2 * 3'600'000) << u"2 h ago"_s;
        QTest::newRow("days") << qint64(3 * 86'400'000) << u"3 d ago"_s;
        QTest::newRow("future, under two days") << qint64(-47 * 3'600'000) << u"in 47 h"_s;
        QTest::newRow("future, days and hours")
            << qint64(-(2 * 86'400'000 + 5 * 3'600'000)) << u"in 2 d 5 h"_s;
    }
    void relativeTime()
    {
        QFETCH(qint64, deltaMs);
        QFETCH(QString, expected);
        QCOMPARE(SignupTableModel::relativeTime(kNow - deltaMs, kNow), expected);
    }

    void tokenStatesAsText_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<qint64>("expiresInMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("none") << int(TokenState::None) << qint64(0) << u"none"_s;
        QTest::newRow("issued") << int(TokenState::Issued) << qint64(90'000)
                                << u"issued, expires in 1 min"_s;
        QTest::newRow("issued, now past expiry")
            << int(TokenState::Issued) << qint64(-1) << u"expired"_s;
        QTest::newRow("expired") << int(TokenState::Expired) << qint64(-1) << u"expired"_s;
        QTest::newRow("burned") << int(TokenState::Burned) << qint64(1)
                                << u"burned (5 wrong codes)"_s;
        QTest::newRow("revoked") << int(TokenState::Revoked) << qint64(1) << u"revoked"_s;
    }
    void tokenStatesAsText()
    {
        QFETCH(int, state);
        QFETCH(qint64, expiresInMs);
        QFETCH(QString, expected);
        auto r = row(u"x"_s, AccountStatus::PendingVerification, 0);
        r.tokenState = TokenState(state);
        r.tokenExpiresAt = kNow + expiresInMs;
        r.codeAttempts = 5;
        QCOMPARE(SignupTableModel::tokenText(r, kNow), expected);
    }

    void timelineModel()
    {
        sd::ui::TimelineModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        using Source = sd::core::TimelineEntry::Source;
        QList<sd::core::TimelineEntry> entries = {
            {kNow, Source::Audit, u"signup.created"_s, u"user:usr_a"_s, {}},
            {kNow + 1, Source::Mail, u"mail.queued"_s, {}, u"verification"_s},
        };
        model.setTimeline(u"usr_a"_s, entries);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, sd::ui::TimelineModel::Event).data().toString(), u"Signed up"_s);
        QCOMPARE(model.index(0, sd::ui::TimelineModel::Actor).data().toString(), u"the user"_s);

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        entries.append({kNow + 2, Source::Mail, u"mail.sent"_s, {}, u"verification: 250 OK"_s});
        model.setTimeline(u"usr_a"_s, entries);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(reset.size(), 0);
        // The email's kind in words, the server's reply as it came; the record in the tooltip.
        QCOMPARE(model.index(2, sd::ui::TimelineModel::Detail).data().toString(),
                 u"Verification: 250 OK"_s);
        QCOMPARE(model.index(2, sd::ui::TimelineModel::Detail).data(Qt::ToolTipRole).toString(),
                 u"verification: 250 OK"_s);
        model.setTimeline(u"usr_a"_s, entries); // nothing new
        QCOMPARE(inserted.size(), 1);

        model.setTimeline(u"usr_b"_s,
                          {{kNow, Source::Audit, u"some.future.action"_s, u"console"_s, {}}});
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.index(0, sd::ui::TimelineModel::Event).data().toString(),
                 u"some.future.action"_s);
        QCOMPARE(model.index(0, sd::ui::TimelineModel::Actor).data().toString(), u"console"_s);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void pendingDecisionsCountDownAndFall()
    {
        sd::ui::PendingDecisions pending(200ms);
        QSignalSpy due(&pending, &sd::ui::PendingDecisions::due);
        pending.add({{u"usr_a"_s, u"spam"_s}, {u"usr_b"_s, u"spam"_s}});
        QCOMPARE(pending.count(), 2);
        QCOMPARE(pending.secondsLeft(u"usr_a"_s), 1);
        QCOMPARE(pending.secondsLeft(u"usr_nobody"_s), -1);
        QCOMPARE(pending.undoAll(), (QStringList{u"usr_a"_s, u"usr_b"_s}));
        QVERIFY(pending.isEmpty());
        QVERIFY(!due.wait(400)); // undone: nothing falls due after the window

        pending.add({{u"usr_c"_s, u"duplicate"_s}});
        QVERIFY(due.wait(2000));
        const auto requests = due.at(0).at(0).value<QList<sd::ui::PendingDecision>>();
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests.at(0).userId, u"usr_c"_s);
        QCOMPARE(requests.at(0).reason, u"duplicate"_s);
        QVERIFY(pending.isEmpty());
    }
};

QTEST_MAIN(TestConsoleModels)
#include "tst_consolemodels.moc"
