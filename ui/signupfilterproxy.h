#pragma once

#include "accounts/account.h"

#include <QSortFilterProxyModel>
#include <QStringList>

namespace sd::ui {

class SignupTableModel;

// Filters the signups by status and by a search text (username, email, display name,
// address; case-insensitive, every word must match) and sorts on raw values. Over a
// SignupTableModel it reads the rows directly: it visits every row of a 100,000-row list on
// each load, filter change and sort, and a QVariant per visit held the GUI thread up.
class SignupFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit SignupFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    // core::toString(AccountStatus) values to show; empty: every status.
    void setStatuses(const QStringList &statuses);
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool matchesSearch(const QStringList &fields) const;

    SignupTableModel *m_signups = nullptr; // the source, when it is one
    QStringList m_statuses;
    QList<core::AccountStatus> m_statusValues;
    QStringList m_words;
};

} // namespace sd::ui
