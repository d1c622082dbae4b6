#pragma once

#include "console/outboxmonitor.h"
#include "coreservices.h"
#include "pendingrejects.h"
#include "requestmeter.h"
#include "settingsdialog.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

class QAction;
class QComboBox;
class QFrame;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSettings;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;

namespace sd::ui {

class AuditPage;
class ConsoleBackend;
class DashboardPage;
class OutboxPage;
class UsersPage;
class SignupFilterProxy;
class SignupTableModel;
class TimelineModel;

struct ConsoleOptions
{
    QString listeningUrl;                          // shown in the status bar
    core::OutboxMonitor *outboxMonitor = nullptr;  // for live email states; may be null
    const core::RequestMeter *requestMeter = nullptr; // HTTP answers, for the status bar; may be null
    std::chrono::milliseconds undoWindow{10'000};  // before a console reject reaches core
    QString settingsFile;                          // empty: the user's default settings
    bool trayIcon = true;
    SettingsHooks settings;                        // what the Settings dialog needs from app/
};

// The admin console: pending signups (filter, search, sort), a detail pane with the
// signup's timeline, and the admin actions. Every core call runs on the ConsoleBackend's
// thread; core events update single rows, live.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(core::CoreServices &core, ConsoleOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests, screenshots and the benchmark.
    SignupTableModel *signupModel() const { return m_model; }
    SignupFilterProxy *signupProxy() const { return m_proxy; }
    TimelineModel *timelineModel() const { return m_timeline; }
    QTableView *signupView() const { return m_view; }
    QProgressBar *progressBar() const { return m_progress; }
    PendingRejects *pendingRejects() const { return m_pending; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QLineEdit *searchField() const { return m_search; }
    QTabWidget *tabs() const { return m_tabs; }
    UsersPage *usersPage() const { return m_usersPage; }
    OutboxPage *outboxPage() const { return m_outboxPage; }
    AuditPage *auditPage() const { return m_auditPage; }
    QSystemTrayIcon *trayIcon() const { return m_tray; } // null without a system tray
    // The open Settings dialog, or null.
    SettingsDialog *settingsDialog() const { return m_settingsDialog; }
    // The status bar's signup state: "Signup CLOSED" while the panic switch is on.
    QLabel *signupStateLabel() const { return m_signupStateLabel; }
    DashboardPage *dashboardPage() const { return m_dashboardPage; }
    QString errorText() const;
    bool isLoaded() const { return m_loaded; }
    // Selects the rows of these accounts in the view (the current row is the first).
    void selectUsers(const QStringList &userIds);

public slots:
    void reload();
    void approveSelected();
    void rejectSelected();
    void resendSelected();
    void revokeSelected();
    void markVerifiedSelected();
    void undoRejects();
    void cancelOperations();
    void openSettings();
    // The panic switches, for every instance sharing the database, at once (audited).
    void setSignupClosed(bool closed);
    void setApprovalForced(bool forced);

signals:
    void loaded();
    // A batch of actions ended (all items done or cancelled).
    void operationFinished(int succeeded, int failed, int cancelled);
    // A new signup was announced (a tray notification with this title and text).
    void signupAnnounced(const QString &title, const QString &text);

private:
    using ItemJob = std::function<core::Result<void>(core::CoreServices &, const QString &)>;
    struct Operation;

    void buildUi();
    void buildActions();
    QAction *addAction(const QString &name, const QString &text, const QList<QKeySequence> &keys,
                       void (MainWindow::*slot)());
    QStringList selectedUserIds() const;
    QStringList selectedWhere(const std::function<bool(core::AccountStatus)> &allowed,
                              const char *refusal);
    void runItems(const QString &label, const QStringList &userIds, ItemJob job,
                  const char *doneText);
    void itemDone(const std::shared_ptr<Operation> &op, const QString &userId,
                  const std::optional<core::Result<void>> &outcome);
    void requestRowReload(const QString &userId);
    void flushRowReloads();
    void loadTimeline(const QString &userId);
    void onCurrentChanged();
    void onRejectsDue(const QList<RejectRequest> &requests);
    void updatePendingUi();
    void updateCounts();
    void sizeColumnsOnce();
    void updateActions();
    void buildPages(QWidget *signupsPage);
    void pingDatabase();
    void showError(const QString &message);
    void showInfo(const QString &message);
    void buildSignupControls();
    void updateSignupState();
    void askReason(const QString &title, const QString &prompt, const QString &presetsKey,
                   const QStringList &defaults, std::function<void(const QString &)> accepted);

    core::CoreServices &m_core;
    ConsoleOptions m_options;
    std::unique_ptr<QSettings> m_settings;
    ConsoleBackend *m_backend = nullptr;
    SignupTableModel *m_model = nullptr;
    SignupFilterProxy *m_proxy = nullptr;
    TimelineModel *m_timeline = nullptr;
    PendingRejects *m_pending = nullptr;

    QTableView *m_view = nullptr;
    QTableView *m_timelineView = nullptr;
    QLabel *m_detailHeader = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLineEdit *m_search = nullptr;
    QFrame *m_messageBar = nullptr;
    QLabel *m_messageLabel = nullptr;
    QFrame *m_undoBar = nullptr;
    QLabel *m_undoLabel = nullptr;
    QFrame *m_progressBox = nullptr;
    QLabel *m_progressLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_urlLabel = nullptr;
    QLabel *m_dbLabel = nullptr;
    QLabel *m_mailLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_requestsLabel = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QTabWidget *m_tabs = nullptr;
    UsersPage *m_usersPage = nullptr;
    OutboxPage *m_outboxPage = nullptr;
    AuditPage *m_auditPage = nullptr;
    DashboardPage *m_dashboardPage = nullptr;

    QAction *m_approve = nullptr;
    QAction *m_reject = nullptr;
    QAction *m_resend = nullptr;
    QAction *m_revoke = nullptr;
    QAction *m_markVerified = nullptr;
    QAction *m_undo = nullptr;
    QAction *m_closeSignup = nullptr;
    QAction *m_forceApproval = nullptr;
    QLabel *m_signupStateLabel = nullptr;
    QPointer<SettingsDialog> m_settingsDialog;

    bool m_loaded = false;
    bool m_columnsSized = false;
    QSet<QString> m_dirty;
    QSet<QString> m_announce; // new signups to notify once their row is loaded
    QTimer m_reloadTimer;
    QElapsedTimer m_lastFlush; // of row reloads
    QTimer m_countTimer;
    QTimer m_clockTimer;
    QTimer m_pingTimer;
    QTimer m_requestsTimer;
    QTimer m_progressHideTimer;
    QList<std::shared_ptr<Operation>> m_operations;
    int m_opTotal = 0;
    int m_opDone = 0;
};

} // namespace sd::ui
