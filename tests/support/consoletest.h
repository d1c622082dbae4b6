#pragma once

#include "application.h"
#include "consoletablemodels.h"
#include "mainwindow.h"
#include "pagedfilterproxy.h"
#include "signuptablemodel.h"
#include "testserver.h"
#include "testworker.h"
#include "timelinemodel.h"

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "localactor.h"

#include <QAbstractItemModelTester>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QSize>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>
#include <vector>

// Makes the row whose KeyRole is `key` the view's current, selected row (QFAIL when absent).
inline void selectKey(QTableView *view, const QString &key)
{
    const QAbstractItemModel *m = view->model();
    for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data(sd::ui::KeyRole).toString() == key) {
            view->setFocus();
            view->selectionModel()->setCurrentIndex(
                m->index(r, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            return;
        }
    }
    QFAIL("row not in view");
}

// The display text of `column` in the row whose KeyRole is `key`, or "<no row>".
inline QString keyedCell(const QAbstractItemModel *m, const QString &key, int column)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, 0).data(sd::ui::KeyRole).toString() == key)
            return m->index(r, column).data().toString();
    return QStringLiteral("<no row>");
}

// The console options the console tests start from: the instance's URL and outbox monitor, the
// console's own settings in `settingsFile`, no tray icon. For tests that link signupdesk_ui.
inline sd::ui::ConsoleOptions testConsoleOptions(sd::app::Application &app,
                                                 const QString &settingsFile)
{
    sd::ui::ConsoleOptions options;
    options.listeningUrl = app.listeningUrl();
    options.outboxMonitor = app.outboxMonitor();
    options.webhookMonitor = app.webhookMonitor();
    options.settingsFile = settingsFile;
    options.trayIcon = false;
    return options;
}

// What every console test starts from: a worker thread for the test's own database calls (the
// GUI thread never opens a connection), a temporary folder, a TestServer started on the worker,
// and a MainWindow resized, shown and waited on (bounded) until it has loaded. The helpers
// return false (and say why with qWarning) so that a test can QVERIFY them.
class ConsoleFixture
{
public:
    Worker worker;
    QTemporaryDir dir;
    std::unique_ptr<TestServer> server;
    std::unique_ptr<sd::ui::MainWindow> window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;

    sd::core::CoreServices &core() { return server->app().core(); }
    sd::app::Application &app() { return server->app(); }
    // The console's own settings (reason presets, language): a file in the temporary folder.
    QString settingsFile() const { return dir.filePath(QStringLiteral("console.ini")); }

    // Starts a test server on the worker (startTestServer's defaults, then `configure`).
    bool startServer(std::function<void(sd::core::Config &)> configure = {},
                     TestServer::Backend backend = TestServer::Backend::Sqlite)
    {
        if (!dir.isValid()) {
            qWarning("ConsoleFixture: no temporary folder");
            return false;
        }
        server = worker.call([&] { return startTestServer(backend, configure); });
        if (!server || server->port() == 0) {
            qWarning("ConsoleFixture: the test server did not start");
            return false;
        }
        return true;
    }

    // testConsoleOptions for this server and folder.
    sd::ui::ConsoleOptions options() { return testConsoleOptions(app(), settingsFile()); }

    // Builds the window, lets `prepare` see it before it shows (model testers, say), resizes it
    // when `size` is valid, shows it and waits until it is exposed (or active) and has loaded.
    bool openWindow(sd::ui::ConsoleOptions options, QSize size = {},
                    std::function<void(sd::ui::MainWindow &)> prepare = {}, bool active = false)
    {
        window = std::make_unique<sd::ui::MainWindow>(core(), std::move(options));
        if (prepare)
            prepare(*window);
        if (size.isValid())
            window->resize(size);
        window->show();
        if (active)
            window->activateWindow();
        if (active ? !QTest::qWaitForWindowActive(window.get())
                   : !QTest::qWaitForWindowExposed(window.get())) {
            qWarning("ConsoleFixture: the window did not show");
            return false;
        }
        if (!QTest::qWaitFor([this] { return window->isLoaded(); })) {
            qWarning("ConsoleFixture: the signups did not load");
            return false;
        }
        return true;
    }
    bool openWindow(QSize size = {}) { return openWindow(options(), size); }

