#include "mainwindow.h"

#include "consolebackend.h"
#include "consolepages.h"
#include "dashboardpage.h"
#include "errormessages.h"
#include "reasondialog.h"
#include "signupfilterproxy.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"

#include <QAction>
#include <QComboBox>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolTip>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;

namespace sd::ui {

namespace {

const core::Actor kConsole{u"console"_s};
// Row reloads are gathered for 30 ms, and flushed at most every 250 ms: every new row repaints
// the whole list (the view lays its rows out again), so 50 signups a second must not mean
// 50 repaints a second (tests/bench/bench_console).
constexpr qint64 kGatherMs = 30;
constexpr qint64 kMinFlushGapMs = 250;
// Rows of the first, quick read: a screenful and some to scroll, while the full list loads.
constexpr int kFirstScreenRows = 200;

template<typename T>
core::Result<void> asVoid(const core::Result<T> &r)
{
    if (!r)
        return std::unexpected(r.error());
    return {};
}

struct RowReload
{
    QString userId;
    core::Result<std::optional<SignupOverviewRow>> row;
};

QIcon trayIconWithCount(int count)
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(count > 0 ? QColor(0xc0, 0x39, 0x2b) : QColor(0x7f, 0x8c, 0x8d));
    p.setPen(Qt::NoPen);
    p.drawEllipse(1, 1, 30, 30);
    p.setPen(Qt::white);
    QFont font = p.font();
    font.setBold(true);
    font.setPixelSize(count > 99 ? 11 : 16);
    p.setFont(font);
    p.drawText(pixmap.rect(), Qt::AlignCenter, count > 999 ? u"999+"_s : QString::number(count));
    return QIcon(pixmap);
}

// A status bar label that gives way when the bar is crowded: its minimum width is a few
// characters, it shows what fits (elided with "…") and the whole text as its tooltip. Its
// text() stays the whole text.
class ElidingLabel : public QLabel
{
public:
    ElidingLabel(const QString &text, Qt::TextElideMode mode, QWidget *parent)
        : QLabel(text, parent), m_mode(mode)
    {
    }

    QSize minimumSizeHint() const override
    {
        QSize size = QLabel::minimumSizeHint();
        const QMargins m = contentsMargins();
        size.setWidth(std::min(size.width(),
                               fontMetrics().horizontalAdvance(u"Mail…"_s) + m.left() + m.right()));
        return size;
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        const QRect r = contentsRect();
        const QString shown = fontMetrics().elidedText(text(), m_mode, r.width());
        style()->drawItemText(&painter, r, QStyle::visualAlignment(layoutDirection(), alignment()),
                              palette(), isEnabled(), shown, foregroundRole());
    }

    bool event(QEvent *e) override
    {
        // The whole text as the tooltip while it does not fit (unless a tooltip was set).
        if (e->type() == QEvent::ToolTip && toolTip().isEmpty()) {
            auto *help = static_cast<QHelpEvent *>(e);
            if (fontMetrics().horizontalAdvance(text()) > contentsRect().width())
                QToolTip::showText(help->globalPos(), text(), this);
            else
                QToolTip::hideText();
            return true;
        }
        return QLabel::event(e);
    }

private:
    Qt::TextElideMode m_mode;
};

} // namespace

// One batch of actions (one item for a single row): its cancel flag and its tally.
struct MainWindow::Operation
{
    QString label;
    const char *doneText = nullptr; // a numerus source text, marked with QT_TR_N_NOOP
    int total = 0;
    int succeeded = 0;
    int failed = 0;
    int cancelled = 0;
    QString firstError;
    std::shared_ptr<std::atomic_bool> cancel = std::make_shared<std::atomic_bool>(false);
    int finished() const { return succeeded + failed + cancelled; }
};

