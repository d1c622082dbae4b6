#include "mainwindow.h"

#include "consolebackend.h"
#include "consolepages.h"
#include "consoletablemodels.h"
#include "dashboardpage.h"
#include "errormessages.h"
#include "invitationspage.h"
#include "signupspage.h"
#include "signuptablemodel.h"
#include "tablecolumns.h"
#include "userpage.h"
#include "webhookspage.h"

#include "localactor.h"

#include <QAction>
#include <QComboBox>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTime>
#include <QToolBar>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

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

MainWindow::MainWindow(core::CoreServices &core, ConsoleOptions options, QWidget *parent)
    : QMainWindow(parent), m_core(core), m_options(std::move(options))
{
    m_settings = m_options.settingsFile.isEmpty()
                     ? std::make_unique<QSettings>()
                     : std::make_unique<QSettings>(m_options.settingsFile, QSettings::IniFormat);
    m_backend = new ConsoleBackend(core, this);

    buildUi();
    buildActions();
    buildSignupControls();

    if (auto *sender = m_options.outboxMonitor) {
        connect(
            sender, &core::OutboxMonitor::messageSent, this,
            [this](const QString &id) {
                m_mailLabel->setText(
                    tr("Mail (%1): last sent %2")
                        .arg(m_core.config().mailTransport,
                             QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
                m_signupsPage->mailChanged(id);
            },
            Qt::QueuedConnection);
        connect(
            sender, &core::OutboxMonitor::messageFailed, this,
            [this](const QString &id, const QString &error, bool dead) {
                m_mailLabel->setText(dead ? tr("Mail (%1): an email failed for good: %2")
                                                .arg(m_core.config().mailTransport, error)
                                          : tr("Mail (%1): failing, will retry: %2")
                                                .arg(m_core.config().mailTransport, error));
                m_signupsPage->mailChanged(id);
            },
            Qt::QueuedConnection);
    }

    m_pingTimer.setInterval(15'000);
    connect(&m_pingTimer, &QTimer::timeout, this, &MainWindow::pingDatabase);
    m_pingTimer.start();

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

    // Off this thread, in core: what the command line or another process changes shows within
    // a second (PostgreSQL tells at once through ClusterEvents).
    m_core.watchExternalChanges();
    reload();
    pingDatabase();
}

MainWindow::~MainWindow()
{
    // The window as the admin left it, for the next start (the console's own settings).
    m_settings->setValue(u"window/geometry"_s, saveGeometry());
    for (TableColumns *columns : findChildren<TableColumns *>())
        columns->save();
    m_signupsPage->flushPendingDecisions();
    for (const QPointer<UserPage> &page : std::as_const(m_userPages))
        if (page)
            page->flushPendingDeletion();
    delete m_backend; // runs what is queued, then stops its thread
    m_backend = nullptr;
}

SignupTableModel *MainWindow::signupModel() const
{
    return m_signupsPage->model();
}
PagedFilterProxy *MainWindow::signupProxy() const
{
    return m_signupsPage->proxy();
}
TimelineModel *MainWindow::timelineModel() const
{
    return m_signupsPage->timelineModel();
}
QTableView *MainWindow::signupView() const
{
    return m_signupsPage->view();
}
QProgressBar *MainWindow::progressBar() const
{
    return m_signupsPage->progressBar();
}
PendingDecisions *MainWindow::pendingDecisions() const
{
    return m_signupsPage->pendingDecisions();
}
QComboBox *MainWindow::statusFilter() const
{
    return m_signupsPage->statusFilter();
}
QLineEdit *MainWindow::searchField() const
{
    return m_signupsPage->searchField();
}
QString MainWindow::errorText() const
{
    return m_signupsPage->errorText();
}
bool MainWindow::isLoaded() const
{
    return m_signupsPage->isLoaded();
}
void MainWindow::selectUsers(const QStringList &userIds)
{
    m_signupsPage->selectUsers(userIds);
}
void MainWindow::reload()
{
    m_signupsPage->reload();
}
void MainWindow::approveSelected()
{
    m_signupsPage->approveSelected();
}
void MainWindow::rejectSelected()
{
    m_signupsPage->rejectSelected();
}
void MainWindow::resendSelected()
{
    m_signupsPage->resendSelected();
}
void MainWindow::revokeSelected()
{
    m_signupsPage->revokeSelected();
}
void MainWindow::markVerifiedSelected()
{
    m_signupsPage->markVerifiedSelected();
}
void MainWindow::undoDecisions()
{
    m_signupsPage->undoDecisions();
}
void MainWindow::cancelOperations()
{
    m_signupsPage->cancelOperations();
}

void MainWindow::buildUi()
{
    setWindowTitle(tr("SignupDesk"));
    m_signupsPage =
        new SignupsPage(m_backend, m_core, m_settings.get(), m_options.undoWindow, this);
    connect(m_signupsPage, &SignupsPage::loaded, this, &MainWindow::loaded);
    connect(m_signupsPage, &SignupsPage::operationFinished, this, &MainWindow::operationFinished);
    connect(m_signupsPage, &SignupsPage::info, this, &MainWindow::showInfo);
    connect(m_signupsPage, &SignupsPage::countsChanged, this, &MainWindow::showCounts);
    connect(m_signupsPage, &SignupsPage::signupArrived, this, &MainWindow::announceSignup);
    buildPages();

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
            m_requestsLabel->setText(
                tr("Requests in the last minute: %1").arg(meter->lastMinute()));
        };
        showRequests();
        m_requestsTimer.setInterval(1000);
        connect(&m_requestsTimer, &QTimer::timeout, this, showRequests);
        m_requestsTimer.start();
        statusBar()->addPermanentWidget(m_requestsLabel);
    }
    statusBar()->addPermanentWidget(m_dbLabel);
    statusBar()->addPermanentWidget(m_mailLabel);
    // A message (what an action did) gets the room of the secondary fields while it shows:
    // the counts and the signup state stay, URL, requests, database and mail step aside.
    connect(statusBar(), &QStatusBar::messageChanged, this, [this](const QString &message) {
        for (QLabel *label : {m_urlLabel, m_requestsLabel, m_dbLabel, m_mailLabel})
            if (label)
                label->setVisible(message.isEmpty());
    });
    resize(1280, 720);
    restoreGeometry(m_settings->value(u"window/geometry"_s).toByteArray()); // if any was saved
}

void MainWindow::showCounts(bool loaded, int pending, int unverified)
{
    if (!loaded) { // a first screenful is not the whole list: no counts from it
        m_countLabel->setText(tr("Loading signups…"));
        return;
    }
    m_countLabel->setText(
        tr("%1 to approve, %2 awaiting verification").arg(pending).arg(unverified));
    setWindowTitle(pending > 0 ? tr("SignupDesk (%1)").arg(pending) : tr("SignupDesk"));
    if (m_tray) {
        m_tray->setIcon(trayIconWithCount(pending));
        m_tray->setToolTip(tr("SignupDesk: %n signup(s) to approve", nullptr, pending));
    }
}

void MainWindow::announceSignup(const QString &username, const QString &email)
{
    if (!m_tray)
        return;
    const QString title = tr("New signup");
    const QString text = tr("%1 <%2> signed up.").arg(username, email);
    m_tray->showMessage(title, text);
    emit signupAnnounced(title, text);
}

void MainWindow::buildPages()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"consoleTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_signupsPage, tr("Si&gnups"));
    m_usersPage = new UsersPage(m_backend, m_core, m_tabs);
    m_outboxPage = new OutboxPage(m_backend, m_core, m_tabs);
    m_auditPage = new AuditPage(m_backend, m_core, m_tabs);
    m_tabs->addTab(m_usersPage, tr("&Users"));
    m_invitationsPage = new InvitationsPage(m_backend, m_core, m_tabs);
    m_tabs->addTab(m_invitationsPage, tr("&Invitations"));
    m_tabs->addTab(m_outboxPage, tr("&Outbox"));
    m_tabs->addTab(m_auditPage, tr("Audit &log"));
    // Loads on a thread of its own and listens to core's events itself; reloads only while shown.
    m_dashboardPage = new DashboardPage(m_core, m_tabs);
    m_tabs->addTab(m_dashboardPage, tr("&Dashboard"));
    connect(m_dashboardPage, &DashboardPage::errorOccurred, this, &MainWindow::showError);
    buildWebhooksPage();
    setCentralWidget(m_tabs);
    // Users: every column in view at 1400 px, no horizontal scrolling (issue 17).
    (new TableColumns(m_usersPage->view(), m_settings.get(), u"users"_s, 320))
        ->setFitWithinWidth(true);
    new TableColumns(m_outboxPage->view(), m_settings.get(), u"outbox"_s, 320);
    new TableColumns(m_auditPage->view(), m_settings.get(), u"audit"_s, 320);
    new TableColumns(m_invitationsPage->view(), m_settings.get(), u"invitations"_s, 320);
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_outboxPage,
                                                                  m_auditPage, m_invitationsPage}) {
        connect(page, &ConsolePage::errorOccurred, this, &MainWindow::showError);
        connect(page, &ConsolePage::info, this, &MainWindow::showInfo);
    }
    connect(m_usersPage, &UsersPage::userChanged, m_signupsPage, &SignupsPage::requestRowReload);
    // Enter or a double-click on a row opens the account's page (activated says both).
    connect(m_signupsPage->view(), &QAbstractItemView::activated, this,
            [this](const QModelIndex &index) {
                openUserPage(index.data(SignupTableModel::UserIdRole).toString());
            });
    connect(m_usersPage->view(), &QAbstractItemView::activated, this,
            [this](const QModelIndex &index) { openUserPage(index.data(KeyRole).toString()); });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        // The signup actions' toolbar belongs to the Signups tab.
        if (auto *bar = findChild<QToolBar *>(u"actionsToolBar"_s))
            bar->setVisible(m_tabs->currentIndex() == 0);
        if (auto *page = qobject_cast<ConsolePage *>(m_tabs->currentWidget()))
            page->view()->setFocus();
        else if (m_tabs->currentWidget() == m_dashboardPage)
            m_dashboardPage->rangeSelector()->setFocus();
        else
            m_signupsPage->view()->setFocus();
    });

    // Core emits from worker threads: queued, so the pages reload here (each only if shown).
    core::Events &events = m_core.events();
    for (auto signal :
         {&core::Events::signupCreated, &core::Events::emailVerified, &core::Events::signupApproved,
          &core::Events::signupRejected, &core::Events::userLoggedIn, &core::Events::sessionsEnded,
          &core::Events::userDisabled, &core::Events::userEnabled, &core::Events::accountDeleted,
          &core::Events::invitationAccepted, &core::Events::passwordChanged,
          &core::Events::emailChanged, &core::Events::secondFactorChanged}) {
        connect(&events, signal, m_usersPage, &ConsolePage::scheduleReload, Qt::QueuedConnection);
        connect(&events, signal, m_auditPage, &ConsolePage::scheduleReload, Qt::QueuedConnection);
    }
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_auditPage})
        connect(&events, &core::Events::accountsChanged, page, &ConsolePage::scheduleReload,
                Qt::QueuedConnection);
    connect(&events, &core::Events::mailQueued, m_outboxPage, &ConsolePage::scheduleReload,
            Qt::QueuedConnection);
    // Invitations: made, revoked or accepted here, at another console or instance, or by the CLI.
    for (auto signal : {&core::Events::invitationChanged, &core::Events::invitationAccepted,
                        &core::Events::accountDeleted})
        connect(&events, signal, m_invitationsPage, &ConsolePage::scheduleReload,
                Qt::QueuedConnection);
    connect(&events, &core::Events::invitationChanged, m_auditPage, &ConsolePage::scheduleReload,
            Qt::QueuedConnection);
    connect(&events, &core::Events::accountsChanged, m_invitationsPage,
            &ConsolePage::scheduleReload, Qt::QueuedConnection);
    // Other instances' events were lost while the link to them was down: every page reloads.
    for (ConsolePage *page : std::initializer_list<ConsolePage *>{m_usersPage, m_auditPage,
                                                                  m_outboxPage, m_invitationsPage})
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

