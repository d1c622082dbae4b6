#pragma once

#include "coreservices.h"
#include "pendingdecisions.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <functional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSettings;
class QTableView;

namespace sd::ui {

class BulkProgress;
class BulkRunner;
class MessageBar;
class ConsoleBackend;
class PagedFilterProxy;
class SignupTableModel;
class TimelineModel;
class TimelinePane;

// The Signups tab: pending signups (filter, search, sort), a detail pane with the signup's
// timeline, and the admin actions over the selection (bulk runs with progress, rejects with an
// undo window). Every core call runs on the ConsoleBackend's thread; core events update single
// rows, live. The window around it shows its counts and carries its actions in menus.
class SignupsPage : public QWidget
{
    Q_OBJECT
public:
    // `settings`: the console's own settings (the reason presets).
    SignupsPage(ConsoleBackend *backend, core::CoreServices &core, QSettings *settings,
                std::chrono::milliseconds undoWindow, QWidget *parent = nullptr);

    SignupTableModel *model() const { return m_model; }
    PagedFilterProxy *proxy() const { return m_proxy; }
    TimelineModel *timelineModel() const;
    TimelinePane *detailPane() const { return m_detail; }
    QTableView *view() const { return m_view; }
    QProgressBar *progressBar() const;
    PendingDecisions *pendingDecisions() const { return m_pending; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QLineEdit *searchField() const { return m_search; }
    bool isLoaded() const { return m_loaded; }
    QString errorText() const;
    // Approve, Reject, Resend, Revoke, Mark verified: for the window's menu and toolbar.
    QList<QAction *> rowActions() const;
    QAction *undoAction() const { return m_undo; }
    // Selects the rows of these accounts in the view (the current row is the first).
    void selectUsers(const QStringList &userIds);
    // Rejects still in their undo window go to the backend now (the console is closing).
    void flushPendingDecisions();

public slots:
    void reload();
    void approveSelected();
    void rejectSelected();
    void resendSelected();
    void revokeSelected();
    void markVerifiedSelected();
    void undoDecisions();
    void cancelOperations();
    // The one place where errors show.
    void showError(const QString &message);
    void requestRowReload(const QString &userId);
    // An email was sent or failed: the row it is about (or those waiting on mail) reload.
    void mailChanged(const QString &outboxId);

signals:
    void loaded();
    // A batch of actions ended (all items done or cancelled).
    void operationFinished(int succeeded, int failed, int cancelled);
    // A new signup's row was loaded.
    void signupArrived(const QString &username, const QString &email);
    // The counts changed (`loaded` false: only a first screenful is there, no counts yet).
    void countsChanged(bool loaded, int pendingApproval, int pendingVerification);
    // A short note for the status bar.
    void info(const QString &message);

private:
    void buildUi();
    void buildActions();
    QAction *addRowAction(const QString &name, const QString &text, const QList<QKeySequence> &keys,
                          void (SignupsPage::*slot)());
    QStringList selectedUserIds() const;
    QStringList usernames(const QStringList &userIds) const;
    QStringList selectedWhere(const std::function<bool(core::AccountStatus)> &allowed,
                              const char *refusal);
    void runItems(const QString &label, const QStringList &userIds,
                  std::function<core::Result<void>(core::CoreServices &, const QString &)> job,
                  const char *doneText);
    void flushRowReloads();
    void onFetched();
    // Shows the current row's signup in the detail pane while that row is selected, else none.
    void syncDetail();
    QString currentUserId() const;
    void onDecisionsDue(const QList<PendingDecision> &decisions);
    // Into the undo window (approve, reject).
    void decide(PendingDecision::Kind kind, const QStringList &userIds, const QString &reason);
    struct ConfirmText
    {
        QString title, question, action; // question: %1 for the names
    };
    // Asks first, naming the accounts (resend, revoke), then runs as runItems does.
    void
    confirmThenRun(const ConfirmText &text, const QStringList &userIds, const QString &label,
                   std::function<core::Result<void>(core::CoreServices &, const QString &)> job,
                   const char *doneText);
    void updatePendingUi();
    void updateCounts();
    void updateActions();
    void askReason(const QString &title, const QString &prompt, const QString &presetsKey,
                   const QStringList &defaults, std::function<void(const QString &)> accepted);

    core::CoreServices &m_core;
    ConsoleBackend *m_backend;
    QSettings *m_settings;
    SignupTableModel *m_model = nullptr;
    PagedFilterProxy *m_proxy = nullptr;
    TimelinePane *m_detail = nullptr;
    PendingDecisions *m_pending = nullptr;
    BulkRunner *m_bulk = nullptr;

    QTableView *m_view = nullptr;
    QComboBox *m_statusFilter = nullptr;
    QLineEdit *m_search = nullptr;
    MessageBar *m_messageBar = nullptr;
    BulkProgress *m_progress = nullptr;

    QAction *m_approve = nullptr;
    QAction *m_reject = nullptr;
    QAction *m_resend = nullptr;
    QAction *m_revoke = nullptr;
    QAction *m_markVerified = nullptr;
    QAction *m_undo = nullptr;

    bool m_loaded = false;
    bool m_selectNeighbour = false; // the selected current row is being removed
    bool m_detailDirty = false;     // the detail pane's signup changed: show it again
    QSet<QString> m_dirty;
    QSet<QString> m_announce; // new signups to announce with their names
    QTimer m_reloadTimer;
    QElapsedTimer m_lastFlush; // of row reloads
    QTimer m_countTimer;
    QTimer m_clockTimer;
};

} // namespace sd::ui