MainWindow::MainWindow(core::CoreServices &core, ConsoleOptions options, QWidget *parent)
    : QMainWindow(parent), m_core(core), m_options(std::move(options))
{
    m_settings = m_options.settingsFile.isEmpty()
                     ? std::make_unique<QSettings>()
                     : std::make_unique<QSettings>(m_options.settingsFile, QSettings::IniFormat);
    m_backend = new ConsoleBackend(core, this);
    const core::Clock *clock = &core.clock();
    m_model = new SignupTableModel([clock] { return clock->nowMs(); }, this);
    m_proxy = new SignupFilterProxy(this);
    m_proxy->setSourceModel(m_model);
    m_timeline = new TimelineModel(this);
    m_pending = new PendingRejects(m_options.undoWindow, this);

    buildUi();
    buildActions();
    buildSignupControls();

    connect(m_pending, &PendingRejects::changed, this, &MainWindow::updatePendingUi);
    connect(m_pending, &PendingRejects::due, this, &MainWindow::onRejectsDue);

    // Core emits from worker threads: queued, so the slots run here.
    core::Events &events = core.events();
    connect(&events, &core::Events::signupCreated, this, [this](const QString &id) {
        m_announce.insert(id);
        requestRowReload(id);
    }, Qt::QueuedConnection);
    for (auto signal : {&core::Events::emailVerified, &core::Events::signupApproved,
                        &core::Events::signupRejected})
        connect(&events, signal, this, &MainWindow::requestRowReload, Qt::QueuedConnection);
    connect(&events, &core::Events::remoteEventsMissed, this, &MainWindow::reload, Qt::QueuedConnection);
    if (auto *sender = m_options.outboxMonitor) {
        const auto mailChanged = [this](const QString &outboxId) {
            const QString userId = m_model->userIdOfMail(outboxId);
            if (!userId.isEmpty()) {
                requestRowReload(userId);
                return;
            }
            // Sent before this console saw it queued: refresh every row still waiting on mail
            // (a few, from the model's index of unsent emails; never a walk over every row).
            for (const QString &id : m_model->usersAwaitingMail())
                requestRowReload(id);
        };
        connect(
            sender, &core::OutboxMonitor::messageSent, this,
            [this, mailChanged](const QString &id) {
                m_mailLabel->setText(
                    tr("Mail (%1): last sent %2")
                        .arg(m_core.config().mailTransport,
                             QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
                mailChanged(id);
            },
            Qt::QueuedConnection);
        connect(
            sender, &core::OutboxMonitor::messageFailed, this,
            [this, mailChanged](const QString &id, const QString &error, bool dead) {
                m_mailLabel->setText(dead ? tr("Mail (%1): an email failed for good: %2")
                                                .arg(m_core.config().mailTransport, error)
                                          : tr("Mail (%1): failing, will retry: %2")
                                                .arg(m_core.config().mailTransport, error));
                mailChanged(id);
            },
            Qt::QueuedConnection);
    }

    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(int(kGatherMs)); // gathers a burst of events into one backend job
    connect(&m_reloadTimer, &QTimer::timeout, this, &MainWindow::flushRowReloads);
    m_countTimer.setSingleShot(true);
    m_countTimer.setInterval(200);
    connect(&m_countTimer, &QTimer::timeout, this, &MainWindow::updateCounts);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_model, signal, &m_countTimer, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::dataChanged, &m_countTimer, qOverload<>(&QTimer::start));
    connect(m_model, &QAbstractItemModel::modelReset, &m_countTimer, qOverload<>(&QTimer::start));
    m_clockTimer.setInterval(30'000);
    connect(&m_clockTimer, &QTimer::timeout, m_model, &SignupTableModel::refreshTimes);
    m_clockTimer.start();
    m_pingTimer.setInterval(15'000);
    connect(&m_pingTimer, &QTimer::timeout, this, &MainWindow::pingDatabase);
    m_pingTimer.start();
    m_progressHideTimer.setSingleShot(true);
    m_progressHideTimer.setInterval(4000);
    connect(&m_progressHideTimer, &QTimer::timeout, m_progressBox, &QWidget::hide);

    if (m_options.trayIcon && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(trayIconWithCount(0), this);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        m_tray->show();
    }
    setWindowIcon(trayIconWithCount(0));

    reload();
    pingDatabase();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Rejects still in their window go through: the admin asked for them.
    const auto due = m_pending->takeAll();
    core::CoreServices *core = &m_core;
    for (const RejectRequest &r : due) {
        const QString userId = r.userId, reason = r.reason;
        m_backend->run(this, [core, userId, reason] {
            return core->approval().reject(userId, reason, kConsole);
        }, [](const core::Result<void> &) {});
    }
    delete m_backend; // runs what is queued, then stops its thread
    m_backend = nullptr;
}

void MainWindow::buildUi()
{
    setWindowTitle(tr("SignupDesk"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);

    // The one place where errors show.
    m_messageBar = new QFrame(central);
    m_messageBar->setObjectName(u"messageBar"_s);
    m_messageBar->setFrameShape(QFrame::StyledPanel);
    m_messageBar->setStyleSheet(u"#messageBar { background: #fdecea; color: #611a15; }"_s);
    auto *messageLayout = new QHBoxLayout(m_messageBar);
    m_messageLabel = new QLabel(m_messageBar);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *dismiss = new QPushButton(tr("Dismiss"), m_messageBar);
    dismiss->setFocusPolicy(Qt::NoFocus);
    connect(dismiss, &QPushButton::clicked, m_messageBar, &QWidget::hide);
    messageLayout->addWidget(m_messageLabel, 1);
    messageLayout->addWidget(dismiss);
    m_messageBar->hide();
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
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setStatuses(m_statusFilter->currentData().toStringList());
    });
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

    m_undoBar = new QFrame(central);
    m_undoBar->setObjectName(u"undoBar"_s);
    m_undoBar->setFrameShape(QFrame::StyledPanel);
    m_undoBar->setStyleSheet(u"#undoBar { background: #fff4e5; }"_s);
    auto *undoLayout = new QHBoxLayout(m_undoBar);
    m_undoLabel = new QLabel(m_undoBar);
    auto *undoButton = new QPushButton(tr("U&ndo"), m_undoBar);
    undoButton->setObjectName(u"undoButton"_s);
    undoButton->setFocusPolicy(Qt::NoFocus);
    connect(undoButton, &QPushButton::clicked, this, &MainWindow::undoRejects);
    undoLayout->addWidget(m_undoLabel, 1);
    undoLayout->addWidget(undoButton);
    m_undoBar->hide();
    layout->addWidget(m_undoBar);

    m_progressBox = new QFrame(central);
    auto *progressLayout = new QHBoxLayout(m_progressBox);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progressLabel = new QLabel(m_progressBox);
    m_progress = new QProgressBar(m_progressBox);
    m_progress->setObjectName(u"progress"_s);
    m_progress->setFormat(tr("%v of %m"));
    auto *cancel = new QPushButton(tr("Cancel"), m_progressBox);
    cancel->setObjectName(u"cancelButton"_s);
    cancel->setFocusPolicy(Qt::NoFocus);
    connect(cancel, &QPushButton::clicked, this, &MainWindow::cancelOperations);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(cancel);
    m_progressBox->hide();
    layout->addWidget(m_progressBox);

    // The list above its timeline: both get the window's full width, so neither elides.
    auto *splitter = new QSplitter(Qt::Vertical, central);
    m_view = new QTableView(splitter);
    m_view->setObjectName(u"signupView"_s);
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SignupTableModel::SignedUp, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // uniform rows, never measured
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    m_detailHeader = new QLabel(tr("Select a signup to see its timeline."), detail);
    m_detailHeader->setWordWrap(true);
    m_detailHeader->setTextFormat(Qt::PlainText);
    m_timelineView = new QTableView(detail);
    m_timelineView->setObjectName(u"timelineView"_s);
    m_timelineView->setModel(m_timeline);
    m_timelineView->setFocusPolicy(Qt::ClickFocus);
    m_timelineView->verticalHeader()->hide();
    const int rowHeight = m_timelineView->fontMetrics().height() + 8;
    m_timelineView->verticalHeader()->setDefaultSectionSize(rowHeight);
    m_timelineView->setWordWrap(false); // one line per event; the tooltip has the whole detail
    m_timelineView->setAlternatingRowColors(true);
    m_timelineView->horizontalHeader()->setStretchLastSection(true);
    m_timelineView->setSelectionBehavior(QAbstractItemView::SelectRows);
    detailLayout->addWidget(m_detailHeader);
    detailLayout->addWidget(m_timelineView, 1);
    splitter->addWidget(m_view);
    splitter->addWidget(detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);
    buildPages(central);

    // When the status bar is crowded (a narrow window, SIGNUP CLOSED, the requests meter), the
    // URL and mail labels give way (elided, whole text in the tooltip): the signup state and
    // the counts keep their text.
    m_urlLabel = new ElidingLabel(m_options.listeningUrl.isEmpty()
                                      ? tr("Not listening")
                                      : tr("Listening on %1").arg(m_options.listeningUrl),
                                  Qt::ElideMiddle, this);
    m_dbLabel = new QLabel(tr("Database: checking…"), this);
    m_mailLabel = new ElidingLabel(tr("Mail (%1): idle").arg(m_core.config().mailTransport),
                                   Qt::ElideRight, this);
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(u"countLabel"_s);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_urlLabel);
    if (const core::RequestMeter *meter = m_options.requestMeter) {
        // Read once a second from an atomic counter: nothing waits, nothing is sent here.
        m_requestsLabel = new QLabel(this);
        m_requestsLabel->setObjectName(u"requestsLabel"_s);
        const auto showRequests = [this, meter] {
            m_requestsLabel->setText(tr("Requests in the last minute: %1").arg(meter->lastMinute()));
        };
        showRequests();
        m_requestsTimer.setInterval(1000);
        connect(&m_requestsTimer, &QTimer::timeout, this, showRequests);
        m_requestsTimer.start();
        statusBar()->addPermanentWidget(m_requestsLabel);
    }
    statusBar()->addPermanentWidget(m_dbLabel);
    statusBar()->addPermanentWidget(m_mailLabel);
    resize(1280, 720);
}

void MainWindow::buildPages(QWidget *signupsPage)
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"consoleTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(signupsPage, tr("Si&gnups"));
    m_usersPage = new UsersPage(m_backend, m_core, m_tabs);
    m_outboxPage = new OutboxPage(m_backend, m_core, m_tabs);
    m_auditPage = new AuditPage(m_backend, m_core, m_tabs);
    m_tabs->addTab(m_usersPage, tr("&Users"));
    m_tabs->addTab(m_outboxPage, tr("&Outbox"));
    m_tabs->addTab(m_auditPage, tr("Audit &log"));
    // Loads on a thread of its own and listens to core's events itself; reloads only while shown.
    m_dashboardPage = new DashboardPage(m_core, m_tabs);
    m_tabs->addTab(m_dashboardPage, tr("&Dashboard"));
    connect(m_dashboardPage, &DashboardPage::errorOccurred, this, &MainWindow::showError);
    setCentralWidget(m_tabs);
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_outboxPage, m_auditPage}) {
        connect(page, &ConsolePage::errorOccurred, this, &MainWindow::showError);
        connect(page, &ConsolePage::info, this, &MainWindow::showInfo);
    }
    connect(m_usersPage, &UsersPage::userChanged, this, &MainWindow::requestRowReload);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        // The signup actions' toolbar belongs to the Signups tab.
        if (auto *bar = findChild<QToolBar *>(u"actionsToolBar"_s))
            bar->setVisible(m_tabs->currentIndex() == 0);
        if (auto *page = qobject_cast<ConsolePage *>(m_tabs->currentWidget()))
            page->view()->setFocus();
        else if (m_tabs->currentWidget() == m_dashboardPage)
            m_dashboardPage->rangeSelector()->setFocus();
        else
            m_view->setFocus();
    });

    // Core emits from worker threads: queued, so the pages reload here (each only if shown).
    core::Events &events = m_core.events();
    for (auto signal : {&core::Events::signupCreated, &core::Events::emailVerified,
                        &core::Events::signupApproved, &core::Events::signupRejected,
                        &core::Events::userLoggedIn}) {
        connect(&events, signal, m_usersPage, &ConsolePage::scheduleReload, Qt::QueuedConnection);
        connect(&events, signal, m_auditPage, &ConsolePage::scheduleReload, Qt::QueuedConnection);
    }
    connect(&events, &core::Events::mailQueued, m_outboxPage, &ConsolePage::scheduleReload,
            Qt::QueuedConnection);
    // Other instances' events were lost while the link to them was down: every page reloads.
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_auditPage, m_outboxPage})
        connect(&events, &core::Events::remoteEventsMissed, page, &ConsolePage::scheduleReload,
                Qt::QueuedConnection);
    if (auto *sender = m_options.outboxMonitor) {
        connect(sender, &core::OutboxMonitor::messageSent, m_outboxPage,
                &ConsolePage::scheduleReload, Qt::QueuedConnection);
        connect(sender, &core::OutboxMonitor::messageFailed, m_outboxPage,
                &ConsolePage::scheduleReload, Qt::QueuedConnection);
    }
    // The console's own changes that raise no core event show at once.
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_outboxPage})
        connect(page, &ConsolePage::info, m_auditPage, &ConsolePage::scheduleReload);
}

