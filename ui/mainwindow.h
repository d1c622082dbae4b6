#pragma once

#include "console/outboxmonitor.h"
#include "console/webhookmonitor.h"
#include "coreservices.h"
#include "pendingdecisions.h"
#include "requestmeter.h"
#include "settingsdialog.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSettings;
class QSystemTrayIcon;
class QTabWidget;
class QTableView;

namespace sd::ui {

class AuditPage;
class ConsoleBackend;
class DashboardPage;
class InvitationsPage;
class OutboxPage;
class UsersPage;
class WebhooksPage;
class SignupsPage;
class PagedFilterProxy;
class SignupTableModel;
class TimelineModel;
class UserPage;

struct ConsoleOptions
{
    QString listeningUrl;                           // shown in the status bar
    core::OutboxMonitor *outboxMonitor = nullptr;   // for live email states; may be null
    core::WebhookMonitor *webhookMonitor = nullptr; // for live webhook states; may be null
    const core::RequestMeter *requestMeter =
        nullptr;                                  // HTTP answers, for the status bar; may be null
    std::chrono::milliseconds undoWindow{10'000}; // before a console reject reaches core
    QString settingsFile;                         // empty: the user's default settings
    bool trayIcon = true;
    SettingsHooks settings; // what the Settings dialog needs from app/
};

// The admin console's window: the tabs (Signups, Users, Invitations, Outbox, Audit log,
// Dashboard), menus
// and toolbars, the status bar (counts, URL, requests, database, mail, signup state), the
// Settings dialog and the tray icon. Every core call runs on the ConsoleBackend's thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(core::CoreServices &core, ConsoleOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests, screenshots and the benchmark.
    SignupsPage *signupsPage() const { return m_signupsPage; }
    SignupTableModel *signupModel() const;
    PagedFilterProxy *signupProxy() const;
    TimelineModel *timelineModel() const;
    QTableView *signupView() const;
    QProgressBar *progressBar() const;
    PendingDecisions *pendingDecisions() const;
    QComboBox *statusFilter() const;
    QLineEdit *searchField() const;
    QTabWidget *tabs() const { return m_tabs; }
    UsersPage *usersPage() const { return m_usersPage; }
    OutboxPage *outboxPage() const { return m_outboxPage; }
    WebhooksPage *webhooksPage() const { return m_webhooksPage; }
    AuditPage *auditPage() const { return m_auditPage; }
    InvitationsPage *invitationsPage() const { return m_invitationsPage; }
    QSystemTrayIcon *trayIcon() const { return m_tray; } // null without a system tray
    // The open Settings dialog, or null.
    SettingsDialog *settingsDialog() const { return m_settingsDialog; }
    // The status bar's signup state: "Signup CLOSED" while the panic switch is on.
    QLabel *signupStateLabel() const { return m_signupStateLabel; }
    DashboardPage *dashboardPage() const { return m_dashboardPage; }
    QString errorText() const;
    bool isLoaded() const;
    // Selects the rows of these accounts in the view (the current row is the first).
    void selectUsers(const QStringList &userIds);
    // The open page of this account, or null.
    UserPage *userPage(const QString &userId) const;

public slots:
    void reload();
    void approveSelected();
    void rejectSelected();
    void resendSelected();
    void revokeSelected();
    void markVerifiedSelected();
    void undoDecisions();
    void cancelOperations();
    void openSettings();
    // The panic switches, for every instance sharing the database, at once (audited).
    void setSignupClosed(bool closed);
    void setApprovalForced(bool forced);
    // The page of one account (a window of its own; raised when already open). Enter or a
    // double-click on a row of the Signups or Users tab opens it.
    UserPage *openUserPage(const QString &userId);

signals:
    void loaded();
    // A batch of actions ended (all items done or cancelled).
    void operationFinished(int succeeded, int failed, int cancelled);
    // A new signup was announced (a tray notification with this title and text).
    void signupAnnounced(const QString &title, const QString &text);

private:
    void buildUi();
    void buildActions();
    void buildPages();
    void buildWebhooksPage();
    void pingDatabase();
    void showError(const QString &message);
    void showInfo(const QString &message);
    void showCounts(bool loaded, int pendingApproval, int pendingVerification);
    void announceSignup(const QString &username, const QString &email);
    void buildSignupControls();
    void updateSignupState();

    core::CoreServices &m_core;
    ConsoleOptions m_options;
    std::unique_ptr<QSettings> m_settings;
    ConsoleBackend *m_backend = nullptr;
    SignupsPage *m_signupsPage = nullptr;

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
    WebhooksPage *m_webhooksPage = nullptr;
    DashboardPage *m_dashboardPage = nullptr;
    InvitationsPage *m_invitationsPage = nullptr;

    QAction *m_closeSignup = nullptr;
    QAction *m_forceApproval = nullptr;
    QLabel *m_signupStateLabel = nullptr;
    QPointer<SettingsDialog> m_settingsDialog;
    QHash<QString, QPointer<UserPage>> m_userPages;

    QTimer m_pingTimer;
    QTimer m_requestsTimer;
};

} // namespace sd::ui
