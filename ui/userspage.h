#pragma once

#include "consolepage.h"

class QLabel;

namespace sd::ui {

class IdentityTableModel;
class PagedFilterProxy;
class UserTableModel;

// All accounts: disable / enable, session counts, revoke sessions; to the right, the OAuth
// identities linked to the current account, with Unlink.
class UsersPage : public ConsolePage
{
    Q_OBJECT
public:
    UsersPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    UserTableModel *model() const { return m_model; }
    // What the view shows: the model, its filter, search and sort passed on to the database.
    PagedFilterProxy *proxy() const { return m_paged; }
    IdentityTableModel *identityModel() const { return m_identities; }
    QTableView *identityView() const { return m_identityView; }
    // The account whose identities the detail pane shows (empty: none).
    QString identitiesUserId() const { return m_identitiesUserId; }

public slots:
    void reload() override;
    void disableSelected();
    void enableSelected();
    void revokeSessionsSelected();
    // Issue 14: turns the second factor of the selected accounts off (audited, notice mailed).
    void resetSecondFactorSelected();
    void unlinkSelectedIdentity();

signals:
    // An account changed through this tab (the Signups tab refreshes its row).
    void userChanged(const QString &userId);
    void identitiesLoaded(const QString &userId);

private:
    void updateActions();
    void loadIdentities();
    QStringList usernames(const QStringList &userIds) const;
    // The console's rule (docs/CONSOLE.md): asks first, naming the accounts, then runs `job`
    // for each as one bulk run; `doneText` (%n accounts, %1 their names) to the status bar.
    void confirmThenRun(const QString &title, const QString &question, QAction *action,
                        const QStringList &userIds, BulkRunner::ItemJob job, const char *doneText);
    QString currentUserId() const;
    UserTableModel *m_model;
    PagedFilterProxy *m_paged;
    IdentityTableModel *m_identities;
    QTableView *m_identityView = nullptr;
    QLabel *m_identityHeader = nullptr;
    QString m_identitiesUserId;
    QAction *m_disable = nullptr;
    QAction *m_enable = nullptr;
    QAction *m_revoke = nullptr;
    QAction *m_resetMfa = nullptr;
    QAction *m_unlink = nullptr;
};

} // namespace sd::ui