QAction *MainWindow::addAction(const QString &name, const QString &text,
                               const QList<QKeySequence> &keys, void (MainWindow::*slot)())
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

void MainWindow::buildActions()
{
    m_approve = addAction(u"approveAction"_s, tr("&Approve"),
                          {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::Key_A)},
                          &MainWindow::approveSelected);
    m_reject = addAction(u"rejectAction"_s, tr("&Reject…"), {QKeySequence(Qt::Key_R)},
                         &MainWindow::rejectSelected);
    m_resend = addAction(u"resendAction"_s, tr("Re&send verification"), {QKeySequence(Qt::Key_S)},
                         &MainWindow::resendSelected);
    m_revoke = addAction(u"revokeAction"_s, tr("Revoke &token"), {QKeySequence(Qt::Key_T)},
                         &MainWindow::revokeSelected);
    m_markVerified = addAction(u"markVerifiedAction"_s, tr("Mark &verified…"),
                               {QKeySequence(Qt::Key_V)}, &MainWindow::markVerifiedSelected);

    m_undo = new QAction(tr("&Undo reject"), this);
    m_undo->setObjectName(u"undoAction"_s);
    m_undo->setShortcut(QKeySequence::Undo);
    connect(m_undo, &QAction::triggered, this, &MainWindow::undoRejects);
    QMainWindow::addAction(m_undo);

    auto *reloadAction = new QAction(tr("Re&load"), this);
    reloadAction->setShortcut(QKeySequence::Refresh);
    connect(reloadAction, &QAction::triggered, this, &MainWindow::reload);
    QMainWindow::addAction(reloadAction);
    auto *find = new QAction(tr("&Find"), this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    QMainWindow::addAction(find);
    auto *toList = new QAction(this);
    toList->setShortcut(QKeySequence(Qt::Key_Escape));
    toList->setShortcutContext(Qt::WidgetShortcut);
    connect(toList, &QAction::triggered, this, [this] { m_view->setFocus(); });
    m_search->addAction(toList);
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(reloadAction);
    file->addSeparator();
    file->addAction(quit);
    QMenu *signups = menuBar()->addMenu(tr("&Signups"));
    for (QAction *a : {m_approve, m_reject, m_resend, m_revoke, m_markVerified})
        signups->addAction(a);
    signups->addSeparator();
    signups->addAction(m_undo);
    signups->addAction(find);

    QToolBar *bar = addToolBar(tr("Actions"));
    bar->setObjectName(u"actionsToolBar"_s);
    bar->setMovable(false);
    bar->setFocusPolicy(Qt::NoFocus);
    for (QAction *a : {m_approve, m_reject, m_resend, m_revoke, m_markVerified, m_undo})
        bar->addAction(a);
}

