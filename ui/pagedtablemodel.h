#pragma once

#include "consolebackend.h"
#include "errormessages.h"

#include "accounts/account.h"
#include "console/signupoverview.h"
#include "result.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>

#include <functional>
#include <variant>

namespace sd::ui {

// What the paged console lists share that is not a template: their signals, their window's
// size, and the filter and search the PagedFilterProxy passes on to them.
class PagedTableModelBase : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kPageRows = 200;
    static constexpr int kWindowPages = 3; // the page asked for and one either side

    using QAbstractTableModel::QAbstractTableModel;

    // The query's statuses (empty: every status) and search words; a new query starts from
    // its first row.
    virtual void setStatusFilter(const QList<core::AccountStatus> &statuses) = 0;
    virtual void setSearchWords(const QStringList &words) = 0;
    // The rows held in memory (the window): rows windowOffset() .. + windowSize() - 1.
    virtual int windowOffset() const = 0;
    virtual int windowSize() const = 0;

signals:
    // A fetch of the current query came in (the first one, or a refresh).
    void fetched();
    void errorOccurred(const QString &message);
};

// A console list paged from the database (the Signups and Users tabs): the model is as long as
// the list in the database (an exact COUNT; for a search, the matches counted so far: the
// window plus the count-ahead, growing as the view scrolls down), but holds only a window of rows
// around what the view asks for (a few pages of kPageRows), fetched by core on the ConsoleBackend's
// thread. Filter, search and sort are a `Query` that core answers with SQL over indexes, so memory
// does not grow with the list. A row not fetched yet shows empty and asks for its window. refresh()
// fetches the window again and patches it: rows gone from it are removed one by one (so the view's
// selection moves as it does for any removal), new ones inserted where they are, the others changed
// in place; changes outside the window only change the length.
//
// `Page` has `total`, `totalIsExact`, `offset` and `rows` (of `Row`); `Query` has `statuses` and
// `words` and compares with ==. `Extra` is anything more a fetch reads on the backend thread (the
// Signups tab's counts), handed to applyExtra() with the page.
template <typename Query, typename Page, typename Extra = std::monostate>
class PagedTableModel : public PagedTableModelBase
{
public:
    using Row = typename decltype(Page::rows)::value_type;
    // Runs on the backend thread: rows offset .. offset + limit - 1 (a search counting
    // countAhead rows past them) and the extra.
    using Job = std::function<std::pair<core::Result<Page>, Extra>()>;

    PagedTableModel(ConsoleBackend *backend, QObject *parent)
        : PagedTableModelBase(parent), m_backend(backend)
    {
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : m_total;
    }

    // Shows what this query selects, from its first row (a reset); before start(), only
    // remembered.
    void setQuery(const Query &query)
    {
        if (query == m_query && m_started)
            return;
        m_query = query;
        if (m_started)
            start();
    }
    const Query &query() const { return m_query; }
    void setStatusFilter(const QList<core::AccountStatus> &statuses) override
    {
        Query query = m_query;
        query.statuses = statuses;
        setQuery(query);
    }
    void setSearchWords(const QStringList &words) override
    {
        Query query = m_query;
        query.words = words;
        setQuery(query);
    }

    // Fetches the first window of the query (again: a reset).
    void start()
    {
        beginResetModel();
        m_started = true;
        m_loaded = false;
        ++m_generation;
        m_total = 0;
        m_countExact = true;
        m_offset = 0;
        m_rows.clear();
        m_index.clear();
        endResetModel();
        m_wantedRow = 0;
        m_refreshWanted = false;
        fetch();
    }
    bool isStarted() const { return m_started; }
    // Fetches the window (and the extra) again and patches the rows (live changes).
    void refresh()
    {
        if (!m_started)
            return;
        m_refreshWanted = true;
        if (!m_inFlight)
            fetch();
    }
    // Whether the first window of the current query is in.
    bool isLoaded() const { return m_loaded; }
    bool isFetching() const { return m_inFlight; }
    // Whether rowCount() is every match of the search, or the matches counted so far.
    bool isCountExact() const { return m_countExact; }
    // How far past its window a search counts (core::kConsoleCountAhead; tests make it small).
    void setCountAhead(int rows) { m_countAhead = rows; }

