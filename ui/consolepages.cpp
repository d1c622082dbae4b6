#include "consolepages.h"

#include "consolebackend.h"
#include "consoletablemodels.h"
#include "csvwriter.h"
#include "errormessages.h"
#include "rowfilterproxy.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

const core::Actor kConsole{u"console"_s};

// Per action, one summary line; the first error in the message bar.
struct Tally
{
    int succeeded = 0;
    QString firstError;
};

} // namespace

// ---- ConsolePage

ConsolePage::ConsolePage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : QWidget(parent), m_backend(backend), m_core(core)
{
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(200);
    connect(&m_reloadTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            reload();
    });
}

void ConsolePage::scheduleReload()
{
    m_stale = true;
    if (isVisible() && !m_reloadTimer.isActive())
        m_reloadTimer.start();
}

void ConsolePage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale)
        m_reloadTimer.start(0);
}

void ConsolePage::markLoaded()
{
    m_stale = false;
    if (!m_sized && m_proxy->rowCount() > 0) {
        m_sized = true;
        m_view->resizeColumnsToContents();
        for (int c = 0; c < m_proxy->columnCount() - 1; ++c)
            m_view->setColumnWidth(c, qMin(m_view->columnWidth(c), 320));
    }
    if (!m_loaded) {
        m_loaded = true;
        emit loaded();
    }
}

void ConsolePage::buildFrame(QAbstractItemModel *model, QWidget *side)
{
    m_proxy = new RowFilterProxy(this);
    m_proxy->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->setFocusPolicy(Qt::ClickFocus);
    m_filter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search…"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &RowFilterProxy::setSearchText);
    m_buttons = new QWidget(this);
    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_filter);
    row->addWidget(m_search, 1);
    row->addWidget(m_buttons);
    layout->addLayout(row);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->sortByColumn(0, Qt::AscendingOrder);
    if (side) {
        auto *splitter = new QSplitter(this);
        splitter->addWidget(m_view);
        splitter->addWidget(side);
        splitter->setStretchFactor(0, 3);
        splitter->setStretchFactor(1, 1);
        layout->addWidget(splitter, 1);
    } else {
        layout->addWidget(m_view, 1);
    }
    auto *toList = new QAction(this);
    toList->setShortcut(QKeySequence(Qt::Key_Escape));
    toList->setShortcutContext(Qt::WidgetShortcut);
    connect(toList, &QAction::triggered, this, [this] { m_view->setFocus(); });
    m_search->addAction(toList);
}

QAction *ConsolePage::addViewAction(const QString &name, const QString &text, const QKeySequence &key)
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcut(key);
    // Letters act only while the list has focus, so typing in the search field stays typing.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(tr("%1 (%2)").arg(QString(text).remove(u'&'),
                                         key.toString(QKeySequence::NativeText)));
    m_view->addAction(action);
    auto *button = new QToolButton(m_buttons);
    button->setDefaultAction(action);
    button->setFocusPolicy(Qt::NoFocus);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_buttons->layout()->addWidget(button);
    return action;
}

QStringList ConsolePage::selectedKeys() const
{
    QStringList keys;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        keys << index.data(KeyRole).toString();
    return keys;
}

// ---- Users

