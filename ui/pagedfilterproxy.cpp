#include "pagedfilterproxy.h"

#include "pagedtablemodel.h"

#include <QHeaderView>

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

} // namespace sd::ui