    // The row of this key when it is in the window, else -1.
    int rowOf(const QString &key) const
    {
        const int at = indexOf(key);
        return at < 0 ? -1 : m_offset + at;
    }
    // This key's row when it is in the window, else null.
    const Row *find(const QString &key) const
    {
        const int at = indexOf(key);
        return at < 0 ? nullptr : &m_rows.at(at);
    }
    int windowSize() const override { return int(m_rows.size()); }
    int windowOffset() const override { return m_offset; }

protected:
    virtual Job job(const Query &query, int offset, int limit, int countAhead,
                    bool refresh) const = 0;
    virtual void applyExtra(Extra & /*extra*/) {}
    virtual QString keyOf(const Row &row) const = 0;
    // Whether a row shows the same as before (a refresh announces only the rows that differ).
    virtual bool sameRow(const Row &a, const Row &b) const = 0;
    // A row left the window in a refresh.
    virtual void rowRemoved(const Row & /*row*/) {}

    // The row of `index` when it is held; else null, and a DisplayRole asks for its window.
    const Row *held(const QModelIndex &index, int role) const
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return nullptr;
        const int at = index.row() - m_offset;
        if (at < 0 || at >= m_rows.size()) {
            if (role == Qt::DisplayRole)
                want(index.row());
            return nullptr;
        }
        return &m_rows.at(at);
    }
    const QList<Row> &window() const { return m_rows; }
    // Repaints columns first .. last of the window's rows (what they show moved on: times).
    void repaintColumns(int first, int last)
    {
        if (!m_rows.isEmpty())
            emit dataChanged(index(m_offset, first), index(m_offset + int(m_rows.size()) - 1, last),
                             {Qt::DisplayRole});
    }

