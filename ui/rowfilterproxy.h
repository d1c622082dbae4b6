#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace sd::ui {

// Filters a console table by status (RowStatusRole) and by a search text (every word must
// appear in some column, case-insensitive) and sorts on RowSortRole.
class RowFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit RowFilterProxy(QObject *parent = nullptr);

    // Values of RowStatusRole to show; empty: all.
    void setStatuses(const QStringList &statuses);
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QStringList m_statuses;
    QStringList m_words;
};

} // namespace sd::ui
