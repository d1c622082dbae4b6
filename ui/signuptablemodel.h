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
    // Makes the model hold `rows` without a reset (selection and scroll stay): rows already
    // shown are updated in place, the others appended in one insert, and shown rows missing
    // from `rows` removed one by one. For a full load after a first screenful.
    void mergeSignups(QList<core::SignupOverviewRow> rows);
    // Inserts a new account's row or updates the row in place.
    void upsertSignup(const core::SignupOverviewRow &row);
    void removeSignup(const QString &userId);

    int rowOf(const QString &userId) const { return m_index.value(userId, -1); }
    const core::SignupOverviewRow *signup(const QString &userId) const;
    // For the proxy's filter and sort, which visit every row: no QVariant per call.
    const core::SignupOverviewRow &rowAt(int row) const { return m_rows.at(row); }
    // Whether `left` sorts before `right` in `column`, in the order of SortRole.
    bool lessThan(int left, int right, int column) const;
    // The account whose newest email is this outbox row, if that email is not sent yet; or
    // empty. (A sent email never changes again.)
    QString userIdOfMail(const QString &outboxId) const { return m_unsentMail.value(outboxId); }
    // The accounts whose newest email is queued or being sent.
    QStringList usersAwaitingMail() const;
    int countWithStatus(core::AccountStatus status) const;

    // A console reject waiting out its undo window: the status column counts down.
    // The undo window's seconds left for this signup's decision (< 0: none): "Approving in 7 s…"
    // or "Rejecting in 7 s…" in the Status column.
    void setCountdown(const QString &userId, int secondsLeft, bool approving = false);
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
    void indexMail(const core::SignupOverviewRow &r);
    void unindexMail(const core::SignupOverviewRow &r);

    std::function<qint64()> m_nowMs;
    QList<core::SignupOverviewRow> m_rows;
    QHash<QString, int> m_index;
    QHash<QString, QString> m_unsentMail; // outbox id -> user id, for newest emails not sent
    struct Countdown
    {
        int secondsLeft = -1;
        bool approving = false;
    };
    QHash<QString, Countdown> m_countdown;
};

} // namespace sd::ui
