#include "consolepage.h"

#include "bulkrunner.h"
#include "consoletablemodels.h"
#include "pagedfilterproxy.h"
#include "rowfilterproxy.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

ConsolePage::ConsolePage(ConsoleBackend *backend, core::CoreServices &core, QWidget *parent)
    : QWidget(parent), m_backend(backend), m_core(core), m_bulk(new BulkRunner(backend, core, this))
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
    if (!m_loaded) {
        m_loaded = true;
        emit loaded();
    }
}

void ConsolePage::buildFrame(QAbstractItemModel *model, QWidget *side, PagedFilterProxy *paged)
{
    QAbstractProxyModel *shown = paged;
    if (!paged) {
        m_proxy = new RowFilterProxy(this);
        shown = m_proxy;
    }
    shown->setSourceModel(model);
    auto *layout = new QVBoxLayout(this);
    auto *row = new QHBoxLayout;
    m_filter = new QComboBox(this);
    m_filter->setFocusPolicy(Qt::ClickFocus);
    m_filter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search…"));
    m_search->setClearButtonEnabled(true);
    if (paged)
        connect(m_search, &QLineEdit::textChanged, paged, &PagedFilterProxy::setSearchText);
    else
        connect(m_search, &QLineEdit::textChanged, m_proxy, &RowFilterProxy::setSearchText);
    m_buttons = new QWidget(this);
    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_filter);
    row->addWidget(m_search, 1);
    row->addWidget(m_buttons);
    layout->addLayout(row);
    layout->addWidget(new BulkProgress(m_bulk, u"bulkProgress"_s, u"bulkCancelButton"_s, this));

    m_view = new QTableView(this);
    m_view->setModel(shown);
    m_view->setSortingEnabled(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    if (paged) {
        // Uniform rows, never measured (columns are fitted to the rows in view only:
        // TableColumns).
        m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    }
    // Widths: TableColumns, from the window (it holds the console's settings).
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

QAction *ConsolePage::addViewAction(const QString &name, const QString &text,
                                    const QKeySequence &key)
{
    auto *action = new QAction(text, this);
    action->setObjectName(name);
    action->setShortcut(key);
    // Letters act only while the list has focus, so typing in the search field stays typing.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(
        tr("%1 (%2)").arg(QString(text).remove(u'&'), key.toString(QKeySequence::NativeText)));
    m_view->addAction(action);
    auto *button = new QToolButton(m_buttons);
    button->setDefaultAction(action);
    button->setFocusPolicy(Qt::NoFocus);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_buttons->layout()->addWidget(button);
    return action;
}

void ConsolePage::runForEach(const QString &label, const QStringList &ids, BulkRunner::ItemJob job,
                             BulkRunner::ErrorText errorText, BulkRunner::ItemDone each,
                             std::function<void(int)> done)
{
    m_bulk->run(label, ids, std::move(job), std::move(errorText), std::move(each),
                [this, done](const BulkOutcome &outcome) {
                    if (!outcome.firstError.isEmpty())
                        emit errorOccurred(outcome.firstError);
                    done(outcome.succeeded);
                });
}

QString ConsolePage::actionLabel(const QAction *action)
{
    return QString(action->text()).remove(u'&');
}

QStringList ConsolePage::selectedKeys() const
{
    return selectedHeldTexts(*m_view->selectionModel(), KeyRole);
}

} // namespace sd::ui
