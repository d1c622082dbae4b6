#include "signupspage.h"

#include "bulkrunner.h"
#include "consolebackend.h"
#include "errormessages.h"
#include "messagebar.h"
#include "reasondialog.h"
#include "signupfilterproxy.h"
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

// Row reloads are gathered for 30 ms, and flushed at most every 250 ms: every new row repaints
// the whole list (the view lays its rows out again), so 50 signups a second must not mean
// 50 repaints a second (tests/bench/bench_console).
constexpr qint64 kGatherMs = 30;
constexpr qint64 kMinFlushGapMs = 250;
// Rows of the first, quick read: a screenful and some to scroll, while the full list loads.
constexpr int kFirstScreenRows = 200;

struct RowReload
{
    QString userId;
    core::Result<std::optional<SignupOverviewRow>> row;
};

} // namespace

SignupsPage::SignupsPage(ConsoleBackend *backend, core::CoreServices &core, QSettings *settings,
                         std::chrono::milliseconds undoWindow, QWidget *parent)
    : QWidget(parent), m_core(core), m_backend(backend), m_settings(settings)
{
    const core::Clock *clock = &core.clock();
    m_model = new SignupTableModel([clock] { return clock->nowMs(); }, this);
    m_proxy = new SignupFilterProxy(this);
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
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, &m_countTimer, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::dataChanged, &m_countTimer, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::modelReset, &m_countTimer, qOverload<>(&QTimer::start));
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
    connect(m_search, &QLineEdit::textChanged, m_proxy, &SignupFilterProxy::setSearchText);
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
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->verticalHeader()->setSectionResizeMode(
        QHeaderView::Fixed); // uniform rows, never measured
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    // Fitted as rows arrive, remembered; cut cells' text in their tooltips.
    new TableColumns(m_view, m_settings, u"signups"_s, 260);
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
    const QString userId = m_model->userIdOfMail(outboxId);
    if (!userId.isEmpty()) {
        requestRowReload(userId);
        return;
    }
    // Sent before this console saw it queued: refresh every row still waiting on mail
    // (a few, from the model's index of unsent emails; never a walk over every row).
    for (const QString &id : m_model->usersAwaitingMail())
        requestRowReload(id);
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
    if (!m_loaded && m_model->rowCount() == 0) {
        // The first load reads a screenful first, so the list paints at once: the full list
        // takes seconds with 100,000 signups (tests/bench/bench_console) and is merged in
        // when it comes, without a reset.
        QList<AccountStatus> statuses;
        const QStringList shown = m_statusFilter->currentData().toStringList();
        for (const QString &s : shown)
            if (const auto status = core::accountStatusFromString(s))
                statuses << *status;
        m_backend->run(
            this,
            [this, statuses] {
                return m_core.signupOverview().listFirst(statuses, kFirstScreenRows);
            },
            [this](core::Result<QList<SignupOverviewRow>> rows) {
                if (!rows || m_loaded || m_model->rowCount() > 0)
                    return; // the full load reports errors
                m_model->resetSignups(std::move(*rows));
            });
    }
    m_backend->run(
        this, [this] { return m_core.signupOverview().list(); },
        [this](core::Result<QList<SignupOverviewRow>> rows) {
            if (!rows) {
                showError(errorMessage(rows.error()));
                return;
            }
            const QString current = m_detail->userId();
            const bool first = !m_loaded;
            if (first)
                m_model->mergeSignups(std::move(*rows));
            else
                m_model->resetSignups(std::move(*rows));
            updatePendingUi();
            if (!current.isEmpty() && !first)
                selectUsers({current});
            m_loaded = true;
            updateCounts();
            if (first)
                emit loaded();
        });
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
    m_backend->run(
        this,
        [this, ids] {
            const core::SignupOverview overview = m_core.signupOverview();
            QList<RowReload> out;
            for (const QString &id : ids)
                out.append({id, overview.find(id)});
            return out;
        },
        [this](const QList<RowReload> &reloads) {
            for (const RowReload &r : reloads) {
                if (!r.row) {
                    showError(errorMessage(r.row.error()));
                    continue;
                }
                if (*r.row) {
                    m_model->upsertSignup(**r.row);
                    if (m_announce.remove(r.userId))
                        emit signupArrived((*r.row)->account.username, (*r.row)->account.email);
                } else {
                    m_model->removeSignup(r.userId);
                    m_announce.remove(r.userId);
                }
                if (*r.row && r.userId == m_detail->userId() && r.userId == currentUserId())
                    m_detail->showSignup(**r.row); // the same signup, changed
            }
            syncDetail(); // rows that left took the shown signup with them
            updateActions();
        });
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
    if (!m_loaded) { // a first screenful is not the whole list: no counts from it
        emit countsChanged(false, 0, 0);
        return;
    }
    const int pending = m_model->countWithStatus(AccountStatus::PendingApproval);
    const int unverified = m_model->countWithStatus(AccountStatus::PendingVerification);
    emit countsChanged(true, pending, unverified);
}

} // namespace sd::ui
