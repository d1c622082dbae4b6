// The console's words, offscreen over an in-process SignupDesk (SQLite file, fake clock): the
// audit view and the timeline show readable labels (the code in the tooltip), the actor is the
// person (the OS user running the console), and a deleted account keeps its username.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "localactor.h"
#include "mainwindow.h"
#include "pendingdecisions.h"
#include "rowfilterproxy.h"
#include "testenv.h"
#include "timelinemodel.h"

#include "auditdetails.h"
#include "auditwords.h"

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using sd::ui::AuditTableModel;

class TestConsoleWords : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    // The audit view's cell of this action about this subject, or an invalid index.
    QModelIndex auditIndex(const QString &subjectId, const QString &action, int column)
    {
        const QAbstractItemModel *m = m_window->auditPage()->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            const auto *e = m_window->auditPage()->model()->find(
                m->index(r, 0).data(sd::ui::KeyRole).toString());
            if (e && e->subjectId == subjectId && e->action == action)
                return m->index(r, column);
        }
        return {};
    }

    // The audit view's row of this action about this subject: its cells, or empty.
    QStringList auditRow(const QString &subjectId, const QString &action)
    {
        const QModelIndex first = auditIndex(subjectId, action, 0);
        if (!first.isValid())
            return {};
        QStringList cells;
        for (int c = 0; c < AuditTableModel::ColumnCount; ++c)
            cells << first.siblingAtColumn(c).data().toString();
        return cells;
    }

