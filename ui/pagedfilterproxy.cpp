#include "pagedfilterproxy.h"

#include "pagedtablemodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSet>

#include <algorithm>

namespace sd::ui {

PagedFilterProxy::PagedFilterProxy(QObject *parent) : QIdentityProxyModel(parent) {}

void PagedFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_paged = qobject_cast<PagedTableModelBase *>(model);
    QIdentityProxyModel::setSourceModel(model);
}

void PagedFilterProxy::setStatuses(const QStringList &statuses)
{
    if (!m_paged)
        return;
    QList<core::AccountStatus> list;
    for (const QString &s : statuses)
        if (const auto status = core::accountStatusFromString(s))
            list.append(*status);
    m_paged->setStatusFilter(list);
}

void PagedFilterProxy::setSearchText(const QString &text)
{
    if (m_paged)
        m_paged->setSearchWords(text.simplified().split(u' ', Qt::SkipEmptyParts));
}

void PagedFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (sourceModel())
        sourceModel()->sort(column, order);
}

void PagedFilterProxy::keepSortIndicatorOnSortable(QHeaderView *header,
                                                   std::function<bool(int column)> isSortable)
{
    struct Sorted
    {
        int column;
        Qt::SortOrder order;
    };
    auto sorted = std::make_shared<Sorted>(
        Sorted{header->sortIndicatorSection(), header->sortIndicatorOrder()});
    QObject::connect(
        header, &QHeaderView::sortIndicatorChanged, header,
        [header, sorted, isSortable = std::move(isSortable)](int column, Qt::SortOrder order) {
            if (isSortable(column)) {
                *sorted = {column, order};
                return;
            }
            const QSignalBlocker block(header);
            header->setSortIndicator(sorted->column, sorted->order);
        });
}

QList<int> selectedHeldRows(const QItemSelectionModel &selection)
{
    const QAbstractItemModel *model = selection.model();
    if (!model)
        return {};
    const auto *proxy = qobject_cast<const QIdentityProxyModel *>(model);
    const auto *paged =
        qobject_cast<const PagedTableModelBase *>(proxy ? proxy->sourceModel() : model);
    const int first = paged ? paged->windowOffset() : 0;
    const int last = paged ? first + paged->windowSize() - 1 : model->rowCount() - 1;
    const int lastColumn = model->columnCount() - 1;
    QList<int> rows;
    QSet<int> seen;
    for (const QItemSelectionRange &range : selection.selection()) {
        if (range.left() != 0 || range.right() != lastColumn)
            continue; // part of a row only
        for (int row = std::max(range.top(), first); row <= std::min(range.bottom(), last); ++row)
            if (!seen.contains(row)) {
                seen.insert(row);
                rows.append(row);
            }
    }
    return rows;
}

QStringList selectedHeldTexts(const QItemSelectionModel &selection, int role)
{
    QStringList texts;
    for (const int row : selectedHeldRows(selection))
        if (QString text = selection.model()->index(row, 0).data(role).toString(); !text.isEmpty())
            texts << text;
    return texts;
}

} // namespace sd::ui