QString MainWindow::errorText() const
{
    return m_messageBar->isHidden() ? QString() : m_messageLabel->text();
}

void MainWindow::selectUsers(const QStringList &userIds)
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

QStringList MainWindow::selectedUserIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(SignupTableModel::UserIdRole).toString();
    return ids;
}

QStringList MainWindow::selectedWhere(const std::function<bool(AccountStatus)> &allowed,
                                      const char *refusal)
{
    QStringList ids;
    int refused = 0;
    for (const QString &id : selectedUserIds()) {
        const SignupOverviewRow *row = m_model->signup(id);
        if (!row || m_pending->contains(id) || !allowed(row->account.status))
            ++refused;
        else
            ids << id;
    }
    if (refused > 0)
        showError(tr(refusal, nullptr, refused));
    return ids;
}

void MainWindow::reload()
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
                sizeColumnsOnce();
            });
    }
    m_backend->run(
        this, [this] { return m_core.signupOverview().list(); },
        [this](core::Result<QList<SignupOverviewRow>> rows) {
            if (!rows) {
                showError(errorMessage(rows.error()));
                return;
            }
            const QString current = m_timeline->userId();
            const bool first = !m_loaded;
            if (first)
                m_model->mergeSignups(std::move(*rows));
            else
                m_model->resetSignups(std::move(*rows));
            for (const QString &id : m_pending->userIds())
                m_model->setRejectCountdown(id, m_pending->secondsLeft(id));
            if (!current.isEmpty() && !first)
                selectUsers({current});
            m_loaded = true;
            sizeColumnsOnce();
            updateCounts();
            if (first)
                emit loaded();
        });
}

