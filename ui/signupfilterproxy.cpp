#include "signupfilterproxy.h"

#include "signuptablemodel.h"

namespace sd::ui {

SignupFilterProxy::SignupFilterProxy(QObject *parent) : QIdentityProxyModel(parent) {}

void SignupFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_signups = qobject_cast<SignupTableModel *>(model);
    QIdentityProxyModel::setSourceModel(model);
}

void SignupFilterProxy::setStatuses(const QStringList &statuses)
{
    if (!m_signups)
        return;
    core::SignupQuery query = m_signups->query();
    query.statuses.clear();
    for (const QString &s : statuses)
        if (const auto status = core::accountStatusFromString(s))
            query.statuses.append(*status);
    if (query != m_signups->query())
        m_signups->setQuery(query);
}

void SignupFilterProxy::setSearchText(const QString &text)
{
    if (!m_signups)
        return;
    core::SignupQuery query = m_signups->query();
    query.words = text.simplified().split(u' ', Qt::SkipEmptyParts);
    if (query != m_signups->query())
        m_signups->setQuery(query);
}

void SignupFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (m_signups)
        m_signups->sort(column, order);
}

} // namespace sd::ui