    // The Signups tests' start: a server that returns confirm tokens, a window with a short
    // undo window whose signup models are checked by model testers, the list focused.
    bool openSignupsWindow(std::chrono::milliseconds undoWindow)
    {
        if (!startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }))
            return false;
        auto opts = options();
        opts.undoWindow = undoWindow;
        if (!openWindow(opts, {}, [this](sd::ui::MainWindow &w) {
                for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *>{
                         w.signupModel(), w.signupProxy(), w.timelineModel()})
                    testers.push_back(std::make_unique<QAbstractItemModelTester>(
                        m, QAbstractItemModelTester::FailureReportingMode::QtTest));
            }))
            return false;
        window->signupView()->setFocus();
        return true;
    }

    // On the worker: a signup (confirmed by its user unless `confirm` is false, so pending
    // approval), from 198.51.100.4. Returns its id (empty, with a warning, on failure).
    QString signUp(const QString &name, bool confirm = true)
    {
        return worker.call([&] {
            sd::core::SignupInput input;
            input.username = name;
            input.password = QStringLiteral("correct battery staple horse");
            input.email = name + QStringLiteral("@example.com");
            auto r = core().signup().signUp(input, {QStringLiteral("198.51.100.4")});
            if (!r) {
                qWarning("signUp: %s", qPrintable(r.error().detail));
                return QString();
            }
            if (confirm)
                if (auto c = core().verification().confirm(r->confirmToken); !c)
                    qWarning("confirm: %s", qPrintable(c.error().detail));
            return r->userId;
        });
    }

    std::optional<sd::core::Account> account(const QString &id)
    {
        return worker.call([&] {
            auto db = app().database().connection();
            if (!db)
                return std::optional<sd::core::Account>();
            auto a = sd::core::accountstore::findById(*db, id);
            return a ? *a : std::optional<sd::core::Account>();
        });
    }

    // The account's status as core spells it, or "gone".
    QString statusOf(const QString &id)
    {
        const auto a = account(id);
        return a ? sd::core::toString(a->status) : QStringLiteral("gone");
    }

    // The actor this console records: "console:" and the OS user running the test.
    static QString consoleActor() { return sd::core::localActor(QStringLiteral("console")).name; }

    // The audit log's actions about `id` by `actor`, oldest first.
    QStringList auditActions(const QString &id, const QString &actor)
    {
        return worker.call([&] {
            QStringList actions;
            auto db = app().database().connection();
            if (!db)
                return actions;
            if (auto all = sd::core::auditlog::list(*db, id))
                for (const auto &e : *all)
                    if (e.actor == actor)
                        actions << e.action;
            return actions;
        });
    }

    // The Signups list's index (in the view) of this signup, or invalid while it is not shown.
    QModelIndex signupIndex(const QString &userId, int column = 0)
    {
        const int row = window->signupModel()->rowOf(userId);
        if (row < 0)
            return {};
        return window->signupProxy()->mapFromSource(window->signupModel()->index(row, column));
    }

    // Clicks this signup's row in the list (false, with a warning, when it is not shown).
    bool clickSignup(const QString &userId, Qt::KeyboardModifiers modifiers = {})
    {
        QTableView *view = window->signupView();
        const QModelIndex index = signupIndex(userId, sd::ui::SignupTableModel::Username);
        if (!index.isValid()) {
            qWarning("ConsoleFixture: the signup is not in the list");
            return false;
        }
        view->scrollTo(index);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers,
                          view->visualRect(index).center());
        return true;
    }

    // Waits (bounded) for the console's confirmation dialog, answers it (the action's button,
    // or Cancel) and returns its question; empty (with a warning) when none came.
    QString answerConfirmation(bool accept)
    {
        QPointer<QMessageBox> box;
        if (!QTest::qWaitFor([&] {
                return bool(box =
                                window->findChild<QMessageBox *>(QStringLiteral("confirmDialog")));
            })) {
            qWarning("ConsoleFixture: no confirmation was asked");
            return {};
        }
        const QString question = box->text();
        QAbstractButton *button =
            accept ? box->findChild<QPushButton *>(QStringLiteral("confirmButton"))
                   : box->button(QMessageBox::Cancel);
        if (!button) {
            qWarning("ConsoleFixture: the confirmation has no such button");
            return {};
        }
        button->click();
        if (!QTest::qWaitFor([&] { return box.isNull(); })) // closed and deleted
            qWarning("ConsoleFixture: the confirmation did not close");
        // Offscreen has no window manager to hand activation back after a dialog, and the
        // console's shortcuts act only in the active window.
        window->activateWindow();
        if (!QTest::qWaitForWindowActive(window.get()))
            qWarning("ConsoleFixture: the window did not become active again");
        return question;
    }

    // The window first (its pending rejects reach core), then the server, on the worker.
    void stop()
    {
        testers.clear();
        window.reset();
        worker.call([this] { server.reset(); });
    }
};