void MainWindow::sizeColumnsOnce()
{
    // Once, from the first rows shown (a screenful: the header would sample up to 1000).
    if (m_columnsSized || m_model->rowCount() == 0)
        return;
    m_columnsSized = true;
    m_view->resizeColumnsToContents();
    for (int c = 0; c < SignupTableModel::ColumnCount - 1; ++c)
        m_view->setColumnWidth(c, qMin(m_view->columnWidth(c), 260));
}

void MainWindow::requestRowReload(const QString &userId)
{
    m_dirty.insert(userId);
    if (m_reloadTimer.isActive())
        return;
    const qint64 since = m_lastFlush.isValid() ? m_lastFlush.elapsed() : kMinFlushGapMs;
    m_reloadTimer.start(int(qMax(kGatherMs, kMinFlushGapMs - since)));
}

void MainWindow::flushRowReloads()
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
                    if (m_announce.remove(r.userId) && m_tray) {
                        const QString title = tr("New signup");
                        const QString text =
                            tr("%1 <%2> signed up.")
                                .arg((*r.row)->account.username, (*r.row)->account.email);
                        m_tray->showMessage(title, text);
                        emit signupAnnounced(title, text);
                    }
                } else {
                    m_model->removeSignup(r.userId);
                    m_announce.remove(r.userId);
                }
                if (r.userId == m_timeline->userId()) {
                    if (*r.row)
                        loadTimeline(r.userId);
                    else
                        onCurrentChanged();
                }
            }
            updateActions();
        });
}

void MainWindow::onCurrentChanged()
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const QString userId = current.data(SignupTableModel::UserIdRole).toString();
    if (userId.isEmpty()) {
        m_timeline->clear();
        m_detailHeader->setText(tr("Select a signup to see its timeline."));
        return;
    }
    loadTimeline(userId);
}

void MainWindow::loadTimeline(const QString &userId)
{
    if (const SignupOverviewRow *r = m_model->signup(userId)) {
        const core::Account &a = r->account;
        m_detailHeader->setText(tr("%1 <%2>%3\n%4, signed up from %5")
                                    .arg(a.username, a.email,
                                         a.displayName.isEmpty() ? QString() : u" — "_s + a.displayName,
                                         SignupTableModel::statusText(a.status),
                                         a.remoteIp.isEmpty() ? tr("an unknown address") : a.remoteIp));
    }
    m_backend->run(
        this, [this, userId] { return m_core.signupOverview().timeline(userId); },
        [this, userId](const core::Result<QList<core::TimelineEntry>> &entries) {
            const QString current = m_view->selectionModel()
                                        ->currentIndex()
                                        .data(SignupTableModel::UserIdRole)
                                        .toString();
            if (current != userId)
                return; // the admin moved on meanwhile
            if (!entries) {
                showError(errorMessage(entries.error()));
                return;
            }
            m_timeline->setTimeline(userId, *entries);
            m_timelineView->resizeColumnsToContents();
        });
}

