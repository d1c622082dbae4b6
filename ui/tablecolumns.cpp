#include "tablecolumns.h"

#include <QAction>
#include <QApplication>
#include <QHeaderView>
#include <QHelpEvent>
#include <QMenu>
#include <QSettings>
#include <QStyle>
#include <QTableView>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace sd::ui {

TableColumns::TableColumns(QTableView *view, QSettings *settings, const QString &key, int maxWidth)
    : QObject(view), m_view(view), m_settings(settings), m_key(u"columns/"_s + key),
      m_maxWidth(maxWidth)
{
    QHeaderView *header = view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    // A state saved by a console whose table had other columns (an older version, before a
    // column was added) would put its widths on the wrong columns: it is dropped, and the
    // columns are fitted as on a first start.
    if (m_settings &&
        m_settings->value(m_key + u"/columns"_s, -1).toInt() == view->model()->columnCount()) {
        m_fitting = true; // restoring is not the admin's hand
        if (header->restoreState(m_settings->value(m_key + u"/state"_s).toByteArray()))
            m_byHand = m_settings->value(m_key + u"/by_hand"_s, false).toBool();
        m_fitting = false;
    }
    view->setItemDelegate(new CutCellTips(view));
    // Fitting measures the rows in view only (the precision of the header whose sections are
    // sized, 0: the visible area). Qt's default measures up to 1,000 rows around them: 9,000
    // cells laid out per fit (20-40 ms of the GUI thread at every live change with a million
    // signups), and in a paged list the rows outside its window ask for other windows, whose
    // arrival refits: the window went back and forth for ever.
    header->setResizeContentsPrecision(0);

    // Rows come in bursts (a first screenful, the full list, live rows): fitted once a burst.
    m_fitTimer.setSingleShot(true);
    m_fitTimer.setInterval(50);
    connect(&m_fitTimer, &QTimer::timeout, this, &TableColumns::fit);
    QAbstractItemModel *model = view->model();
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, &m_fitTimer, qOverload<>(&QTimer::start));
    connect(model, &QAbstractItemModel::modelReset, &m_fitTimer, qOverload<>(&QTimer::start));
    connect(model, &QAbstractItemModel::layoutChanged, &m_fitTimer, qOverload<>(&QTimer::start));
    connect(model, &QAbstractItemModel::dataChanged, &m_fitTimer, qOverload<>(&QTimer::start));
    m_fitTimer.start(); // the header texts, before any row

    m_saveTimer.setSingleShot(true);
    m_saveTimer.setInterval(500);
    connect(&m_saveTimer, &QTimer::timeout, this, &TableColumns::save);
    connect(header, &QHeaderView::sectionResized, this, [this](int section) {
        if (m_fitting)
            return;
        // The stretched last column follows the window, not the admin.
        if (section != lastVisibleColumn())
            m_byHand = true;
        m_saveTimer.start();
    });
    connect(header, &QHeaderView::sectionMoved, &m_saveTimer, qOverload<>(&QTimer::start));
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this, &TableColumns::showHeaderMenu);
}

int TableColumns::lastVisibleColumn() const
{
    const QHeaderView *header = m_view->horizontalHeader();
    for (int visual = header->count() - 1; visual >= 0; --visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            return logical;
    }
    return -1;
}

void TableColumns::setFitOnRowCountChanges(bool on)
{
    QAbstractItemModel *model = m_view->model();
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        disconnect(model, signal, &m_fitTimer, nullptr);
        if (on)
            connect(model, signal, &m_fitTimer, qOverload<>(&QTimer::start));
    }
}

void TableColumns::setFitWithinWidth(bool on)
{
    m_withinWidth = on;
    if (on)
        m_view->viewport()->installEventFilter(this);
    else
        m_view->viewport()->removeEventFilter(this);
    m_fitTimer.start();
}

bool TableColumns::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        m_fitTimer.start();
    return QObject::eventFilter(watched, event);
}

