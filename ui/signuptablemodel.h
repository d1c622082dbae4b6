#pragma once

#include "console/signupoverview.h"
#include "coreservices.h"

#include <QAbstractTableModel>
#include <QHash>

#include <functional>

namespace sd::ui {

class ConsoleBackend;

// The console's signups, paged: the model is as long as the list in the database (an exact
// COUNT; for a search, the matches counted so far: a window plus the count-ahead, growing as
// the view scrolls down), but holds only a window of rows around what the view asks for (a few
// pages of kPageRows), fetched by core's SignupOverview::page on the ConsoleBackend's thread.
// Filter, search and sort are a core::SignupQuery done by SQL with indexes, so memory does not grow
// with the number of signups. A row not fetched yet shows empty and asks for its window.
// refresh() fetches the window again and patches it: rows gone from it are removed one by one
// (so the view's selection moves as it does for any removal), new ones inserted where they
// are, the others changed in place; changes outside the window only change the length.
class SignupTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Username,
        Email,
        DisplayName,
        Apps,
        SignedUp,
        ClientAddress,
        Status,
        Verification,
        EmailState,
        ColumnCount
    };
    enum Role
    {
        UserIdRole = Qt::UserRole + 1,
        StatusRole, // core::toString(AccountStatus)
    };
    static constexpr int kPageRows = 200;
    static constexpr int kWindowPages = 3; // the page asked for and one either side

    SignupTableModel(ConsoleBackend *backend, core::CoreServices &core, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Shows what this query selects, from its first row (a reset); before start(), only
    // remembered.
    void setQuery(const core::SignupQuery &query);
    // Fetches the first window of the query (again: a reset).
    void start();
    bool isStarted() const { return m_started; }
    const core::SignupQuery &query() const { return m_query; }
    // Sorts in the database; the columns with no index behind them (apps, token, email) keep
    // the order there is and return false.
    static bool isSortable(int column);
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Fetches the window and the counts again and patches the rows (live changes).
    void refresh();
    // Whether the first window of the current query is in.
    bool isLoaded() const { return m_loaded; }
    // Whether rowCount() is every match of the search, or the matches counted so far.
    bool isCountExact() const { return m_countExact; }
    // How far past its window a search counts (core::SignupOverview::kCountAhead; tests make
    // it small).
    void setCountAhead(int rows) { m_countAhead = rows; }
    bool isFetching() const { return m_inFlight; }

    // The row of this account when it is in the window, else -1.
    int rowOf(const QString &userId) const;
    // This account's row when it is in the window, else null.
    const core::SignupOverviewRow *signup(const QString &userId) const;
    // The account whose newest email is this outbox row, if it is in the window and not sent.
    QString userIdOfMail(const QString &outboxId) const;
    // Whether a row in the window waits on an email (queued or being sent).
    bool awaitsMail() const;
    // Signups with this status in the whole database (not only this query), as of the last
    // fetch.
    int countWithStatus(core::AccountStatus status) const;
    // Rows held in memory (the window), for tests and the benchmark.
    int windowSize() const { return int(m_rows.size()); }
    int windowOffset() const { return m_offset; }

    // A console reject waiting out its undo window: the status column counts down.
    // The undo window's seconds left for this signup's decision (< 0: none): "Approving in 7 s…"
    // or "Rejecting in 7 s…" in the Status column.
    void setCountdown(const QString &userId, int secondsLeft, bool approving = false);
    // Relative times moved on: repaint those columns.
    void refreshTimes();

    static QString relativeTime(qint64 atMs, qint64 nowMs);
    static QString statusText(core::AccountStatus status);
    // The Verification column: where the newest token stands at `nowMs`.
    static QString tokenText(const core::SignupOverviewRow &r, qint64 nowMs);

signals:
    // A fetch of the current query came in (the first one, or a refresh).
    void fetched();
    void countsChanged();
    void errorOccurred(const QString &message);

private:
    QVariant display(const core::SignupOverviewRow &r, int column) const;
    QString mailText(const core::SignupOverviewRow &r) const;
    // Asks for the window around `row` (from data(), for a row not held).
    void want(int row) const;
    void fetch();
    struct Fetched;
    void apply(Fetched result);
    void patch(const core::SignupPage &page);
    void resize(int total);
    void reindex();
    int indexOf(const QString &userId) const; // in m_rows, or -1

    ConsoleBackend *m_backend;
    core::CoreServices &m_core;
    std::function<qint64()> m_nowMs;
    core::SignupQuery m_query;
    bool m_started = false;
    bool m_loaded = false;
    quint64 m_generation = 0; // bumped by every new query: older answers are dropped
    int m_total = 0;
    bool m_countExact = true;
    int m_countAhead = core::SignupOverview::kCountAhead;
    int m_offset = 0;
    QList<core::SignupOverviewRow> m_rows; // rows m_offset .. m_offset + size - 1
    QHash<QString, int> m_index;           // user id -> index in m_rows
    bool m_indexStale = false;             // m_rows changing row by row: m_index is not used
    core::SignupCounts m_counts;
    bool m_haveCounts = false;
    // What to fetch next: a window at this row (-1: the current one, again) and whether to
    // patch (a refresh) or replace (a scroll).
    mutable int m_wantedRow = -1;
    mutable bool m_fetchQueued = false;
    bool m_refreshWanted = false;
    bool m_inFlight = false;
    struct Countdown
    {
        int secondsLeft = -1;
        bool approving = false;
    };
    QHash<QString, Countdown> m_countdown;
};

} // namespace sd::ui