void MainWindow::runItems(const QString &label, const QStringList &userIds, ItemJob job,
                          const char *doneText)
{
    if (userIds.isEmpty())
        return;
    auto op = std::make_shared<Operation>();
    op->label = label;
    op->doneText = doneText;
    op->total = int(userIds.size());
    if (m_operations.isEmpty()) {
        m_opTotal = 0;
        m_opDone = 0;
    }
    m_operations.append(op);
    m_opTotal += op->total;
    if (m_opTotal > 1) {
        m_progressHideTimer.stop();
        m_progressLabel->setText(label);
        m_progress->setRange(0, m_opTotal);
        m_progress->setValue(m_opDone);
        m_progressBox->show();
    }
    for (const QString &id : userIds) {
        auto cancel = op->cancel;
        m_backend->run(this, [this, job, id, cancel]() -> std::optional<core::Result<void>> {
            if (cancel->load())
                return std::nullopt;
            return job(m_core, id);
        }, [this, op, id](const std::optional<core::Result<void>> &outcome) { itemDone(op, id, outcome); });
    }
}

void MainWindow::itemDone(const std::shared_ptr<Operation> &op, const QString &userId,
                          const std::optional<core::Result<void>> &outcome)
{
    if (!outcome) {
        ++op->cancelled;
    } else if (*outcome) {
        ++op->succeeded;
    } else {
        ++op->failed;
        if (op->firstError.isEmpty())
            op->firstError = errorMessage(outcome->error());
    }
    requestRowReload(userId);
    ++m_opDone;
    m_progress->setValue(m_opDone);
    if (op->finished() < op->total)
        return;

    m_operations.removeOne(op);
    if (op->failed > 0)
        showError(op->total == 1 ? op->firstError
                                 : tr("%1: %n of %2 failed. %3", nullptr, op->failed)
                                       .arg(op->label, QString::number(op->total), op->firstError));
    QString summary = tr(op->doneText, nullptr, op->succeeded);
    if (op->cancelled > 0)
        summary += u' ' + tr("(%n cancelled)", nullptr, op->cancelled);
    showInfo(summary);
    if (m_operations.isEmpty())
        m_progressHideTimer.start();
    emit operationFinished(op->succeeded, op->failed, op->cancelled);
}

void MainWindow::cancelOperations()
{
    for (const auto &op : std::as_const(m_operations))
        op->cancel->store(true);
}

void MainWindow::approveSelected()
{
    const QStringList ids = selectedWhere(
        core::canApprove,
        QT_TR_N_NOOP("%n selected signup(s) are not pending approval and were skipped."));
    runItems(tr("Approving"), ids, [](core::CoreServices &core, const QString &id) {
        return asVoid(core.approval().approve(id, kConsole));
    }, QT_TR_N_NOOP("%n signup(s) approved."));
}

void MainWindow::rejectSelected()
{
    const QStringList ids = selectedWhere(
        core::canReject,
        QT_TR_N_NOOP("%n selected signup(s) cannot be rejected (already active, or being rejected)."));
    if (ids.isEmpty())
        return;
    askReason(tr("Reject %n signup(s)", nullptr, int(ids.size())),
              tr("Reason (sent to the applicant):"), u"console/reject_presets"_s,
              {tr("We could not verify your identity."), tr("This service is for members only."),
               tr("Duplicate account.")},
              [this, ids](const QString &reason) {
                  QList<RejectRequest> requests;
                  for (const QString &id : ids)
                      requests.append({id, reason});
                  m_pending->add(requests);
                  updateActions();
              });
}

void MainWindow::resendSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    runItems(
        tr("Resending"), ids,
        [](core::CoreServices &core, const QString &id) {
            return core.signupAdmin().resendVerification(id, kConsole);
        },
        QT_TR_N_NOOP("Verification resent for %n signup(s)."));
}

void MainWindow::revokeSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    runItems(
        tr("Revoking"), ids,
        [](core::CoreServices &core, const QString &id) {
            return asVoid(core.signupAdmin().revokeVerification(id, kConsole));
        },
        QT_TR_N_NOOP("Verification revoked for %n signup(s)."));
}

void MainWindow::markVerifiedSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    if (ids.isEmpty())
        return;
    askReason(tr("Mark %n signup(s) verified", nullptr, int(ids.size())),
              tr("Why is the email known to be good? (recorded in the audit log)"),
              u"console/verify_presets"_s, {tr("Confirmed by phone."), tr("Known colleague.")},
              [this, ids](const QString &reason) {
                  runItems(
                      tr("Marking verified"), ids,
                      [reason](core::CoreServices &core, const QString &id) {
                          return asVoid(core.signupAdmin().markVerified(id, reason, kConsole));
                      },
                      QT_TR_N_NOOP("%n signup(s) marked verified."));
              });
}

