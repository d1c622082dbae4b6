// Issue 14 in the console, offscreen, over an in-process SignupDesk (SQLite, fake clock): the
// Users tab shows who has a second factor, and "Reset second factor" asks first (by name),
// turns it off off the GUI thread, audits it as the console's person and mails the notice.
// Every database call of the test runs on a worker thread.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "audit/auditlog.h"
#include "flows/mfa/totp.h"
#include "outbox.h"

#include "consolepages.h"
#include "consoletablemodels.h"
#include "mainwindow.h"
#include "rowfilterproxy.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using sd::ui::KeyRole;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

} // namespace

class TestConsoleMfa : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;

    sd::core::CoreServices &core() { return m_server->app().core(); }

    // On the worker: an active account, with the second factor on when `mfa`.
    QString activeUser(const QString &name, bool mfa)
    {
        return m_worker.call([&] {
            sd::core::SignupInput input;
            input.username = name;
            input.password = kPassword;
            input.email = name + u"@example.com"_s;
            auto r = core().signup().signUp(input, {u"198.51.100.4"_s});
            if (!r || !core().verification().confirm(r->confirmToken) ||
                !core().approval().approve(r->userId, sd::core::Actor{u"cli"_s}))
                return QString();
            if (!mfa)
                return r->userId;
            auto login = core().sessions().login(name, kPassword, {});
            if (!login)
                return QString();
            auto session = core().sessions().check(login->ust);
            if (!session)
                return QString();
            const sd::core::SessionUser user{session->account, session->tokenId};
            auto started = core().mfa().startTotp(user, kPassword, {});
            if (!started)
                return QString();
            const QString code =
                sd::core::totp::code(*sd::core::totp::fromBase32(started->secret),
                                     sd::core::totp::stepAt(m_server->clock().nowMs()));
            return core().mfa().confirmTotp(user, code, {}) ? r->userId : QString();
        });
    }
    QStringList consoleActions(const QString &subject)
    {
        return m_worker.call([&] {
            QStringList out;
            auto db = m_server->app().database().connection();
            if (auto all = sd::core::auditlog::list(*db, subject))
                for (const auto &e : *all)
                    if (e.actor == m_console.consoleActor())
                        out << e.action;
            return out;
        });
    }
    int mails(const QString &kind, const QString &userId)
    {
        return m_worker.call([&] {
            int n = 0;
            if (auto all = sd::mail::Outbox::list(m_server->app().database(), userId))
                for (const auto &m : *all)
                    n += m.kind == kind;
            return n;
        });
    }
    QString cell(const QAbstractItemModel *m, const QString &key, int column)
    {
        return keyedCell(m, key, column);
    }

private slots:
    void init()
    {
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
        QVERIFY(m_console.openWindow(m_console.options(), {}, [this](sd::ui::MainWindow &window) {
            for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *>{
                     window.usersPage()->model(), window.usersPage()->proxy()})
                m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
                    m, QAbstractItemModelTester::FailureReportingMode::QtTest));
        }));
    }
    void cleanup()
    {
        m_testers.clear();
        m_console.stop();
    }

    void showsAndResetsTheSecondFactor()
    {
        const QString ann = activeUser(u"ann"_s, true);
        const QString ben = activeUser(u"ben"_s, false);
        QVERIFY(!ann.isEmpty() && !ben.isEmpty());
        sd::ui::UsersPage *page = m_window->usersPage();
        m_window->tabs()->setCurrentWidget(page);
        QTRY_VERIFY(page->isLoaded());
        auto *model = page->model();
        const int column = sd::ui::UserTableModel::SecondFactor;
        QCOMPARE(model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(),
                 u"Second factor"_s);
        QTRY_COMPARE(cell(model, ann, column), u"On"_s);
        QCOMPARE(cell(model, ben, column), u"Off"_s);

        auto *reset = page->findChild<QAction *>(u"resetSecondFactorAction"_s);
        QVERIFY(reset);
        selectKey(page->view(), ben);
        QTRY_VERIFY(!reset->isEnabled()); // nothing to reset
        selectKey(page->view(), ann);
        QTRY_VERIFY(reset->isEnabled());
        // Asked first, by name: Cancel leaves it on.
        QTest::keyClick(page->view(), Qt::Key_F);
        QVERIFY(m_console.answerConfirmation(false).contains(u"ann"_s));
        QCOMPARE(cell(model, ann, column), u"On"_s);
        QTest::keyClick(page->view(), Qt::Key_F);
        QVERIFY(m_console.answerConfirmation(true).contains(u"ann"_s));
        QTRY_COMPARE(cell(model, ann, column), u"Off"_s);
        QCOMPARE(consoleActions(ann), QStringList{u"mfa.reset"_s});
        QCOMPARE(mails(u"mfa_reset"_s, ann), 1);
        QTRY_VERIFY(!reset->isEnabled());
        // The password alone signs in again.
        const bool session = m_worker.call([&] {
            auto r = core().sessions().login(u"ann"_s, kPassword, {});
            return r && !r->mfaRequired();
        });
        QVERIFY(session);
        QVERIFY(m_window->errorText().isEmpty());
    }
};

QTEST_MAIN(TestConsoleMfa)
#include "tst_consolemfa.moc"