UsersPage::UsersPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    const core::Clock *clock = &core.clock();
    m_model = new UserTableModel([clock] { return clock->nowMs(); }, this);
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
    buildFrame(m_model, side);
    m_view->setObjectName(u"usersView"_s);
    m_filter->addItem(tr("All accounts"), QStringList{});
    m_filter->addItem(tr("Active"), QStringList{core::toString(core::AccountStatus::Active)});
    m_filter->addItem(tr("Disabled"), QStringList{core::toString(core::AccountStatus::Disabled)});
    m_filter->addItem(tr("Pending"), QStringList{core::toString(core::AccountStatus::PendingVerification),
                                                 core::toString(core::AccountStatus::PendingApproval)});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    m_disable = addViewAction(u"disableUserAction"_s, tr("&Disable"), QKeySequence(Qt::Key_D));
    m_enable = addViewAction(u"enableUserAction"_s, tr("&Enable"), QKeySequence(Qt::Key_E));
    m_revoke = addViewAction(u"revokeSessionsAction"_s, tr("Revoke &sessions"), QKeySequence(Qt::Key_K));
    connect(m_disable, &QAction::triggered, this, &UsersPage::disableSelected);
    connect(m_enable, &QAction::triggered, this, &UsersPage::enableSelected);
    connect(m_revoke, &QAction::triggered, this, &UsersPage::revokeSessionsSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &UsersPage::updateActions);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &UsersPage::updateActions);
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
    if (userId != m_identitiesUserId) {
        m_identities->setRows({});
        m_identitiesUserId.clear();
    }
    const core::UserRow *user = m_model->find(userId);
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
    m_unlink->setEnabled(false);
    m_backend->run(
        this,
        [this, userId, identityId] {
            return m_core.userAdmin().unlinkIdentity(userId, identityId, kConsole);
        },
        [this, what](const core::Result<void> &r) {
            if (!r)
                emit errorOccurred(r.error().code == core::ErrorCode::NotFound
                                       ? tr("This sign-in is no longer linked to the account.")
                                       : errorMessage(r.error()));
            else
                emit info(tr("Unlinked %1.").arg(what));
            loadIdentities();
        });
}

void UsersPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.userAdmin().list(); },
        [this](const core::Result<QList<core::UserRow>> &rows) {
            if (!rows) {
                emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_model->setRows(*rows);
            markLoaded();
            updateActions();
            loadIdentities();
        });
}

void UsersPage::updateActions()
{
    bool active = false, disabled = false, any = false;
    for (const QString &id : selectedKeys()) {
        if (const core::UserRow *r = m_model->find(id)) {
            any = true;
            active |= r->status == core::AccountStatus::Active && !r->isSuperuser;
            disabled |= r->status == core::AccountStatus::Disabled;
        }
    }
    m_disable->setEnabled(active);
    m_enable->setEnabled(disabled);
    m_revoke->setEnabled(any);
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
        return UsersPage::tr("This account changed in the meantime (%1); reload and try again.").arg(e.detail);
    case core::ErrorCode::Forbidden:
        return UsersPage::tr("Super-users cannot be disabled from the console; use the command line.");
    default:
        return errorMessage(e);
    }
}

} // namespace

// Runs `job` for each id on the backend; one summary when all are done.
template<typename Job>
static void runForEach(ConsoleBackend *backend, ConsolePage *page, core::CoreServices &core,
                       const QStringList &ids, Job job,
                       std::function<QString(const core::Error &)> errorText,
                       std::function<void(const QString &id)> each, std::function<void(int)> done)
{
    auto tally = std::make_shared<Tally>();
    auto left = std::make_shared<int>(int(ids.size()));
    core::CoreServices *c = &core;
    for (const QString &id : ids) {
        backend->run(page, [c, job, id] { return job(*c, id); },
                     [page, tally, left, id, errorText, each, done](const auto &result) {
                         if (result)
                             ++tally->succeeded;
                         else if (tally->firstError.isEmpty())
                             tally->firstError = errorText(result.error());
                         each(id);
                         if (--*left == 0) {
                             if (!tally->firstError.isEmpty())
                                 emit page->errorOccurred(tally->firstError);
                             done(tally->succeeded);
                         }
                     });
    }
}

void UsersPage::disableSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::UserRow *r = m_model->find(id);
            r && r->status == core::AccountStatus::Active && !r->isSuperuser)
            ids << id;
    runForEach(
        m_backend, this, m_core, ids,
        [](core::CoreServices &core, const QString &id) {
            return core.userAdmin().disable(id, kConsole);
        },
        userError, [this](const QString &id) { emit userChanged(id); },
        [this](int n) {
            emit info(tr("Disabled %n account(s); their sessions ended.", nullptr, n));
            reload();
        });
}

