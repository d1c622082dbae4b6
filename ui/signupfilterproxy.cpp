#include "signupfilterproxy.h"

#include "signuptablemodel.h"

namespace sd::ui {

SignupFilterProxy::SignupFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SignupTableModel::SortRole);
    setDynamicSortFilter(true);
}

void SignupFilterProxy::setStatuses(const QStringList &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    invalidateFilter();
}

void SignupFilterProxy::setSearchText(const QString &text)
{
    const QStringList words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateFilter();
}

bool SignupFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_statuses.isEmpty() &&
        !m_statuses.contains(index.data(SignupTableModel::StatusRole).toString()))
        return false;
    if (m_words.isEmpty())
        return true;
    const QString haystack = index.data(SignupTableModel::SearchRole).toString();
    for (const QString &word : m_words)
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    return true;
}

} // namespace sd::ui
