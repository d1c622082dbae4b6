#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <algorithm>

namespace sd::ui {

// A table of rows with a string key, refreshed from core by merging: rows that are gone are
// removed, known rows change in place, new rows are appended (a sort proxy orders them). The
// view keeps its selection and scroll position across live reloads.
template <typename Row> class RowTableModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }

    void setRows(const QList<Row> &rows)
    {
        QHash<QString, int> incoming;
        for (int i = 0; i < rows.size(); ++i)
            incoming.insert(keyOf(rows.at(i)), i);
        // Remove the rows that are gone, bottom up, one contiguous block at a time.
        for (int end = int(m_rows.size()) - 1; end >= 0;) {
            if (incoming.contains(keyOf(m_rows.at(end)))) {
                --end;
                continue;
            }
            int begin = end;
            while (begin > 0 && !incoming.contains(keyOf(m_rows.at(begin - 1))))
                --begin;
            beginRemoveRows({}, begin, end);
            m_rows.remove(begin, end - begin + 1);
            endRemoveRows();
            end = begin - 1;
        }
        m_index.clear();
        for (int i = 0; i < m_rows.size(); ++i)
            m_index.insert(keyOf(m_rows.at(i)), i);
        // Update in place.
        for (int i = 0; i < m_rows.size(); ++i)
            m_rows[i] = rows.at(incoming.value(keyOf(m_rows.at(i))));
        if (!m_rows.isEmpty() && columnCount() > 0)
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnCount() - 1));
        // Append the new ones.
        QList<Row> added;
        for (const Row &r : rows)
            if (!m_index.contains(keyOf(r)))
                added.append(r);
        if (!added.isEmpty()) {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(added.size()) - 1);
            for (const Row &r : std::as_const(added)) {
                m_index.insert(keyOf(r), int(m_rows.size()));
                m_rows.append(r);
            }
            endInsertRows();
        }
    }

    const QList<Row> &rows() const { return m_rows; }
    int rowOf(const QString &key) const { return m_index.value(key, -1); }
    const Row *rowAt(int row) const
    {
        return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
    }
    const Row *find(const QString &key) const { return rowAt(rowOf(key)); }

protected:
    virtual QString keyOf(const Row &row) const = 0;

private:
    QList<Row> m_rows;
    QHash<QString, int> m_index;
};

} // namespace sd::ui
