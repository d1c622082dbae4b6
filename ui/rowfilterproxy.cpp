#include "rowfilterproxy.h"

#include "consoletablemodels.h"

namespace sd::ui {

RowFilterProxy::RowFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RowSortRole);
    setDynamicSortFilter(true);
}

void RowFilterProxy::setStatuses(const QStringList &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    invalidateFilter();
}

void RowFilterProxy::setSearchText(const QString &text)
{
    const QStringList words = text.toLower().split(u' ', Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

bool RowFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *m = sourceModel();
    if (!m_statuses.isEmpty() &&
        !m_statuses.contains(m->index(sourceRow, 0, sourceParent).data(RowStatusRole).toString()))
        return false;
    if (m_words.isEmpty())
        return true;
    QString haystack;
    for (int c = 0; c < m->columnCount(sourceParent); ++c) {
        const QModelIndex index = m->index(sourceRow, c, sourceParent);
        const QString shown = index.data().toString();
        haystack += shown.toLower() + u'\n';
        // A cell showing a name finds by the id its tooltip holds, too.
        if (const QString tip = index.data(Qt::ToolTipRole).toString(); tip != shown)
            haystack += tip.toLower() + u'\n';
    }
    return std::all_of(m_words.cbegin(), m_words.cend(),
                       [&](const QString &w) { return haystack.contains(w); });
}

} // namespace sd::ui