void UsersPage::enableSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::UserRow *r = m_model->find(id); r && r->status == core::AccountStatus::Disabled)
            ids << id;
    runForEach(
        m_backend, this, m_core, ids,
        [](core::CoreServices &core, const QString &id) {
            return core.userAdmin().enable(id, kConsole);
        },
        userError, [this](const QString &id) { emit userChanged(id); },
        [this](int n) {
            emit info(tr("Enabled %n account(s).", nullptr, n));
            reload();
        });
}

void UsersPage::revokeSessionsSelected()
{
    runForEach(
        m_backend, this, m_core, selectedKeys(),
        [](core::CoreServices &core, const QString &id) {
            return core.userAdmin().revokeSessions(id, kConsole);
        },
        userError, [](const QString &) {},
        [this](int n) {
            emit info(tr("Sessions ended for %n account(s).", nullptr, n));
            reload();
        });
}

// ---- Outbox

OutboxPage::OutboxPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    const core::Clock *clock = &core.clock();
    m_model = new OutboxTableModel([clock] { return clock->nowMs(); }, this);
    m_preview = new QPlainTextEdit(this);
    m_preview->setObjectName(u"outboxPreview"_s);
    m_preview->setReadOnly(true);
    m_preview->setFocusPolicy(Qt::ClickFocus);
    m_preview->setPlaceholderText(tr("Select an email to see its preview."));
    buildFrame(m_model, m_preview);
    m_view->setObjectName(u"outboxView"_s);
    m_view->sortByColumn(OutboxTableModel::Created, Qt::DescendingOrder);
    m_filter->addItem(tr("All emails"), QStringList{});
    m_filter->addItem(tr("Waiting (queued, sending)"), QStringList{u"queued"_s, u"processing"_s});
    m_filter->addItem(tr("Failed for good"), QStringList{u"dead"_s});
    m_filter->addItem(tr("Held"), QStringList{u"held"_s});
    m_filter->addItem(tr("Sent"), QStringList{u"sent"_s});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    m_retry = addViewAction(u"retryMailAction"_s, tr("&Retry now"), QKeySequence(Qt::Key_R));
    m_hold = addViewAction(u"holdMailAction"_s, tr("&Hold"), QKeySequence(Qt::Key_H));
    connect(m_retry, &QAction::triggered, this, &OutboxPage::retrySelected);
    connect(m_hold, &QAction::triggered, this, &OutboxPage::holdSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updatePreview();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &OutboxPage::updatePreview);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateActions();
        updatePreview();
    });
    updateActions();
}

QString OutboxPage::previewText() const
{
    return m_preview->toPlainText();
}

void OutboxPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.outboxAdmin().list(); },
        [this](const core::Result<QList<core::OutboxEntry>> &rows) {
            if (!rows) {
                emit errorOccurred(errorMessage(rows.error()));
                return;
            }
            m_model->setRows(*rows);
            markLoaded();
        });
}

void OutboxPage::updateActions()
{
    bool retry = false, hold = false;
    for (const QString &id : selectedKeys()) {
        if (const core::OutboxEntry *e = m_model->find(id)) {
            retry |= OutboxTableModel::canRetry(e->status);
            hold |= OutboxTableModel::canHold(e->status);
        }
    }
    m_retry->setEnabled(retry);
    m_hold->setEnabled(hold);
}

void OutboxPage::updatePreview()
{
    const QString id = m_view->selectionModel()->currentIndex().data(KeyRole).toString();
    const core::OutboxEntry *e = m_model->find(id);
    const QString text = e ? OutboxTableModel::preview(*e, m_core.clock().nowMs()) : QString();
    if (text != m_preview->toPlainText())
        m_preview->setPlainText(text);
}

