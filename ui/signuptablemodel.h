#pragma once

#include "console/signupoverview.h"

#include <QAbstractTableModel>
#include <QHash>

#include <functional>

namespace sd::ui {

// The console's signups: one row per account, from core's SignupOverview. Live updates
// change single rows (upsertSignup, removeSignup); only the first load resets the model.
class SignupTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Username, Email, DisplayName, Apps, SignedUp, ClientAddress, Status,
                  Verification, EmailState, ColumnCount };
    enum Role {
        UserIdRole = Qt::UserRole + 1,
        SortRole,   // raw values: times as numbers, text lower-cased
        StatusRole, // core::toString(AccountStatus)
        SearchRole, // the text search-as-you-type looks in
    };

    // `nowMs` is core's clock, for "3 min ago" and "expires in …".
    explicit SignupTableModel(std::function<qint64()> nowMs, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void resetSignups(QList<core::SignupOverviewRow> rows);
    // Inserts a new account's row or updates the row in place.
    void upsertSignup(const core::SignupOverviewRow &row);
    void removeSignup(const QString &userId);

    int rowOf(const QString &userId) const { return m_index.value(userId, -1); }
    const core::SignupOverviewRow *signup(const QString &userId) const;
    // The account whose newest email is this outbox row, or empty.
    QString userIdOfMail(const QString &outboxId) const;
    int countWithStatus(core::AccountStatus status) const;

    // A console reject waiting out its undo window: the status column counts down.
    void setRejectCountdown(const QString &userId, int secondsLeft); // < 0: none
    // Relative times moved on: repaint those columns.
    void refreshTimes();

    static QString relativeTime(qint64 atMs, qint64 nowMs);
    static QString statusText(core::AccountStatus status);

private:
    QVariant display(const core::SignupOverviewRow &r, int column) const;
    QVariant sortValue(const core::SignupOverviewRow &r, int column) const;
    QString tokenText(const core::SignupOverviewRow &r) const;
    QString mailText(const core::SignupOverviewRow &r) const;
    void reindexFrom(int row);

    std::function<qint64()> m_nowMs;
    QList<core::SignupOverviewRow> m_rows;
    QHash<QString, int> m_index;
    QHash<QString, int> m_countdown;
};

} // namespace sd::ui
