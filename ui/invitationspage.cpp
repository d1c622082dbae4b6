#include "invitationspage.h"

#include "confirmaction.h"
#include "consolebackend.h"
#include "consoletablemodels.h"
#include "errormessages.h"
#include "rowfilterproxy.h"

#include "config.h"
#include "localactor.h"

#include <QAction>
#include <QColor>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

QVariant warnColor(bool warn)
{
    return warn ? QVariant(QColor(0xb0, 0x2a, 0x1e)) : QVariant();
}

} // namespace

// ---- The model

int InvitationTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString InvitationTableModel::statusText(const QString &status)
{
    if (status == u"pending"_s)
        return tr("Pending");
    if (status == u"accepted"_s)
        return tr("Accepted");
    if (status == u"revoked"_s)
        return tr("Revoked");
    if (status == u"expired"_s)
        return tr("Expired");
    return status;
}

QVariant InvitationTableModel::data(const QModelIndex &index, int role) const
{
    const core::InvitationRow *r = rowAt(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Email:
            return r->email;
        case DisplayName:
            return r->displayName;
        case Status:
            return statusText(r->status);
        case Apps:
            return r->apps.join(u", "_s);
        case Groups:
            return r->groups.join(u", "_s);
        case Created:
            return localTime(r->createdAtMs);
        case Expires:
            return localTime(r->expiresAtMs);
        case InvitedBy:
            return r->createdBy;
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == Status)
            return warnColor(r->status == u"revoked"_s || r->status == u"expired"_s);
        break;
    case KeyRole:
        return r->id;
    case RowStatusRole:
        return r->status;
    case RowSortRole:
        switch (index.column()) {
        case Created:
            return r->createdAtMs;
        case Expires:
            return r->expiresAtMs;
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    return {};
}

QVariant InvitationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Email:
        return tr("Email");
    case DisplayName:
        return tr("Display name");
    case Status:
        return tr("Status");
    case Apps:
        return tr("Apps");
    case Groups:
        return tr("Groups");
    case Created:
        return tr("Invited");
    case Expires:
        return tr("Expires");
    case InvitedBy:
        return tr("Invited by");
    }
    return {};
}

// ---- The Invite dialog

InviteDialog::InviteDialog(const QStringList &apps, const QString &defaultGroup, Submit submit,
                           QWidget *parent)
    : QDialog(parent), m_submit(std::move(submit))
{
    setObjectName(u"inviteDialog"_s);
    setWindowTitle(tr("Invite someone"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("They get an email with a link to create an active account "
                                "with this address, even while signup is closed."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_email = new QLineEdit(this);
    m_email->setObjectName(u"inviteEmail"_s);
    m_email->setPlaceholderText(tr("name@example.com"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"inviteName"_s);
    m_name->setPlaceholderText(tr("Optional"));
    m_apps = new QListWidget(this);
    m_apps->setObjectName(u"inviteApps"_s);
    for (const QString &app : apps) {
        auto *item = new QListWidgetItem(app, m_apps);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    m_apps->setMaximumHeight(m_apps->sizeHintForRow(0) * std::min<int>(4, apps.size() + 1) + 8);
    m_apps->setToolTip(tr("None ticked: the first configured app."));
    m_groups = new QLineEdit(this);
    m_groups->setObjectName(u"inviteGroups"_s);
    m_groups->setPlaceholderText(defaultGroup.isEmpty()
                                     ? tr("Comma-separated; optional")
                                     : tr("Comma-separated; empty: %1").arg(defaultGroup));
    m_language = new QComboBox(this);
    m_language->setObjectName(u"inviteLanguage"_s);
    const QHash<QString, QString> languageNames{
        {u"en"_s, tr("English")}, {u"fr"_s, tr("French")}, {u"de"_s, tr("German")}};
    for (const QString &code : core::Config::languages())
        m_language->addItem(languageNames.value(code, code), code);
    form->addRow(tr("&Email:"), m_email);
    form->addRow(tr("&Display name:"), m_name);
    form->addRow(tr("&Apps:"), m_apps);
    form->addRow(tr("&Groups:"), m_groups);
    form->addRow(tr("Email &language:"), m_language);
    layout->addLayout(form);
    m_error = new QLabel(this);
    m_error->setObjectName(u"inviteError"_s);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(u"QLabel { color: #b02a1e; }"_s);
    m_error->hide();
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Send invitation"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(u"inviteSendButton"_s);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &InviteDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(m_buttons);
    connect(m_email, &QLineEdit::textChanged, this, &InviteDialog::updateButtons);
    updateButtons();
}

core::InvitationInput InviteDialog::input() const
{
    core::InvitationInput in;
    in.email = m_email->text().trimmed();
    in.displayName = m_name->text().trimmed();
    for (int i = 0; i < m_apps->count(); ++i)
        if (m_apps->item(i)->checkState() == Qt::Checked)
            in.apps << m_apps->item(i)->text();
    for (const QString &group : m_groups->text().split(u',', Qt::SkipEmptyParts))
        if (!group.trimmed().isEmpty())
            in.groups << group.trimmed();
    in.language = m_language->currentData().toString();
    return in;
}

QString InviteDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void InviteDialog::updateButtons()
{
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(!m_sending && !m_email->text().trimmed().isEmpty());
}

void InviteDialog::accept()
{
    if (m_sending || m_email->text().trimmed().isEmpty())
        return;
    m_sending = true;
    m_error->hide();
    updateButtons();
    QPointer<InviteDialog> self(this);
    m_submit(input(), [self](const core::Result<void> &result) {
        if (self)
            self->showResult(result);
    });
}

void InviteDialog::showResult(const core::Result<void> &result)
{
    m_sending = false;
    updateButtons();
    if (result) {
        QDialog::accept();
        return;
    }
    const core::Error &e = result.error();
    QString text;
    QWidget *field = nullptr;
    if (e.code == core::ErrorCode::Exists) {
        text = tr("An account or a pending invitation already has this address.");
        field = m_email;
    } else if (e.code == core::ErrorCode::Validation && e.fields.contains(u"email"_s)) {
        text = tr("This is not a valid email address.");
        field = m_email;
    } else if (e.code == core::ErrorCode::Validation && e.fields.contains(u"display_name"_s)) {
        text = tr("This display name is too long or contains characters that are not allowed.");
        field = m_name;
    } else if (e.code == core::ErrorCode::Validation && e.fields.contains(u"apps"_s)) {
        text = tr("One of these apps is no longer configured.");
        field = m_apps;
    } else if (e.code == core::ErrorCode::Validation && e.fields.contains(u"groups"_s)) {
        text = tr("A group name is empty or contains characters that are not allowed.");
        field = m_groups;
    } else {
        text = errorMessage(e);
    }
    m_error->setText(text);
    m_error->show();
    if (field)
        field->setFocus();
}

// ---- The page

InvitationsPage::InvitationsPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent), m_model(new InvitationTableModel(this))
{
    buildFrame(m_model);
    m_view->setObjectName(u"invitationsView"_s);
    m_view->sortByColumn(InvitationTableModel::Created, Qt::DescendingOrder);
    m_filter->addItem(tr("All invitations"), QStringList{});
    m_filter->addItem(tr("Pending"), QStringList{u"pending"_s});
    m_filter->addItem(tr("Accepted"), QStringList{u"accepted"_s});
    m_filter->addItem(tr("Revoked"), QStringList{u"revoked"_s});
    m_filter->addItem(tr("Expired"), QStringList{u"expired"_s});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    m_invite = addViewAction(u"inviteAction"_s, tr("&Invite…"), QKeySequence(Qt::Key_I));
    m_revoke = addViewAction(u"revokeInvitationAction"_s, tr("&Revoke"), QKeySequence(Qt::Key_R));
    connect(m_invite, &QAction::triggered, this, &InvitationsPage::openInviteDialog);
    connect(m_revoke, &QAction::triggered, this, &InvitationsPage::revokeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &InvitationsPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &InvitationsPage::updateActions);
    updateActions();
}

void InvitationsPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.invitations().list(); },
        [this](const core::Result<QList<core::InvitationRow>> &rows) {
            if (!rows) {
                emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_model->setRows(*rows);
            markLoaded();
            updateActions();
        });
}

QStringList InvitationsPage::pendingSelected() const
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::InvitationRow *r = m_model->find(id); r && r->status == u"pending"_s)
            ids << id;
    return ids;
}

