#pragma once

#include <QIdentityProxyModel>
#include <QStringList>

#include <functional>

class QHeaderView;
class QItemSelectionModel;

namespace sd::ui {

class PagedTableModelBase;

// A paged console list's filter (statuses) and search (words), and its sort: passed on to the
// PagedTableModel (the Signups and Users tabs) as its query, which the database answers. The
// rows pass through as they are: nothing is filtered or sorted here (a million rows would be
// visited).
class PagedFilterProxy : public QIdentityProxyModel
{
    Q_OBJECT
public:
    explicit PagedFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    // core::toString(AccountStatus) values to show; empty: every status.
    void setStatuses(const QStringList &statuses);
    // Words (split on spaces), each of which must start one of the list's searched columns,
    // case-insensitive.
    void setSearchText(const QString &text);
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // The columns the database cannot sort by an index keep the order there is, and the
    // header's sort indicator goes back to the column that order is by.
    static void keepSortIndicatorOnSortable(QHeaderView *header,
                                            std::function<bool(int column)> isSortable);

private:
    PagedTableModelBase *m_paged = nullptr;
};

// The selected rows (every column of the row selected, as QItemSelectionModel::selectedRows)
// that the list holds, in the order they were selected, each once. A paged list (a
// PagedTableModelBase, through a proxy or not) holds only its window, and its other rows have no
// account loaded to act on: a selection of a million rows (Ctrl+A) is read over the window's rows
// only, not a million indexes on the GUI thread. Any other list holds all its rows.
QList<int> selectedHeldRows(const QItemSelectionModel &selection);
// The non-empty `role` texts (an account's id, a row's key) of those rows, in that order.
QStringList selectedHeldTexts(const QItemSelectionModel &selection, int role);

} // namespace sd::ui
