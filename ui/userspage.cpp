#include "userspage.h"

#include "confirmaction.h"
#include "consolebackend.h"
#include "consoletablemodels.h"
#include "errormessages.h"
#include "pagedfilterproxy.h"

#include "localactor.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

} // namespace

UsersPage::UsersPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    m_model = new UserTableModel(backend, core, this);
    m_paged = new PagedFilterProxy(this);
    m_identities = new IdentityTableModel(this);
    auto *side = new QWidget(this);
    side->setMinimumWidth(330); // provider, email and date without eliding
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_identityHeader = new QLabel(tr("Select an account to see its linked sign-ins."), side);
    m_identityHeader->setWordWrap(true);
    m_identityHeader->setTextFormat(Qt::PlainText);
    m_identityView = new QTableView(side);
    m_identityView->setObjectName(u"identityView"_s);
    m_identityView->setModel(m_identities);
    m_identityView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_identityView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_identityView->setWordWrap(false);
    m_identityView->verticalHeader()->hide();
    m_identityView->verticalHeader()->setDefaultSectionSize(m_identityView->fontMetrics().height() +
                                                            8);
    m_identityView->horizontalHeader()->setStretchLastSection(true);
    m_identityView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_unlink = new QAction(tr("U&nlink"), this);
    m_unlink->setObjectName(u"unlinkIdentityAction"_s);
    m_unlink->setShortcut(QKeySequence(Qt::Key_Delete));
    m_unlink->setShortcutContext(Qt::WidgetShortcut);
    m_unlink->setToolTip(tr("Unlink this sign-in from the account (Del); the next sign-in with it "
                            "makes a new account unless the emails match."));
    connect(m_unlink, &QAction::triggered, this, &UsersPage::unlinkSelectedIdentity);
    m_identityView->addAction(m_unlink);
    auto *unlinkButton = new QToolButton(side);
    unlinkButton->setDefaultAction(m_unlink);
    unlinkButton->setFocusPolicy(Qt::NoFocus);
    unlinkButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    sideLayout->addWidget(m_identityHeader);
    sideLayout->addWidget(m_identityView, 1);
    sideLayout->addWidget(unlinkButton, 0, Qt::AlignRight);
    buildFrame(m_model, side, m_paged);
    m_view->setObjectName(u"usersView"_s);
    PagedFilterProxy::keepSortIndicatorOnSortable(m_view->horizontalHeader(),
                                                  &UserTableModel::isSortable);
    m_filter->addItem(tr("All accounts"), QStringList{});
    m_filter->addItem(tr("Active"), QStringList{core::toString(core::AccountStatus::Active)});
    m_filter->addItem(tr("Disabled"), QStringList{core::toString(core::AccountStatus::Disabled)});
    m_filter->addItem(tr("Pending"),
                      QStringList{core::toString(core::AccountStatus::PendingVerification),
                                  core::toString(core::AccountStatus::PendingApproval)});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_paged->setStatuses(m_filter->currentData().toStringList()); });
    m_disable = addViewAction(u"disableUserAction"_s, tr("&Disable"), QKeySequence(Qt::Key_D));
    m_enable = addViewAction(u"enableUserAction"_s, tr("&Enable"), QKeySequence(Qt::Key_E));
    m_revoke =
        addViewAction(u"revokeSessionsAction"_s, tr("Revoke &sessions"), QKeySequence(Qt::Key_K));
    connect(m_disable, &QAction::triggered, this, &UsersPage::disableSelected);
    connect(m_enable, &QAction::triggered, this, &UsersPage::enableSelected);
    m_resetMfa = addViewAction(u"resetSecondFactorAction"_s, tr("Reset second &factor"),
                               QKeySequence(Qt::Key_F));
    connect(m_revoke, &QAction::triggered, this, &UsersPage::revokeSessionsSelected);
    connect(m_resetMfa, &QAction::triggered, this, &UsersPage::resetSecondFactorSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &UsersPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &UsersPage::updateActions);
    connect(m_model, &UserTableModel::errorOccurred, this, &UsersPage::errorOccurred);
    // "3 min ago" moves on without a change to the rows: repainted, not fetched.
    auto *clock = new QTimer(this);
    clock->setInterval(30'000);
    connect(clock, &QTimer::timeout, m_model, &UserTableModel::refreshTimes);
    clock->start();
    // A window came in (the first, a refresh, a scroll or another query): the actions and the
    // identities pane follow the rows it holds; the first one loads the tab.
    connect(m_model, &UserTableModel::fetched, this, [this] {
        if (!isLoaded())
            markLoaded();
        updateActions();
        loadIdentities();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &UsersPage::loadIdentities);
    connect(m_identityView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &UsersPage::updateActions);
    updateActions();
}

QString UsersPage::currentUserId() const
{
    return m_view->selectionModel()->currentIndex().data(KeyRole).toString();
}

void UsersPage::loadIdentities()
{
    const QString userId = currentUserId();
    const core::UserRow *user = m_model->find(userId);
    if (!user && !userId.isEmpty() && userId == m_identitiesUserId)
        return; // its row scrolled out of the model's window: the pane stays as it is
    if (userId != m_identitiesUserId) {
        m_identities->setRows({});
        m_identitiesUserId.clear();
    }
    if (!user) {
        m_identityHeader->setText(tr("Select an account to see its linked sign-ins."));
        updateActions();
        return;
    }
    const QString name = user->username;
    m_backend->run(
        this, [this, userId] { return m_core.userAdmin().identities(userId); },
        [this, userId, name](const core::Result<QList<core::OAuthIdentityRow>> &rows) {
            if (currentUserId() != userId)
                return; // the admin moved on meanwhile
            if (!rows) {
                if (rows.error().code != core::ErrorCode::NotFound)
                    emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_identitiesUserId = userId;
            m_identities->setRows(*rows);
            m_identityHeader->setText(rows->isEmpty()
                                          ? tr("%1 signs in with a password or an email link only; "
                                               "no GitHub or Google account is linked.")
                                                .arg(name)
                                          : tr("Sign-ins linked to %1:").arg(name));
            m_identityView->resizeColumnsToContents();
            updateActions();
            emit identitiesLoaded(userId);
        });
}

void UsersPage::unlinkSelectedIdentity()
{
    const QModelIndexList rows = m_identityView->selectionModel()->selectedRows();
    if (rows.isEmpty() || m_identitiesUserId.isEmpty())
        return;
    const QString userId = m_identitiesUserId;
    const QString identityId = rows.constFirst().data(KeyRole).toString();
    const core::OAuthIdentityRow *row = m_identities->find(identityId);
    const QString what =
        row ? tr("%1 (%2)").arg(IdentityTableModel::providerText(row->provider), row->email)
            : identityId;
    const core::UserRow *user = m_model->find(userId);
    const QString name = user ? user->username : userId;
    ConfirmAction::ask(
        this,
        {tr("Unlink sign-in"),
         tr("Unlink %1 from %2? The next sign-in with it makes a new account unless the "
            "emails match.")
             .arg(what, name),
         tr("Unlink"),
         {}},
        [this, userId, identityId, what] {
            m_unlink->setEnabled(false);
            m_backend->run(
                this,
                [this, userId, identityId] {
                    return m_core.userAdmin().unlinkIdentity(userId, identityId, kConsole);
                },
                [this, what](const core::Result<void> &r) {
                    if (!r)
                        emit errorOccurred(
                            r.error().code == core::ErrorCode::NotFound
                                ? tr("This sign-in is no longer linked to the account.")
                                : errorMessage(r.error()));
                    else
                        emit info(tr("Unlinked %1.").arg(what));
                    loadIdentities();
                });
        });
}

void UsersPage::reload()
{
    // Only the window: fetched again and patched (rows in and out one by one). The tab is no
    // longer stale once the refresh is asked for: it reads after the change that asked.
    if (!m_model->isStarted()) {
        m_model->start();
        return;
    }
    m_model->refresh();
    markLoaded();
}

void UsersPage::updateActions()
{
    bool active = false, disabled = false, any = false, mfa = false;
    for (const QString &id : selectedKeys()) {
        if (const core::UserRow *r = m_model->find(id)) {
            any = true;
            mfa |= r->mfaEnabled;
            active |= r->status == core::AccountStatus::Active && !r->isSuperuser;
            disabled |= r->status == core::AccountStatus::Disabled;
        }
    }
    m_disable->setEnabled(active);
    m_enable->setEnabled(disabled);
    m_revoke->setEnabled(any);
    m_resetMfa->setEnabled(mfa);
    m_unlink->setEnabled(!m_identitiesUserId.isEmpty() &&
                         m_identityView->selectionModel()->hasSelection());
}

namespace {

QString userError(const core::Error &e)
{
    switch (e.code) {
    case core::ErrorCode::NotFound:
        return UsersPage::tr("This account no longer exists.");
    case core::ErrorCode::Conflict:
        return UsersPage::tr("This account changed in the meantime (%1); reload and try again.")
            .arg(e.detail);
    case core::ErrorCode::Forbidden:
        return UsersPage::tr(
            "Super-users cannot be disabled from the console; use the command line.");
    default:
        return errorMessage(e);
    }
}

} // namespace

QStringList UsersPage::usernames(const QStringList &userIds) const
{
    QStringList names;
    for (const QString &id : userIds)
        if (const core::UserRow *r = m_model->find(id))
            names << r->username;
    return names;
}

void UsersPage::confirmThenRun(const QString &title, const QString &question, QAction *action,
                               const QStringList &userIds, BulkRunner::ItemJob job,
                               const char *doneText)
{
    if (userIds.isEmpty())
        return;
    const QStringList names = usernames(userIds);
    const QString label = actionLabel(action);
    ConfirmAction::ask(
        this, {title, question, label, names},
        [this, label, userIds, names, job = std::move(job), doneText] {
            runForEach(
                label, userIds, job, userError, [this](const QString &id) { emit userChanged(id); },
                [this, names, doneText](int n) {
                    emit info(tr(doneText, nullptr, n).arg(ConfirmAction::names(names)));
                    reload();
                });
        },
        [this] { m_view->setFocus(); });
}

void UsersPage::disableSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::UserRow *r = m_model->find(id);
            r && r->status == core::AccountStatus::Active && !r->isSuperuser)
            ids << id;
    confirmThenRun(tr("Disable accounts"),
                   tr("Disable %1? They cannot sign in, and their sessions end at once."),
                   m_disable, ids,
                   BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
                       return core.userAdmin().disable(id, kConsole);
                   }),
                   QT_TR_N_NOOP("Disabled %n account(s), their sessions ended: %1."));
}

