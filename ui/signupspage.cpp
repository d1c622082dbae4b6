#include "signupspage.h"

#include "bulkrunner.h"
#include "consolebackend.h"
#include "errormessages.h"
#include "messagebar.h"
#include "pagedfilterproxy.h"
#include "reasondialog.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"
#include "timelinemodel.h"
#include "timelinepane.h"
#include "undobar.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;

namespace sd::ui {

namespace {

// Live changes are gathered for 30 ms, and the shown window fetched again at most every
// 250 ms: 50 signups a second must not mean 50 fetches and repaints a second
// (tests/bench/bench_console).
constexpr qint64 kGatherMs = 30;
constexpr qint64 kMinFlushGapMs = 250;

struct Arrival
{
    QString userId;
    core::Result<std::optional<SignupOverviewRow>> row;
};

} // namespace

SignupsPage::SignupsPage(ConsoleBackend *backend, core::CoreServices &core, QSettings *settings,
                         std::chrono::milliseconds undoWindow, QWidget *parent)
    : QWidget(parent), m_core(core), m_backend(backend), m_settings(settings)
{
    m_model = new SignupTableModel(backend, core, this);
    m_proxy = new PagedFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_pending = new PendingDecisions(undoWindow, this);
    m_bulk = new BulkRunner(backend, core, this);

    buildUi();
    buildActions();

    connect(m_pending, &PendingDecisions::changed, this, &SignupsPage::updatePendingUi);
    connect(m_pending, &PendingDecisions::due, this, &SignupsPage::onDecisionsDue);

    // Core emits from worker threads: queued, so the slots run here.
    core::Events &events = core.events();
    connect(
        &events, &core::Events::signupCreated, this,
        [this](const QString &id) {
            m_announce.insert(id);
            requestRowReload(id);
        },
        Qt::QueuedConnection);
    for (auto signal : {&core::Events::emailVerified, &core::Events::signupApproved,
                        &core::Events::signupRejected})
        connect(&events, signal, this, &SignupsPage::requestRowReload, Qt::QueuedConnection);
    connect(&events, &core::Events::remoteEventsMissed, this, &SignupsPage::reload,
            Qt::QueuedConnection);
    // Changes of other processes (the command line on SQLite): only their rows reload.
    connect(
        &events, &core::Events::accountsChanged, this,
        [this](const QStringList &ids) {
            for (const QString &id : ids)
                requestRowReload(id);
        },
        Qt::QueuedConnection);

    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(int(kGatherMs)); // gathers a burst of events into one backend job
    connect(&m_reloadTimer, &QTimer::timeout, this, &SignupsPage::flushRowReloads);
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(200);
    connect(&m_countTimer, &QTimer::timeout, this, &SignupsPage::updateCounts);
    connect(m_model, &SignupTableModel::countsChanged, &m_countTimer, qOverload<>(&QTimer::start));
    connect(m_model, &SignupTableModel::errorOccurred, this, &SignupsPage::showError);
    connect(m_model, &SignupTableModel::fetched, this, &SignupsPage::onFetched);
    m_clockTimer.setInterval(30'000);
    connect(&m_clockTimer, &QTimer::timeout, m_model, &SignupTableModel::refreshTimes);
    m_clockTimer.start();
    updateActions();
}

void SignupsPage::buildUi()
{
    auto *central = this;
    auto *layout = new QVBoxLayout(central);

    // The one place where errors show.
    m_messageBar = new MessageBar(central);
    layout->addWidget(m_messageBar);

    auto *filterRow = new QHBoxLayout;
    m_statusFilter = new QComboBox(central);
    m_statusFilter->setObjectName(u"statusFilter"_s);
    const QString pv = core::toString(AccountStatus::PendingVerification);
    const QString pa = core::toString(AccountStatus::PendingApproval);
    m_statusFilter->addItem(tr("All pending"), QStringList{pv, pa});
    m_statusFilter->addItem(tr("Pending approval"), QStringList{pa});
    m_statusFilter->addItem(tr("Pending verification"), QStringList{pv});
    m_statusFilter->addItem(tr("Active"), QStringList{core::toString(AccountStatus::Active)});
    m_statusFilter->addItem(tr("Disabled"), QStringList{core::toString(AccountStatus::Disabled)});
    m_statusFilter->addItem(tr("All"), QStringList{});
    m_statusFilter->setFocusPolicy(Qt::ClickFocus);
    m_proxy->setStatuses({pv, pa});
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatuses(m_statusFilter->currentData().toStringList()); });
    m_search = new QLineEdit(central);
    m_search->setObjectName(u"search"_s);
    m_search->setPlaceholderText(tr("Search username, email, name or address (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &PagedFilterProxy::setSearchText);
    connect(m_search, &QLineEdit::returnPressed, this, [this] { m_view->setFocus(); });
    auto *statusLabel = new QLabel(tr("S&how:"), central);
    statusLabel->setBuddy(m_statusFilter);
    filterRow->addWidget(statusLabel);
    filterRow->addWidget(m_statusFilter);
    filterRow->addWidget(m_search, 1);
    layout->addLayout(filterRow);

    auto *undoBar = new UndoBar(m_pending, central);
    connect(undoBar, &UndoBar::undoRequested, this, &SignupsPage::undoDecisions);
    layout->addWidget(undoBar);

    m_progress = new BulkProgress(m_bulk, u"progress"_s, u"cancelButton"_s, central);
    layout->addWidget(m_progress);

    // The list above its timeline: both get the window's full width, so neither elides.
    auto *splitter = new QSplitter(Qt::Vertical, central);
    m_view = new QTableView(splitter);
    m_view->setObjectName(u"signupView"_s);
    // The selected row leaves the list (approved, rejected, removed elsewhere): its neighbour,
    // now current, becomes the selection, so the admin works down the list. Connected before
    // the view's selection model is, so this sees the current row before it moves.
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                const QModelIndex current = m_view->selectionModel()->currentIndex();
                m_selectNeighbour = current.isValid() && current.row() >= first &&
                                    current.row() <= last &&
                                    m_view->selectionModel()->isRowSelected(current.row(), {});
            });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, [this] {
        QItemSelectionModel *sm = m_view->selectionModel();
        if (std::exchange(m_selectNeighbour, false) && !sm->hasSelection() &&
            sm->currentIndex().isValid())
            sm->select(sm->currentIndex(),
                       QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        syncDetail();
    });
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SignupTableModel::SignedUp, Qt::AscendingOrder);
    PagedFilterProxy::keepSortIndicatorOnSortable(m_view->horizontalHeader(),
                                                  &SignupTableModel::isSortable);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->verticalHeader()->setSectionResizeMode(
        QHeaderView::Fixed); // uniform rows, never measured
    // Columns are fitted to the rows in view only (TableColumns): a row outside the model's
    // window has no data yet, and asking for it moves the window.
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    // Fitted as rows arrive, remembered; cut cells' text in their tooltips.
    auto *columns = new TableColumns(m_view, m_settings, u"signups"_s, 260);
    // The list grows and shrinks at its end with every live signup: not a reason to measure.
    columns->setFitOnRowCountChanges(false);
    // The detail pane follows the current row while it is selected, and nothing else.
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SignupsPage::syncDetail);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        syncDetail();
        updateActions();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &SignupsPage::syncDetail);

    m_detail = new TimelinePane(m_backend, m_core, splitter);
    connect(m_detail, &TimelinePane::errorOccurred, this, &SignupsPage::showError);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);
}