void TableColumns::fit()
{
    if (m_byHand)
        return;
    m_fitting = true;
    const int last = lastVisibleColumn();
    const QHeaderView *header = m_view->horizontalHeader();
    QList<std::pair<int, int>> widths; // column, width
    int total = 0;
    for (int c = 0; c < m_view->model()->columnCount(); ++c) {
        if (c == last || m_view->isColumnHidden(c))
            continue;
        // The header's text and the rows in view (QTableView measures only those, with the
        // precision above; public through QAbstractItemView).
        const QAbstractItemView *itemView = m_view;
        const int wanted =
            qMin(qMax(itemView->sizeHintForColumn(c), header->sectionSizeHint(c)), m_maxWidth);
        const int width = wanted > m_view->columnWidth(c) || !m_fitted || m_withinWidth
                              ? wanted
                              : m_view->columnWidth(c);
        widths.append({c, width});
        total += width;
    }
    if (m_withinWidth && last >= 0) {
        // The room left once the stretched last column has its header's width: a cap on the
        // widest columns, the highest that fits (no column below its header's text).
        // The stretched last section keeps at least the size it had before it stretched (the
        // default section size).
        const int lastWidth = qMax(header->sectionSizeHint(last), header->defaultSectionSize());
        const int room = m_view->viewport()->width() - lastWidth;
        int floors = 0; // every column at its header's width at least
        for (const auto &[c, w] : std::as_const(widths))
            floors += qMin(w, header->sectionSizeHint(c));
        // Only when it can fit: a window too narrow even for the headers scrolls as before,
        // rather than cutting every cell.
        if (total > room && floors <= room) {
            int low = 0, high = m_maxWidth;
            const auto sumAt = [&](int cap) {
                int sum = 0;
                for (const auto &[c, w] : std::as_const(widths))
                    sum += qMin(w, qMax(cap, header->sectionSizeHint(c)));
                return sum;
            };
            while (low < high) {
                const int mid = (low + high + 1) / 2;
                if (sumAt(mid) <= room)
                    low = mid;
                else
                    high = mid - 1;
            }
            for (auto &[c, w] : widths)
                w = qMin(w, qMax(low, header->sectionSizeHint(c)));
        }
    }
    for (const auto &[c, w] : std::as_const(widths))
        if (w != m_view->columnWidth(c))
            m_view->setColumnWidth(c, w);
    m_fitted = true; // from now on columns only grow (unless kept within the width)
    m_fitting = false;
}

void TableColumns::showHeaderMenu(const QPoint &pos)
{
    QHeaderView *header = m_view->horizontalHeader();
    QAbstractItemModel *model = m_view->model();
    QMenu menu(m_view);
    int visible = 0;
    for (int c = 0; c < model->columnCount(); ++c)
        visible += !header->isSectionHidden(c);
    for (int c = 0; c < model->columnCount(); ++c) {
        QAction *a = menu.addAction(model->headerData(c, Qt::Horizontal).toString());
        a->setCheckable(true);
        a->setChecked(!header->isSectionHidden(c));
        a->setEnabled(header->isSectionHidden(c) || visible > 1); // never hide the last one
        connect(a, &QAction::toggled, this, [this, header, c](bool on) {
            header->setSectionHidden(c, !on);
            m_fitTimer.start();
            m_saveTimer.start();
        });
    }
    menu.exec(header->viewport()->mapToGlobal(pos));
}

void TableColumns::save()
{
    if (!m_settings)
        return;
    m_settings->setValue(m_key + u"/state"_s, m_view->horizontalHeader()->saveState());
    m_settings->setValue(m_key + u"/columns"_s, m_view->model()->columnCount());
    m_settings->setValue(m_key + u"/by_hand"_s, m_byHand);
}

bool CutCellTips::isCut(const QAbstractItemView *view, const QModelIndex &index)
{
    const QString text = index.data(Qt::DisplayRole).toString();
    if (text.isEmpty())
        return false;
    const QRect rect = view->visualRect(index);
    QStyleOptionViewItem option;
    option.initFrom(view);
    option.rect = rect;
    // The text's room: the cell less the style's margins on both sides.
    const int margin = view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, &option, view) + 1;
    const QFont font = index.data(Qt::FontRole).canConvert<QFont>()
                           ? index.data(Qt::FontRole).value<QFont>()
                           : view->font();
    return QFontMetrics(font).horizontalAdvance(text) > rect.width() - 2 * margin;
}

bool CutCellTips::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                            const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() == QEvent::ToolTip && index.isValid() &&
        !index.data(Qt::ToolTipRole).isValid()) {
        if (isCut(view, index)) {
            QToolTip::showText(event->globalPos(), index.data(Qt::DisplayRole).toString(), view,
                               view->visualRect(index));
            return true;
        }
        QToolTip::hideText();
        return false;
    }
    return QStyledItemDelegate::helpEvent(event, view, option, index);
}

} // namespace sd::ui
