#include "signupfilterproxy.h"

#include "signuptablemodel.h"

#include <algorithm>

namespace sd::ui {

SignupFilterProxy::SignupFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setSortRole(SignupTableModel::SortRole);
    setDynamicSortFilter(true);
}

void SignupFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_signups = qobject_cast<SignupTableModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void SignupFilterProxy::setStatuses(const QStringList &statuses)
{
    if (statuses == m_statuses)
        return;
    m_statuses = statuses;
    m_statusValues.clear();
    for (const QString &s : statuses)
        if (const auto status = core::accountStatusFromString(s))
            m_statusValues.append(*status);
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

bool SignupFilterProxy::matchesSearch(const QStringList &fields) const
{
    for (const QString &word : m_words) {
        const bool found =
            std::any_of(fields.cbegin(), fields.cend(), [&word](const QString &field) {
                return field.contains(word, Qt::CaseInsensitive);
            });
        if (!found)
            return false;
    }
    return true;
}

bool SignupFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_signups && !sourceParent.isValid()) {
        const core::Account &a = m_signups->rowAt(sourceRow).account;
        if (!m_statuses.isEmpty() && !m_statusValues.contains(a.status))
            return false;
        return m_words.isEmpty() ||
               matchesSearch({a.username, a.email, a.displayName, a.remoteIp, a.remoteAddr});
    }
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_statuses.isEmpty() &&
        !m_statuses.contains(index.data(SignupTableModel::StatusRole).toString()))
        return false;
    return m_words.isEmpty() ||
           matchesSearch(index.data(SignupTableModel::SearchRole).toString().split(u'\n'));
}

bool SignupFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_signups && left.column() == right.column() && !left.parent().isValid())
        return m_signups->lessThan(left.row(), right.row(), left.column());
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace sd::ui