namespace {

QString mailError(const core::Error &e)
{
    switch (e.code) {
    case core::ErrorCode::NotFound:
        return OutboxPage::tr("This email no longer exists.");
    case core::ErrorCode::Conflict:
        return OutboxPage::tr("This email changed in the meantime (%1); it may be sending now.").arg(e.detail);
    default:
        return errorMessage(e);
    }
}

} // namespace

void OutboxPage::retrySelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::OutboxEntry *e = m_model->find(id);
            e && OutboxTableModel::canRetry(e->status))
            ids << id;
    runForEach(
        m_backend, this, m_core, ids,
        [](core::CoreServices &core, const QString &id) {
            return core.outboxAdmin().retry(id, kConsole);
        },
        mailError, [](const QString &) {},
        [this](int n) {
            emit info(tr("%n email(s) queued to be sent now.", nullptr, n));
            reload();
        });
}

void OutboxPage::holdSelected()
{
    QStringList ids;
    for (const QString &id : selectedKeys())
        if (const core::OutboxEntry *e = m_model->find(id);
            e && OutboxTableModel::canHold(e->status))
            ids << id;
    runForEach(
        m_backend, this, m_core, ids,
        [](core::CoreServices &core, const QString &id) {
            return core.outboxAdmin().hold(id, kConsole);
        },
        mailError, [](const QString &) {},
        [this](int n) {
            emit info(tr("%n email(s) held; Retry sends them.", nullptr, n));
            reload();
        });
}

// ---- Audit log

AuditPage::AuditPage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : ConsolePage(backend, core, parent)
{
    m_model = new AuditTableModel(this);
    buildFrame(m_model);
    m_view->setObjectName(u"auditView"_s);
    m_view->sortByColumn(AuditTableModel::Time, Qt::DescendingOrder);
    m_search->setPlaceholderText(tr("Search actor, subject, detail…"));
    m_filter->addItem(tr("All actions"), QStringList{});
    connect(m_filter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_filter->currentData().toStringList()); });
    auto *exportAction = addViewAction(u"exportCsvAction"_s, tr("E&xport CSV…"),
                                       QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(exportAction, &QAction::triggered, this, &AuditPage::exportWithDialog);
}

void AuditPage::reload()
{
    m_backend->run(
        this, [this] { return m_core.auditLog().list(); },
        [this](const core::Result<core::AuditListing> &loaded) {
            if (!loaded) {
                emit errorOccurred(errorMessage(loaded.error()));
                return;
            }
            const QList<core::AuditEntry> *rows = &loaded->entries;
            m_model->setUserNames(loaded->usernames);
            m_model->setRows(*rows);
            // The action filter offers the actions seen so far, keeping the current choice.
            QStringList actions;
            for (const core::AuditEntry &e : *rows)
                if (!actions.contains(e.action))
                    actions << e.action;
            actions.sort();
            for (const QString &a : std::as_const(actions))
                if (m_filter->findText(a) < 0)
                    m_filter->addItem(a, QStringList{a});
            markLoaded();
        });
}

void AuditPage::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the audit log"),
                                                      tr("audit-log.csv"), tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void AuditPage::exportCsv(const QString &path)
{
    QList<core::AuditEntry> entries;
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QString id = m_proxy->index(r, 0).data(KeyRole).toString();
        if (const core::AuditEntry *e = m_model->find(id))
            entries << *e;
    }
    const int count = int(entries.size());
    m_backend->run(this, [entries, path] {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(auditLogCsv(entries).toUtf8());
        return file.commit() ? QString() : file.errorString();
    }, [this, path, count](const QString &error) {
        if (!error.isEmpty())
            emit errorOccurred(tr("Could not write %1: %2").arg(path, error));
        else
            emit info(tr("Exported %n audit entries to %1.", nullptr, count).arg(path));
        emit exported(error.isEmpty());
    });
}

} // namespace sd::ui
