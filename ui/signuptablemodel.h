#pragma once

#include "pagedtablemodel.h"

#include "console/signupoverview.h"
#include "coreservices.h"

#include <QHash>

#include <functional>

namespace sd::ui {

// The console's signups, paged (PagedTableModel): windows of core's SignupOverview::page for a
// core::SignupQuery, and the counts per status with the first fetch and every refresh.
class SignupTableModel
    : public PagedTableModel<core::SignupQuery, core::SignupPage, core::Result<core::SignupCounts>>
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
    SignupTableModel(ConsoleBackend *backend, core::CoreServices &core, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Sorts in the database; the columns with no index behind them (apps, token, email) keep
    // the order there is and return false.
    static bool isSortable(int column);
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // This account's row when it is in the window, else null.
    const core::SignupOverviewRow *signup(const QString &userId) const { return find(userId); }
    // The account whose newest email is this outbox row, if it is in the window and not sent.
    QString userIdOfMail(const QString &outboxId) const;
    // Whether a row in the window waits on an email (queued or being sent).
    bool awaitsMail() const;
    // Signups with this status in the whole database (not only this query), as of the last
    // fetch.
    int countWithStatus(core::AccountStatus status) const;

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
    void countsChanged();

protected:
    Job job(const core::SignupQuery &query, int offset, int limit, int countAhead,
            bool refresh) const override;
    void applyExtra(core::Result<core::SignupCounts> &counts) override;
    QString keyOf(const core::SignupOverviewRow &row) const override { return row.account.id; }
    bool sameRow(const core::SignupOverviewRow &x, const core::SignupOverviewRow &y) const override;
    void rowRemoved(const core::SignupOverviewRow &row) override;

private:
    QVariant display(const core::SignupOverviewRow &r, int column) const;
    QString mailText(const core::SignupOverviewRow &r) const;

    core::CoreServices &m_core;
    std::function<qint64()> m_nowMs;
    core::SignupCounts m_counts;
    bool m_haveCounts = false;
    struct Countdown
    {
        int secondsLeft = -1;
        bool approving = false;
    };
    QHash<QString, Countdown> m_countdown;
};

} // namespace sd::ui