void InvitationsPage::updateActions()
{
    m_revoke->setEnabled(!pendingSelected().isEmpty());
}

void InvitationsPage::openInviteDialog()
{
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return;
    }
    const auto live = m_core.settings().current(); // memory only: no database here
    m_dialog = new InviteDialog(
        live->apps, live->defaultGroup,
        [this](const core::InvitationInput &input,
               std::function<void(const core::Result<void> &)> done) {
            m_backend->run(
                this, [this, input] { return m_core.invitations().invite(input, kConsole); },
                [this, done](const core::Result<core::InvitationRow> &row) {
                    if (!row) {
                        done(std::unexpected(row.error()));
                        return;
                    }
                    done({});
                    emit info(tr("Invited %1; the invitation email is queued.").arg(row->email));
                    emit invitationChanged(row->id);
                    reload();
                });
        },
        this);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->setWindowModality(Qt::WindowModal);
    m_dialog->open();
}

namespace {

QString invitationError(const core::Error &e)
{
    switch (e.code) {
    case core::ErrorCode::NotFound:
        return InvitationsPage::tr("This invitation no longer exists.");
    case core::ErrorCode::Conflict:
        return InvitationsPage::tr(
            "This invitation is no longer pending (accepted, revoked or expired meanwhile).");
    default:
        return errorMessage(e);
    }
}

} // namespace

void InvitationsPage::revokeSelected()
{
    const QStringList ids = pendingSelected();
    if (ids.isEmpty())
        return;
    QStringList emails;
    for (const QString &id : ids)
        emails << m_model->find(id)->email;
    const QString label = actionLabel(m_revoke);
    ConfirmAction::ask(
        this,
        {tr("Revoke invitations"),
         tr("Revoke the invitation of %1? Its link stops working at once."), label, emails},
        [this, label, ids, emails] {
            runForEach(
                label, ids,
                BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
                    return core.invitations().revoke(id, kConsole);
                }),
                invitationError, [this](const QString &id) { emit invitationChanged(id); },
                [this, emails](int n) {
                    emit info(tr("Revoked %n invitation(s): %1.", nullptr, n)
                                  .arg(ConfirmAction::names(emails)));
                    reload();
                });
        },
        [this] { m_view->setFocus(); });
}

} // namespace sd::ui