QAction *SignupsPage::addRowAction(const QString &name, const QString &text,
                                   const QList<QKeySequence> &keys, void (SignupsPage::*slot)())
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcuts(keys);
    // Letters act only while the list has focus, so typing in the search field stays typing.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(action, &QAction::triggered, this, slot);
    m_view->addAction(action);
    return action;
}

void SignupsPage::buildActions()
{
    m_approve = addRowAction(u"approveAction"_s, tr("&Approve"),
                             {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::Key_A)},
                             &SignupsPage::approveSelected);
    m_reject = addRowAction(u"rejectAction"_s, tr("&Reject…"), {QKeySequence(Qt::Key_R)},
                            &SignupsPage::rejectSelected);
    m_resend = addRowAction(u"resendAction"_s, tr("Re&send verification"),
                            {QKeySequence(Qt::Key_S)}, &SignupsPage::resendSelected);
    m_revoke = addRowAction(u"revokeAction"_s, tr("Revoke &token"), {QKeySequence(Qt::Key_T)},
                            &SignupsPage::revokeSelected);
    m_markVerified = addRowAction(u"markVerifiedAction"_s, tr("Mark &verified…"),
                                  {QKeySequence(Qt::Key_V)}, &SignupsPage::markVerifiedSelected);

    // Window-wide (Ctrl+Z on every tab): the window adds it to itself.
    m_undo = new QAction(tr("&Undo approve or reject"), this);
    m_undo->setObjectName(u"undoAction"_s);
    m_undo->setShortcut(QKeySequence::Undo);
    connect(m_undo, &QAction::triggered, this, &SignupsPage::undoDecisions);

    auto *toList = new QAction(this);
    toList->setShortcut(QKeySequence(Qt::Key_Escape));
    toList->setShortcutContext(Qt::WidgetShortcut);
    connect(toList, &QAction::triggered, this, [this] { m_view->setFocus(); });
    m_search->addAction(toList);
}

void SignupsPage::showError(const QString &message)
{
    m_messageBar->showMessage(message);
}