void MainWindow::askReason(const QString &title, const QString &prompt, const QString &presetsKey,
                           const QStringList &defaults, std::function<void(const QString &)> accepted)
{
    const QStringList presets = m_settings->value(presetsKey, defaults).toStringList();
    auto *dialog = new ReasonDialog(title, prompt, presets, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReasonDialog::presetsChanged, this, [this, presetsKey](const QStringList &list) {
        m_settings->setValue(presetsKey, list);
    });
    connect(dialog, &QDialog::accepted, this, [this, dialog, accepted] {
        accepted(dialog->reason());
        m_view->setFocus();
    });
    connect(dialog, &QDialog::rejected, this, [this] { m_view->setFocus(); });
    dialog->open(); // window-modal, no nested event loop
}

void MainWindow::onRejectsDue(const QList<RejectRequest> &requests)
{
    QHash<QString, QString> reasons;
    QStringList ids;
    for (const RejectRequest &r : requests) {
        reasons.insert(r.userId, r.reason);
        ids << r.userId;
        m_model->setRejectCountdown(r.userId, -1);
    }
    runItems(tr("Rejecting"), ids, [reasons](core::CoreServices &core, const QString &id) {
        return core.approval().reject(id, reasons.value(id), kConsole);
    }, QT_TR_N_NOOP("%n signup(s) rejected."));
    updateActions();
}

void MainWindow::undoRejects()
{
    const QStringList restored = m_pending->undoAll();
    for (const QString &id : restored)
        m_model->setRejectCountdown(id, -1);
    if (!restored.isEmpty())
        showInfo(tr("Reject undone for %n signup(s).", nullptr, int(restored.size())));
    updateActions();
}

void MainWindow::updatePendingUi()
{
    for (const QString &id : m_pending->userIds())
        m_model->setRejectCountdown(id, m_pending->secondsLeft(id));
    if (m_pending->isEmpty()) {
        m_undoBar->hide();
    } else {
        m_undoLabel->setText(tr("Rejecting %n signup(s) in %1 s.", nullptr, m_pending->count())
                                 .arg(m_pending->secondsLeft()));
        m_undoBar->show();
    }
    m_undo->setEnabled(!m_pending->isEmpty());
}

void MainWindow::updateCounts()
{
    if (!m_loaded) { // a first screenful is not the whole list: no counts from it
        m_countLabel->setText(tr("Loading signups…"));
        return;
    }
    const int pending = m_model->countWithStatus(AccountStatus::PendingApproval);
    const int unverified = m_model->countWithStatus(AccountStatus::PendingVerification);
    m_countLabel->setText(tr("%1 to approve, %2 awaiting verification").arg(pending).arg(unverified));
    setWindowTitle(pending > 0 ? tr("SignupDesk (%1)").arg(pending) : tr("SignupDesk"));
    if (m_tray) {
        m_tray->setIcon(trayIconWithCount(pending));
        m_tray->setToolTip(tr("SignupDesk: %n signup(s) to approve", nullptr, pending));
    }
}

void MainWindow::updateActions()
{
    bool approvable = false, rejectable = false, unverified = false;
    for (const QString &id : selectedUserIds()) {
        const SignupOverviewRow *r = m_model->signup(id);
        if (!r || m_pending->contains(id))
            continue;
        approvable |= core::canApprove(r->account.status);
        rejectable |= core::canReject(r->account.status);
        unverified |= r->account.status == AccountStatus::PendingVerification;
    }
    m_approve->setEnabled(approvable);
    m_reject->setEnabled(rejectable);
    m_resend->setEnabled(unverified);
    m_revoke->setEnabled(unverified);
    m_markVerified->setEnabled(unverified);
    m_undo->setEnabled(!m_pending->isEmpty());
}

void MainWindow::pingDatabase()
{
    m_backend->run(
        this, [this] { return m_core.pingDatabase(); },
        [this](bool ok) {
            const QString kind = m_core.databaseName();
            m_dbLabel->setText(ok ? tr("Database: %1, OK").arg(kind)
                                  : tr("Database: %1, not answering").arg(kind));
            if (!ok)
                showError(errorMessage(core::Error{core::ErrorCode::Unavailable, {}, {}, 0}));
        });
}

void MainWindow::showError(const QString &message)
{
    m_messageLabel->setText(message);
    m_messageBar->show();
}

void MainWindow::showInfo(const QString &message)
{
    statusBar()->showMessage(message, 8000);
}

