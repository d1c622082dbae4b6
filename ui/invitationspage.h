#pragma once

#include "consolepage.h"
#include "rowtablemodel.h"

#include "flows/invitation/invitationservice.h"

#include <QDialog>
#include <QPointer>

#include <functional>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace sd::ui {

// Every invitation: the Invitations tab.
class InvitationTableModel : public RowTableModel<core::InvitationRow>
{
    Q_OBJECT
public:
    enum Column
    {
        Email,
        DisplayName,
        Status,
        Apps,
        Groups,
        Created,
        Expires,
        InvitedBy,
        ColumnCount
    };
    using RowTableModel::RowTableModel;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    static QString statusText(const QString &status);

protected:
    QString keyOf(const core::InvitationRow &row) const override { return row.id; }
};

// The Invite dialog: email, display name, apps (the configured ones), groups, the language of
// the invitation email. It sends nothing itself: OK hands the input to `submit`, which runs it
// off the GUI thread and calls back with the result; a validation error shows next to its
// field and the dialog stays open, success closes it.
class InviteDialog : public QDialog
{
    Q_OBJECT
public:
    using Submit = std::function<void(const core::InvitationInput &,
                                      std::function<void(const core::Result<void> &)>)>;
    InviteDialog(const QStringList &apps, const QString &defaultGroup, Submit submit,
                 QWidget *parent = nullptr);

    core::InvitationInput input() const;
    QString errorText() const;
    // For tests: the fields by role.
    QLineEdit *emailField() const { return m_email; }
    QLineEdit *nameField() const { return m_name; }
    QLineEdit *groupsField() const { return m_groups; }
    QListWidget *appsList() const { return m_apps; }
    QComboBox *languageBox() const { return m_language; }

public slots:
    void accept() override;

private:
    void showResult(const core::Result<void> &result);
    void updateButtons();

    Submit m_submit;
    QLineEdit *m_email = nullptr;
    QLineEdit *m_name = nullptr;
    QListWidget *m_apps = nullptr;
    QLineEdit *m_groups = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    bool m_sending = false;
};

// Invitations (API.md "Administration of accounts and invitations"): the list with its status
// (pending, accepted, revoked, expired), Invite… and Revoke. Every call goes through core's
// InvitationService on the console's backend thread, audited as this console's person.
class InvitationsPage : public ConsolePage
{
    Q_OBJECT
public:
    InvitationsPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent = nullptr);
    InvitationTableModel *model() const { return m_model; }
    // The open Invite dialog, or null.
    InviteDialog *inviteDialog() const { return m_dialog; }

public slots:
    void reload() override;
    void openInviteDialog();
    void revokeSelected();

signals:
    // An invitation was made or revoked through this tab.
    void invitationChanged(const QString &invitationId);

private:
    void updateActions();
    QStringList pendingSelected() const;

    InvitationTableModel *m_model;
    QAction *m_invite = nullptr;
    QAction *m_revoke = nullptr;
    QPointer<InviteDialog> m_dialog;
};

} // namespace sd::ui
