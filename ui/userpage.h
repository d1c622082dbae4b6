#pragma once

#include "coreservices.h"
#include "rowtablemodel.h"

#include <QDialog>
#include <QHash>

#include <chrono>

class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QTabWidget;
class QTableView;
class QTimer;

namespace sd::ui {

class ConsoleBackend;
class IdentityTableModel;
class MessageBar;
class PendingDecisions;
class TimelineModel;

// One account's live sessions on its page: started, last used, address, browser.
class SessionTableModel : public RowTableModel<core::SessionInfo>
{
    Q_OBJECT
public:
    enum Column
    {
        Started,
        LastUsed,
        Address,
        Browser,
        ColumnCount
    };
    using RowTableModel::RowTableModel;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QString keyOf(const core::SessionInfo &row) const override { return row.id; }
};

// The page of one account, as Keycloak's admin console has one per user, reached from the
// Signups and Users tabs by Enter or a double-click: a window of its own with the account's
// details (display name editable), its sessions (end one, end all), its credentials (password,
// second factor, linked sign-ins), its own events, and the actions on it in one place (send a
// reset link, disable or enable, delete with a reason). Every read and change runs through core
// on the console's backend thread, audited as the person at the console. Changes follow
// docs/CONSOLE.md: a confirmation naming the account, and for the deletion a reason and then
// the undo window. It follows core's events about the account while open.
class UserPage : public QDialog
{
    Q_OBJECT
public:
    UserPage(ConsoleBackend *backend, core::CoreServices &core, QSettings *settings,
             const QString &userId, std::chrono::milliseconds undoWindow,
             QWidget *parent = nullptr);
    ~UserPage() override;

    QString userId() const { return m_userId; }
    // The account as last loaded (empty id before the first load, or once it is gone).
    const core::UserDetails &details() const { return m_details; }
    bool isLoaded() const { return m_loaded; }
    // The account no longer exists (deleted here or elsewhere).
    bool isGone() const { return m_gone; }

    // For tests and screenshots.
    QTabWidget *sections() const { return m_sections; }
    QString headerText() const;
    QString errorText() const;
    QLineEdit *displayNameField() const { return m_displayName; }
    QTableView *sessionView() const { return m_sessionView; }
    SessionTableModel *sessionModel() const { return m_sessions; }
    TimelineModel *eventModel() const { return m_events; }
    PendingDecisions *pendingDeletion() const { return m_pending; }
    // The value shown for one detail or credential ("emailVerified", "groups", "password",
    // "secondFactor", …: the object names of the value labels).
    QString field(const QString &name) const;

    // Runs a deletion still waiting in its undo window now (the console closes).
    void flushPendingDeletion();

public slots:
    void reload();
    void saveDisplayName();
    void endSelectedSession();
    void endAllSessions();
    void sendResetLink();
    void disableOrEnable();
    void deleteAccount();
    void undoDeletion();

signals:
    void loaded();
    // The account changed through this page (the lists refresh its row).
    void userChanged(const QString &userId);
    // What an action did, for the main window's status bar too.
    void info(const QString &message);

private:
    QLabel *addField(QFormLayout *form, const QString &label, const QString &name);
    void showDetails(const core::UserDetails &d);
    void showGone();
    void showError(const QString &message);
    QString pageError(const core::Error &error) const;
    void updateActions();
    void loadEvents();
    // The console's confirmation (docs/CONSOLE.md), then `job` on the backend thread; `done` is
    // said in the status bar when it succeeded.
    void confirmThenRun(const QString &title, const QString &question, const QString &actionText,
                        std::function<core::Result<void>(core::CoreServices &)> job,
                        const QString &done);
    void runDeletion(const QString &reason);
    QString name() const;

    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    QSettings *m_settings;
    const QString m_userId;
    core::UserDetails m_details;
    bool m_loaded = false;
    bool m_gone = false;
    bool m_busy = false;
    QTimer *m_reloadTimer = nullptr;

    QLabel *m_header = nullptr;
    MessageBar *m_messageBar = nullptr;
    PendingDecisions *m_pending = nullptr;
    QTabWidget *m_sections = nullptr;
    QHash<QString, QLabel *> m_fields;
    QLineEdit *m_displayName = nullptr;
    QPushButton *m_saveName = nullptr;
    SessionTableModel *m_sessions = nullptr;
    QTableView *m_sessionView = nullptr;
    QPushButton *m_endSession = nullptr;
    QPushButton *m_endAll = nullptr;
    IdentityTableModel *m_identities = nullptr;
    TimelineModel *m_events = nullptr;
    QPushButton *m_reset = nullptr;
    QPushButton *m_disable = nullptr;
    QPushButton *m_delete = nullptr;
};

} // namespace sd::ui