private:
    struct Fetched
    {
        quint64 generation = 0;
        bool refresh = false;
        core::Result<Page> page;
        Extra extra;
    };

    // Asks for the window around `row` (from data(), for a row not held).
    void want(int row) const
    {
        if (m_rows.isEmpty() && !m_loaded)
            return; // the first window is on its way
        m_wantedRow = row;
        if (m_fetchQueued || m_inFlight)
            return; // fetched when the one under way is in
        m_fetchQueued = true;
        auto *self = const_cast<PagedTableModel *>(this);
        QMetaObject::invokeMethod(
            self,
            [self] {
                self->m_fetchQueued = false;
                self->fetch();
            },
            Qt::QueuedConnection);
    }

    void fetch()
    {
        if (m_inFlight || !m_started)
            return;
        int offset = m_offset;
        const int limit = kPageRows * kWindowPages;
        const bool refresh = m_refreshWanted && m_wantedRow < 0;
        if (m_wantedRow >= 0) {
            const int page = m_wantedRow / kPageRows;
            offset = qMax(0, page - 1) * kPageRows;
            m_wantedRow = -1;
        } else if (!m_refreshWanted) {
            return;
        }
        if (refresh)
            m_refreshWanted = false;
        m_inFlight = true;
        // A search counts at least as far as the list already reaches: scrolling back up does
        // not shorten it.
        const int countAhead = qMax(m_countAhead, m_total - offset - limit);
        Job work = job(m_query, offset, limit, countAhead, refresh);
        const quint64 generation = m_generation;
        m_backend->run(
            this,
            [work = std::move(work), generation, refresh] {
                auto [page, extra] = work();
                return Fetched{generation, refresh, std::move(page), std::move(extra)};
            },
            [this](Fetched result) {
                m_inFlight = false;
                apply(std::move(result));
                if (m_wantedRow >= 0 || m_refreshWanted)
                    fetch();
            });
    }

    void apply(Fetched result)
    {
        if (result.generation != m_generation)
            return; // for a query no longer shown
        if (!result.page) {
            emit errorOccurred(errorMessage(result.page.error()));
            return;
        }
        Page &page = *result.page;
        m_countExact = page.totalIsExact;
        if (!m_loaded) {
            beginResetModel();
            m_total = page.total;
            m_offset = page.offset;
            m_rows = std::move(page.rows);
            reindex();
            endResetModel();
            m_loaded = true;
        } else if (result.refresh && page.offset == m_offset) {
            patch(page);
        } else {
            // Another window (the view scrolled): the rows held change, the list's rows do not.
            m_offset = page.offset;
            m_rows = std::move(page.rows);
            reindex();
            resize(page.total);
            if (!m_rows.isEmpty())
                emit dataChanged(index(m_offset, 0),
                                 index(m_offset + int(m_rows.size()) - 1, columnCount() - 1));
        }
        applyExtra(result.extra);
        emit fetched();
    }

    void patch(const Page &page)
    {
        // The views' slots run inside the removals and inserts below and may look rows up:
        // until the reindex at the end, lookups walk the window.
        m_indexStale = true;
        QSet<QString> fresh;
        for (const Row &r : page.rows)
            fresh.insert(keyOf(r));
        // Rows gone from the window go one by one, last first, so the view's selection and
        // current row move as they do for any removal.
        for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
            if (fresh.contains(keyOf(m_rows.at(i))))
                continue;
            beginRemoveRows({}, m_offset + i, m_offset + i);
            rowRemoved(m_rows.at(i));
            m_rows.removeAt(i);
            --m_total;
            endRemoveRows();
        }
        // New rows where the database has them.
        QSet<QString> heldKeys;
        for (const Row &r : std::as_const(m_rows))
            heldKeys.insert(keyOf(r));
        QSet<QString> inserted; // announced as changed too: the view measures rows that change
        for (int j = 0; j < page.rows.size(); ++j) {
            const Row &r = page.rows.at(j);
            if (heldKeys.contains(keyOf(r)))
                continue;
            const int at = qMin(j, int(m_rows.size()));
            beginInsertRows({}, m_offset + at, m_offset + at);
            m_rows.insert(at, r);
            inserted.insert(keyOf(r));
            ++m_total;
            endInsertRows();
        }
        // The rest in place (an order changed by a changed sort key shows as changed rows):
        // only the rows that differ are announced, so a refresh that changed nothing repaints
        // and measures nothing.
        QList<std::pair<int, int>> changed; // first, last in m_rows
        for (int i = 0; i < page.rows.size(); ++i) {
            if (i < m_rows.size() && sameRow(m_rows.at(i), page.rows.at(i)) &&
                !inserted.contains(keyOf(page.rows.at(i))))
                continue;
            if (!changed.isEmpty() && changed.last().second == i - 1)
                changed.last().second = i;
            else
                changed.append({i, i});
        }
        m_rows = page.rows;
        reindex();
        for (const auto &[first, last] : std::as_const(changed))
            if (last < m_rows.size())
                emit dataChanged(index(m_offset + first, 0),
                                 index(m_offset + last, columnCount() - 1));
        resize(page.total);
    }

    void resize(int total)
    {
        // Rows added or gone outside the window: the list's end moves.
        if (total > m_total) {
            beginInsertRows({}, m_total, total - 1);
            m_total = total;
            endInsertRows();
        } else if (total < m_total) {
            beginRemoveRows({}, total, m_total - 1);
            m_total = total;
            const int keep = qMax(0, qMin(int(m_rows.size()), m_total - m_offset));
            if (keep < m_rows.size()) {
                m_rows.resize(keep);
                reindex();
            }
            endRemoveRows();
        }
    }

    void reindex()
    {
        m_indexStale = false;
        m_index.clear();
        for (int i = 0; i < m_rows.size(); ++i)
            m_index.insert(keyOf(m_rows.at(i)), i);
    }

    int indexOf(const QString &key) const // in m_rows, or -1
    {
        if (!m_indexStale)
            return m_index.value(key, -1);
        for (int i = 0; i < m_rows.size(); ++i)
            if (keyOf(m_rows.at(i)) == key)
                return i;
        return -1;
    }

    ConsoleBackend *m_backend;
    Query m_query;
    bool m_started = false;
    bool m_loaded = false;
    quint64 m_generation = 0; // bumped by every new query: older answers are dropped
    int m_total = 0;
    bool m_countExact = true;
    int m_countAhead = core::kConsoleCountAhead;
    int m_offset = 0;
    QList<Row> m_rows;           // rows m_offset .. m_offset + size - 1
    QHash<QString, int> m_index; // key -> index in m_rows
    bool m_indexStale = false;   // m_rows changing row by row: m_index is not used
    // What to fetch next: a window at this row (-1: the current one, again) and whether to
    // patch (a refresh) or replace (a scroll).
    mutable int m_wantedRow = -1;
    mutable bool m_fetchQueued = false;
    bool m_refreshWanted = false;
    bool m_inFlight = false;
};

} // namespace sd::ui
