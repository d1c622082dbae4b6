#pragma once

#include "coreservices.h"

#include <QTimer>
#include <QWidget>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace sd::ui {

class AuditTableModel;
class ConsoleBackend;
class IdentityTableModel;
class OutboxTableModel;
class RowFilterProxy;
class UserTableModel;

// A tab of the console over one core list. It loads when first shown and, on core events,
// reloads (merging rows in place) while visible; a hidden tab only notes that it is stale.
class ConsolePage : public QWidget
{
    Q_OBJECT
public:
    ConsolePage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *filter() const { return m_filter; }
    RowFilterProxy *proxy() const { return m_proxy; }
    bool isLoaded() const { return m_loaded; }

public slots:
    virtual void reload() = 0;
    // Something changed in core: reload soon (gathers bursts), or when next shown.
    void scheduleReload();

signals:
    void loaded();
    void errorOccurred(const QString &message);
    void info(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    // The common frame: a filter combo, a search field, the table (and `side` to its right).
    void buildFrame(QAbstractItemModel *model, QWidget *side = nullptr);
    QAction *addViewAction(const QString &name, const QString &text, const QKeySequence &key);
    QStringList selectedKeys() const;
    void markLoaded();

    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    RowFilterProxy *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_filter = nullptr;
    QLineEdit *m_search = nullptr;
    QWidget *m_buttons = nullptr;

private:
    QTimer m_reloadTimer;
    bool m_stale = true;
    bool m_loaded = false;
    bool m_sized = false;
};

// All accounts: disable / enable, session counts, revoke sessions; to the right, the OAuth
// identities linked to the current account, with Unlink.
class UsersPage : public ConsolePage
{
    Q_OBJECT
public:
    UsersPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    UserTableModel *model() const { return m_model; }
    IdentityTableModel *identityModel() const { return m_identities; }
    QTableView *identityView() const { return m_identityView; }
    // The account whose identities the detail pane shows (empty: none).
    QString identitiesUserId() const { return m_identitiesUserId; }

public slots:
    void reload() override;
    void disableSelected();
    void enableSelected();
    void revokeSessionsSelected();
    void unlinkSelectedIdentity();

signals:
    // An account changed through this tab (the Signups tab refreshes its row).
    void userChanged(const QString &userId);
    void identitiesLoaded(const QString &userId);

private:
    void updateActions();
    void loadIdentities();
    QString currentUserId() const;
    UserTableModel *m_model;
    IdentityTableModel *m_identities;
    QTableView *m_identityView = nullptr;
    QLabel *m_identityHeader = nullptr;
    QString m_identitiesUserId;
    QAction *m_disable = nullptr;
    QAction *m_enable = nullptr;
    QAction *m_revoke = nullptr;
    QAction *m_unlink = nullptr;
};

// Every email: status, attempts, last error, a preview; Retry and Hold.
class OutboxPage : public ConsolePage
{
    Q_OBJECT
public:
    OutboxPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    OutboxTableModel *model() const { return m_model; }
    QString previewText() const;

public slots:
    void reload() override;
    void retrySelected();
    void holdSelected();

private:
    void updateActions();
    void updatePreview();
    OutboxTableModel *m_model;
    QPlainTextEdit *m_preview = nullptr;
    QAction *m_retry = nullptr;
    QAction *m_hold = nullptr;
};

// Every audit entry, filterable by action and text; CSV export.
class AuditPage : public ConsolePage
{
    Q_OBJECT
public:
    AuditPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    AuditTableModel *model() const { return m_model; }
    // Writes the entries the filter shows, on the backend thread; emits exported(ok).
    void exportCsv(const QString &path);

public slots:
    void reload() override;
    void exportWithDialog();

signals:
    void exported(bool ok);

private:
    AuditTableModel *m_model;
};

} // namespace sd::ui