// Issue 15: the Webhooks tab, and its sender's state in the status bar (when URLs are set).
void MainWindow::buildWebhooksPage()
{
    m_webhooksPage = new WebhooksPage(m_backend, m_core, m_options.webhookMonitor, m_tabs);
    m_tabs->addTab(m_webhooksPage, tr("&Webhooks"));
    new TableColumns(m_webhooksPage->view(), m_settings.get(), u"webhooks"_s, 320);
    connect(m_webhooksPage, &ConsolePage::errorOccurred, this, &MainWindow::showError);
    connect(m_webhooksPage, &ConsolePage::info, this, &MainWindow::showInfo);
    if (!m_core.config().webhookUrls.isEmpty()) {
        statusBar()->addPermanentWidget(m_webhooksPage->statusLabel());
        m_webhooksPage->statusLabel()->show();
    }
    for (auto signal : {&core::Events::remoteEventsMissed, &core::Events::mailQueued})
        connect(&m_core.events(), signal, m_webhooksPage, &ConsolePage::scheduleReload,
                Qt::QueuedConnection);
}

UserPage *MainWindow::userPage(const QString &userId) const
{
    return m_userPages.value(userId);
}

UserPage *MainWindow::openUserPage(const QString &userId)
{
    if (userId.isEmpty())
        return nullptr;
    UserPage *page = m_userPages.value(userId);
    if (!page) {
        page =
            new UserPage(m_backend, m_core, m_settings.get(), userId, m_options.undoWindow, this);
        m_userPages.insert(userId, page);
        connect(page, &UserPage::info, this, &MainWindow::showInfo);
        connect(page, &UserPage::userChanged, m_signupsPage, &SignupsPage::requestRowReload);
        connect(page, &UserPage::userChanged, m_usersPage, &ConsolePage::scheduleReload);
        connect(page, &UserPage::userChanged, m_auditPage, &ConsolePage::scheduleReload);
    }
    page->show();
    page->raise();
    page->activateWindow();
    return page;
}

