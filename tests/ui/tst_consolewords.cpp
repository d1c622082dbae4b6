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

    // The audit view's row of this action about this subject: its cells, or empty.
    QStringList auditRow(const QString &subjectId, const QString &action)
    {
        const QAbstractItemModel *m = m_window->auditPage()->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            const auto *e = m_window->auditPage()->model()->find(
                m->index(r, 0).data(sd::ui::KeyRole).toString());
            if (e && e->subjectId == subjectId && e->action == action) {
                QStringList cells;
                for (int c = 0; c < AuditTableModel::ColumnCount; ++c)
                    cells << m->index(r, c).data().toString();
                return cells;
            }
        }
        return {};
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