void UsersPage::enableSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::UserRow *r = m_model->find(id);
            r && r->status == core::AccountStatus::Disabled)
            ids << id;
    confirmThenRun(tr("Enable accounts"), tr("Enable %1? They can sign in again."), m_enable, ids,
                   BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
                       return core.userAdmin().enable(id, kConsole);
                   }),
                   QT_TR_N_NOOP("Enabled %n account(s): %1."));
}

void UsersPage::revokeSessionsSelected()
{
    confirmThenRun(tr("End sessions"), tr("End every session of %1? They must sign in again."),
                   m_revoke, selectedKeys(),
                   BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
                       return core.userAdmin().revokeSessions(id, kConsole);
                   }),
                   QT_TR_N_NOOP("Sessions ended for %n account(s): %1."));
}

void UsersPage::resetSecondFactorSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::UserRow *r = m_model->find(id); r && r->mfaEnabled)
            ids << id;
    confirmThenRun(tr("Reset second factor"),
                   tr("Turn off the second factor of %1? They sign in with their password alone "
                      "until they turn it on again, and get a notice by email."),
                   m_resetMfa, ids,
                   BulkRunner::ignoringValue([](core::CoreServices &core, const QString &id) {
                       return core.mfa().adminReset(id, kConsole);
                   }),
                   QT_TR_N_NOOP("Second factor turned off for %n account(s): %1."));
}

} // namespace sd::ui