TimelineModel *SignupsPage::timelineModel() const
{
    return m_detail->model();
}

QProgressBar *SignupsPage::progressBar() const
{
    return m_progress->bar();
}

QList<QAction *> SignupsPage::rowActions() const
{
    return {m_approve, m_reject, m_resend, m_revoke, m_markVerified};
}

void SignupsPage::mailChanged(const QString &outboxId)
{
    // Only when the email is one of the shown rows', or a shown row waits on one (it may have
    // been sent before this console saw it queued).
    const QString userId = m_model->userIdOfMail(outboxId);
    if (!userId.isEmpty() || m_model->awaitsMail())
        requestRowReload(userId);
}

QString SignupsPage::errorText() const
{
    return m_messageBar->message();
}

void SignupsPage::selectUsers(const QStringList &userIds)
{
    QItemSelection selection;
    QModelIndex first;
    for (const QString &id : userIds) {
        const int row = m_model->rowOf(id);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        if (!index.isValid())
            continue;
        if (!first.isValid())
            first = index;
        selection.select(index, index.siblingAtColumn(SignupTableModel::ColumnCount - 1));
    }
    auto *sm = m_view->selectionModel();
    if (first.isValid())
        sm->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    sm->select(selection, QItemSelectionModel::ClearAndSelect);
}

void SignupsPage::reload()
{
    // The first window paints at once whatever the number of signups: only a window is read
    // (tests/bench/bench_console); later, the shown window is fetched again.
    if (!m_model->isStarted())
        m_model->start();
    else
        m_model->refresh();
}

void SignupsPage::onFetched()
{
    if (!m_loaded) {
        m_loaded = true;
        updatePendingUi();
        updateCounts();
        emit loaded();
    }
    // The shown signup changed: the detail pane shows it as it is now.
    if (std::exchange(m_detailDirty, false)) {
        const QString id = m_detail->userId();
        if (!id.isEmpty() && id == currentUserId())
            if (const SignupOverviewRow *row = m_model->signup(id))
                m_detail->showSignup(*row);
    }
    syncDetail(); // rows that left took the shown signup with them
    updatePendingUi();
    updateActions();
}

void SignupsPage::requestRowReload(const QString &userId)
{
    m_dirty.insert(userId);
    if (m_reloadTimer.isActive())
        return;
    const qint64 since = m_lastFlush.isValid() ? m_lastFlush.elapsed() : kMinFlushGapMs;
    m_reloadTimer.start(int(qMax(kGatherMs, kMinFlushGapMs - since)));
}

void SignupsPage::flushRowReloads()
{
    const QStringList ids(m_dirty.cbegin(), m_dirty.cend());
    m_dirty.clear();
    if (ids.isEmpty())
        return;
    m_lastFlush.start();
    if (ids.contains(m_detail->userId()))
        m_detailDirty = true;
    // New signups are announced with their names, whether or not their rows are in view.
    QStringList arrived;
    for (const QString &id : ids)
        if (m_announce.remove(id))
            arrived << id;
    if (!arrived.isEmpty())
        m_backend->run(
            this,
            [this, arrived] {
                const core::SignupOverview overview = m_core.signupOverview();
                QList<Arrival> out;
                for (const QString &id : arrived)
                    out.append({id, overview.find(id)});
                return out;
            },
            [this](const QList<Arrival> &arrivals) {
                for (const Arrival &a : arrivals)
                    if (a.row && *a.row)
                        emit signupArrived((*a.row)->account.username, (*a.row)->account.email);
            });
    if (m_model->isStarted())
        m_model->refresh();
}

QString SignupsPage::currentUserId() const
{
    // The current row counts only while selected: after Ctrl+click, or once the selected
    // rows are gone, the current row is just where the keyboard is.
    const QItemSelectionModel *sm = m_view->selectionModel();
    const QModelIndex current = sm->currentIndex();
    if (!current.isValid() || !sm->isRowSelected(current.row(), current.parent()))
        return {};
    return current.data(SignupTableModel::UserIdRole).toString();
}

void SignupsPage::syncDetail()
{
    const QString userId = currentUserId();
    const SignupOverviewRow *row = userId.isEmpty() ? nullptr : m_model->signup(userId);
    if (!row) {
        if (!m_detail->userId().isEmpty())
            m_detail->clear();
    } else if (userId != m_detail->userId()) {
        m_detail->showSignup(*row);
    }
}

void SignupsPage::updateCounts()
{
    if (!m_loaded) { // no counts before the first fetch
        emit countsChanged(false, 0, 0);
        return;
    }
    const int pending = m_model->countWithStatus(AccountStatus::PendingApproval);
    const int unverified = m_model->countWithStatus(AccountStatus::PendingVerification);
    emit countsChanged(true, pending, unverified);
}

} // namespace sd::ui