void MainWindow::buildActions()
{
    QMainWindow::addAction(m_signupsPage->undoAction()); // Ctrl+Z on every tab

    auto *reloadAction = new QAction(tr("Re&load"), this);
    reloadAction->setShortcut(QKeySequence::Refresh);
    connect(reloadAction, &QAction::triggered, this, &MainWindow::reload);
    QMainWindow::addAction(reloadAction);
    auto *find = new QAction(tr("&Find"), this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        searchField()->setFocus();
        searchField()->selectAll();
    });
    QMainWindow::addAction(find);
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(reloadAction);
    file->addSeparator();
    file->addAction(quit);
    QMenu *signups = menuBar()->addMenu(tr("&Signups"));
    signups->addActions(m_signupsPage->rowActions());
    signups->addSeparator();
    signups->addAction(m_signupsPage->undoAction());
    signups->addAction(find);

    QToolBar *bar = addToolBar(tr("Actions"));
    bar->setObjectName(u"actionsToolBar"_s);
    bar->setMovable(false);
    bar->setFocusPolicy(Qt::NoFocus);
    bar->addActions(m_signupsPage->rowActions());
    bar->addAction(m_signupsPage->undoAction());
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
    m_signupsPage->showError(message);
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
    // A switch that is on must look on, whatever the style draws for a checked tool button.
    bar->setStyleSheet(u"QToolButton:checked { background: #b00020; color: white;"
                       " font-weight: bold; border-radius: 3px; padding: 2px 6px; }"_s);

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
    // The label says what a click does now.
    m_closeSignup->setText(live->signupEnabled ? tr("&Close signup now") : tr("Re&open signup"));
    if (!live->signupEnabled) {
        m_signupStateLabel->setText(tr("SIGNUP CLOSED"));
        m_signupStateLabel->setToolTip(
            tr("New signups are refused (Signups → Close signup now to reopen)."));
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
    m_backend->run(
        this, [core, closed] { return core->settings().setSignupOpen(!closed, kConsole); },
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
    m_backend->run(
        this, [core, forced] { return core->settings().setApprovalRequired(forced, kConsole); },
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
    m_settingsDialog =
        new SettingsDialog(m_core, m_backend, m_options.settings, m_settings.get(), this);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_settingsDialog, &SettingsDialog::saved, this, &MainWindow::showInfo);
    m_settingsDialog->open();
}

} // namespace sd::ui