private slots:
    void init() { QVERIFY(m_console.openSignupsWindow(200ms)); }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    // Every action core and the program write to the audit log has a readable label: a new
    // flow that adds one without a label fails here, not in front of an admin.
    void everyAuditActionHasALabel()
    {
        const QString root = testenv::sourceDir();
        QVERIFY2(!root.isEmpty(), "SD_SOURCE_DIR is not set");
        static const QRegularExpression call(
            uR"re((?:auditlog::record|\baudit)\([^;]*?u"([a-z_]+\.[a-z_.]+)"_s)re"_s,
            QRegularExpression::DotMatchesEverythingOption);
        QSet<QString> actions;
        for (const QString &dir : {u"/server/core"_s, u"/app"_s}) {
            QDirIterator it(root + dir, {u"*.cpp"_s}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QString text = QString::fromUtf8(f.readAll());
                for (auto m = call.globalMatch(text); m.hasNext();)
                    actions.insert(m.next().captured(1));
            }
        }
        QVERIFY2(actions.size() >= 30, qPrintable(u"only %1 actions found"_s.arg(actions.size())));
        QStringList unlabelled;
        for (const QString &a : std::as_const(actions))
            if (sd::ui::AuditWords::action(a) == a)
                unlabelled << a;
        unlabelled.sort();
        QVERIFY2(unlabelled.isEmpty(), qPrintable(unlabelled.join(u", "_s)));
    }

    // Every shape of detail core writes (server/core/flows/…, console/…) reads as words, the
    // addresses, names and the admin's own words kept; anything else is shown as recorded.
    void everyDetailCoreWritesIsWorded_data()
    {
        QTest::addColumn<QString>("recorded");
        QTest::addColumn<QString>("shown");
        const QString ip = u"203.0.113.9"_s;
        auto row = [&](const char *name, const QString &recorded, const QString &shown) {
            QTest::newRow(name) << recorded << shown;
        };
        row("signup", u"from "_s + ip, u"from 203.0.113.9"_s);
        row("duplicate", u"from 203.0.113.9, placeholder usr_Ab12"_s,
            u"from 203.0.113.9; stand-in account usr_Ab12, not kept"_s);
        row("verified by link", u"token"_s, u"with a link"_s);
        row("verified by code", u"code"_s, u"with a code"_s);
        row("verified by confirm token", u"confirm_token"_s, u"with the confirmation token"_s);
        row("verified by signed link", u"signed_link"_s, u"with a signed link"_s);
        row("token burned", u"too many wrong codes"_s, u"too many wrong codes"_s);
        row("deleted by the user", u"by the user"_s, u"by the user"_s);
        row("reset link by an admin", u"by an administrator"_s, u"by an administrator"_s);
        row("mfa reset", u"second factor turned off by an administrator"_s,
            u"second factor turned off by an administrator"_s);
        row("password reset by code", u"code from "_s + ip, u"with a code from 203.0.113.9"_s);
        row("email changed by link", u"link from "_s + ip, u"with a link from 203.0.113.9"_s);
        row("login with an email link", u"email link from 203.0.113.9, accepted ToS 2026-01"_s,
            u"with an email link from 203.0.113.9; accepted the terms of service 2026-01"_s);
        row("login with oauth", u"oauth from "_s + ip,
            u"through GitHub or Google from 203.0.113.9"_s);
        row("login with totp", u"totp from "_s + ip,
            u"with an authenticator code from 203.0.113.9"_s);
        row("login with a recovery code", u"recovery code from "_s + ip,
            u"with a recovery code from 203.0.113.9"_s);
        row("wrong login code", u"login code from "_s + ip,
            u"second-factor code when logging in from 203.0.113.9"_s);
        row("wrong login recovery code", u"login recovery code from "_s + ip,
            u"recovery code when logging in from 203.0.113.9"_s);
        row("wrong first code", u"enrolment from "_s + ip,
            u"setting up the second factor from 203.0.113.9"_s);
        row("re-authentication", u"re-authentication from "_s + ip,
            u"password asked again before a change from 203.0.113.9"_s);
        for (const auto &[what, words] :
             {std::pair{u"second factor enrolment"_s, u"turning the second factor on"_s},
              std::pair{u"second factor removal"_s, u"turning the second factor off"_s},
              std::pair{u"recovery code renewal"_s, u"making new recovery codes"_s},
              std::pair{u"password change"_s, u"changing the password"_s},
              std::pair{u"email change"_s, u"changing the email address"_s},
              std::pair{u"account deletion"_s, u"deleting the account"_s}})
            QTest::newRow(qPrintable(what))
                << what + u" from "_s + ip << words + u" from 203.0.113.9"_s;
        row("oauth refused", u"disabled from "_s + ip, u"disabled from 203.0.113.9"_s);
        row("oauth signup", u"via github from 203.0.113.9; pending_approval"_s,
            u"through github from 203.0.113.9; now pending approval"_s);
        row("oauth confirmed", u"via google from "_s + ip, u"through google from 203.0.113.9"_s);
        row("oauth failed", u"invalid_state via github from 203.0.113.9: state expired"_s,
            u"invalid_state through github from 203.0.113.9: state expired"_s);
        row("oauth linked", u"github identity linked by verified email"_s,
            u"github sign-in linked by its verified address"_s);
        row("oauth replaced", u"username=bob; verified github identity took the address"_s,
            u"username bob; a verified github sign-in took the address"_s);
        row("lockout", u"900 s after 10 failures"_s, u"locked for 900 s after 10 failures"_s);
        row("invitation accepted", u"invitation inv_9 from "_s + ip,
            u"invitation inv_9, from 203.0.113.9"_s);
        row("rejected", u"username=ann; reason=Spam; obviously"_s,
            u"username: ann; reason: Spam; obviously"_s);
        row("rejected with %1 in the reason", u"username=ann; reason=100%1 spam from 1.2.3.4"_s,
            u"username: ann; reason: 100%1 spam from 1.2.3.4"_s);
        row("disabled", u"sessions_revoked=2; reason=left"_s, u"sessions ended: 2; reason: left"_s);
        row("admin deletion", u"reason=asked by phone"_s, u"reason: asked by phone"_s);
        row("invitation", u"apps=wiki,chat; groups=staff"_s, u"apps: wiki,chat; groups: staff"_s);
        row("sessions revoked", u"sessions=3"_s, u"sessions ended: 3"_s);
        row("verification revoked", u"tokens=1"_s, u"links revoked: 1"_s);
        row("outbox held", u"was=queued"_s, u"was: queued"_s);
        row("verified by admin", u"reason=called them"_s, u"reason: called them"_s);
        row("superuser", u"username=root"_s, u"username: root"_s);
        row("unlinked", u"provider=github provider_user_id=42"_s,
            u"provider: github; provider's user id: 42"_s);
        row("settings", u"signup/open=false; approval/required=true"_s,
            u"signup/open=false; approval/required=true"_s);
    }

    void everyDetailCoreWritesIsWorded()
    {
        QFETCH(QString, recorded);
        QFETCH(QString, shown);
        bool understood = false;
        QCOMPARE(sd::ui::AuditDetails::text(recorded, &understood), shown);
        QVERIFY2(understood, qPrintable(recorded));
    }

    // What is outside the grammar (an older program's free text, a new shape) is shown as
    // recorded, never half-translated.
    void unknownDetailsAreShownAsRecorded()
    {
        bool understood = true;
        QCOMPARE(sd::ui::AuditDetails::text(u"something new from 1.2.3.4"_s, &understood),
                 u"something new from 1.2.3.4"_s);
        QVERIFY(!understood);
        QCOMPARE(sd::ui::AuditDetails::text(u"colour=blue"_s, &understood), u"colour=blue"_s);
        QVERIFY(!understood);
        QCOMPARE(
            sd::ui::AuditDetails::timelineText(u"mail.sent"_s, u"welcome: 250 OK"_s, &understood),
            u"Welcome: 250 OK"_s);
        QVERIFY(understood);
        QCOMPARE(sd::ui::AuditDetails::timelineText(
                     u"link.visited"_s, u"GET verification from 10.0.0.1: curl/8"_s, &understood),
                 u"Verification link opened (GET) from 10.0.0.1: curl/8"_s);
        QVERIFY(understood);
    }

    void personsLabelsAndDeletedNames()
    {
        const QString user = sd::core::localUserName();
        QVERIFY(!user.isEmpty());
        const QString zoe = m_console.signUp(u"zoe"_s);
        QTRY_VERIFY(m_console.signupIndex(zoe).isValid());
        // Rejected through the console (its undo window): the account is deleted.
        QVERIFY(m_console.clickSignup(zoe));
        m_window->pendingDecisions()->add(
            {{zoe, u"Looks like a bot."_s, sd::ui::PendingDecision::Reject, u"zoe"_s}});
        QTRY_COMPARE(m_console.statusOf(zoe), u"gone"_s);
        QCOMPARE(m_console.auditActions(zoe, u"console:"_s + user),
                 QStringList{u"signup.rejected"_s});

        m_window->tabs()->setCurrentWidget(m_window->auditPage());
        QTRY_VERIFY(!auditRow(zoe, u"signup.rejected"_s).isEmpty());
        const QStringList rejected = auditRow(zoe, u"signup.rejected"_s);
        QCOMPARE(rejected.at(AuditTableModel::Actor), user + u" (console)"_s);
        QCOMPARE(rejected.at(AuditTableModel::Action), u"Rejected"_s);
        QCOMPARE(rejected.at(AuditTableModel::Subject), u"zoe"_s); // deleted, still named
        // The detail in words; the recorded text in the tooltip (and the CSV export).
        QCOMPARE(rejected.at(AuditTableModel::Detail),
                 u"username: zoe; reason: Looks like a bot."_s);
        const QModelIndex detail = auditIndex(zoe, u"signup.rejected"_s, AuditTableModel::Detail);
        QCOMPARE(detail.data(Qt::ToolTipRole).toString(),
                 u"username=zoe; reason=Looks like a bot."_s);
        const QStringList created = auditRow(zoe, u"signup.created"_s);
        QCOMPARE(created.at(AuditTableModel::Actor), u"zoe (the user)"_s);
        QCOMPARE(created.at(AuditTableModel::Action), u"Signed up"_s);
    }

    void timelineWordsAndCodes()
    {
        const QString ann = m_console.signUp(u"ann"_s);
        QTRY_VERIFY(m_console.signupIndex(ann).isValid());
        QVERIFY(m_console.clickSignup(ann));
        sd::ui::TimelineModel *timeline = m_window->timelineModel();
        QTRY_COMPARE(timeline->userId(), ann);
        QTRY_VERIFY(timeline->rowCount() >= 3);
        bool sawSignup = false;
        for (int r = 0; r < timeline->rowCount(); ++r) {
            const QModelIndex event = timeline->index(r, sd::ui::TimelineModel::Event);
            const QString code = event.data(Qt::ToolTipRole).toString();
            QVERIFY2(!code.isEmpty(), "every event has its code as its tooltip");
            // A label, never the code itself, for every event this console records.
            QVERIFY2(event.data().toString() != code, qPrintable(code));
            if (code == u"signup.created"_s) {
                sawSignup = true;
                QCOMPARE(event.data().toString(), u"Signed up"_s);
            }
        }
        QVERIFY(sawSignup);
    }
};

QTEST_MAIN(TestConsoleWords)
#include "tst_consolewords.moc"