void MainWindow::buildSignupControls()
{
    auto *settings = new QAction(tr("&Settings…"), this);
    settings->setObjectName(u"settingsAction"_s);
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, this, &MainWindow::openSettings);
    QMainWindow::addAction(settings);

    // The panic switches: checkable, so menu and toolbar show the state they are in.
    m_closeSignup = new QAction(tr("&Close signup now"), this);
    m_closeSignup->setObjectName(u"closeSignupAction"_s);
    m_closeSignup->setCheckable(true);
    m_closeSignup->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    m_closeSignup->setToolTip(tr("Refuse every new signup at once, on every instance sharing the "
                                 "database (again to reopen)"));
    connect(m_closeSignup, &QAction::triggered, this, &MainWindow::setSignupClosed);
    QMainWindow::addAction(m_closeSignup);
    m_forceApproval = new QAction(tr("F&orce approval"), this);
    m_forceApproval->setObjectName(u"forceApprovalAction"_s);
    m_forceApproval->setCheckable(true);
    m_forceApproval->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    m_forceApproval->setToolTip(tr("New accounts wait for an admin's approval after confirming "
                                   "their email, on every instance sharing the database"));
    connect(m_forceApproval, &QAction::triggered, this, &MainWindow::setApprovalForced);
    QMainWindow::addAction(m_forceApproval);

    // Menus by title, so this stays independent of the order the other menus are built in.
    for (QAction *menuAction : menuBar()->actions()) {
        QMenu *menu = menuAction->menu();
        if (!menu)
            continue;
        if (menu->title() == tr("&File")) {
            // Above the separator that sets Quit apart.
            QAction *before = nullptr;
            for (QAction *a : menu->actions())
                if (a->isSeparator())
                    before = a;
            menu->insertAction(before, settings);
        } else if (menu->title() == tr("&Signups")) {
            menu->addSeparator();
            menu->addAction(m_closeSignup);
            menu->addAction(m_forceApproval);
        }
    }
    // A toolbar of its own: unlike the signup actions' toolbar it shows on every tab.
    QToolBar *bar = addToolBar(tr("Signup control"));
    bar->setObjectName(u"signupControlToolBar"_s);
    bar->setMovable(false);
    bar->setFocusPolicy(Qt::NoFocus);
    bar->addAction(m_closeSignup);
    bar->addAction(m_forceApproval);

    m_signupStateLabel = new QLabel(this);
    m_signupStateLabel->setObjectName(u"signupStateLabel"_s);
    statusBar()->insertPermanentWidget(0, m_signupStateLabel);
    // Also when another console (on this or another instance) flips a switch.
    connect(&m_core.events(), &core::Events::settingsChanged, this, &MainWindow::updateSignupState,
            Qt::QueuedConnection);
    updateSignupState();
}

void MainWindow::updateSignupState()
{
    const auto live = m_core.settings().current(); // memory only: no database here
    m_closeSignup->setChecked(!live->signupEnabled);
    m_forceApproval->setChecked(live->approvalRequired);
    if (!live->signupEnabled) {
        m_signupStateLabel->setText(tr("SIGNUP CLOSED"));
        m_signupStateLabel->setToolTip(tr("New signups are refused (Signups → Close signup now to reopen)."));
        m_signupStateLabel->setStyleSheet(
            u"QLabel { background: #b00020; color: white; font-weight: bold; padding: 0 6px; }"_s);
    } else {
        m_signupStateLabel->setText(live->approvalRequired ? tr("Signup open, approval required")
                                                           : tr("Signup open, no approval"));
        m_signupStateLabel->setToolTip({});
        m_signupStateLabel->setStyleSheet({});
    }
}

void MainWindow::setSignupClosed(bool closed)
{
    core::CoreServices *core = &m_core;
    m_backend->run(this, [core, closed] { return core->settings().setSignupOpen(!closed, kConsole); },
                   [this, closed](const core::Result<core::LiveSettings> &r) {
                       updateSignupState();
                       if (!r) {
                           showError(errorMessage(r.error()));
                           return;
                       }
                       showInfo(closed ? tr("Signup is closed: new signups are refused.")
                                       : tr("Signup is open again."));
                   });
}

void MainWindow::setApprovalForced(bool forced)
{
    core::CoreServices *core = &m_core;
    m_backend->run(this, [core, forced] { return core->settings().setApprovalRequired(forced, kConsole); },
                   [this, forced](const core::Result<core::LiveSettings> &r) {
                       updateSignupState();
                       if (!r) {
                           showError(errorMessage(r.error()));
                           return;
                       }
                       showInfo(forced ? tr("Approval is required: new accounts wait for an admin.")
                                       : tr("Approval is no longer required: confirmed accounts are "
                                            "active at once."));
                   });
}

void MainWindow::openSettings()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        m_settingsDialog->activateWindow();
        return;
    }
    m_settingsDialog = new SettingsDialog(m_core, m_backend, m_options.settings, m_settings.get(), this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_settingsDialog, &SettingsDialog::saved, this, &MainWindow::showInfo);
    m_settingsDialog->open();
}

} // namespace sd::ui
