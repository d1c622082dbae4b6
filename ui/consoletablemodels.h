#pragma once

#include "pagedtablemodel.h"
#include "rowtablemodel.h"

#include "audit/auditlog.h"
#include "console/outboxadminservice.h"
#include "console/useradminservice.h"

#include "coreservices.h"

#include <functional>

namespace sd::ui {

// Roles the Users, Outbox and Audit tables share.
enum ConsoleRole
{
    KeyRole = Qt::UserRole + 1, // the row's id (user, outbox row, audit entry)
    RowSortRole,                // raw values: times as numbers, text lower-cased
    RowStatusRole,              // the status as core spells it (users, outbox)
};

// Every account, super-users too: the Users tab, paged (PagedTableModel) by core's
// UserAdminService::page. The session counts, groups and the rest are read for the window only.
class UserTableModel : public PagedTableModel<core::UserQuery, core::UserListPage>
{
    Q_OBJECT
public:
    enum Column
    {
        Username,
        Email,
        DisplayName,
        Status,
        Role,
        Groups,
        SignedUp,
        LastLogin,
        Sessions,
        SecondFactor, // issue 14: last, so the columns before keep their places
        ColumnCount
    };
    UserTableModel(ConsoleBackend *backend, core::CoreServices &core, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    // Sorts in the database; the columns with no index behind them (role, groups, sessions,
    // second factor) keep the order there is and return false.
    static bool isSortable(int column);
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Relative times moved on: repaint those columns.
    void refreshTimes();

protected:
    Job job(const core::UserQuery &query, int offset, int limit, int countAhead,
            bool refresh) const override;
    QString keyOf(const core::UserRow &row) const override { return row.id; }
    bool sameRow(const core::UserRow &a, const core::UserRow &b) const override;

private:
    core::CoreServices &m_core;
    std::function<qint64()> m_nowMs;
};

// Every email in the outbox: the Outbox tab.
class OutboxTableModel : public RowTableModel<core::OutboxEntry>
{
    Q_OBJECT
public:
    enum Column
    {
        Created,
        Kind,
        Recipient,
        Subject,
        Status,
        Attempts,
        LastError,
        ColumnCount
    };
    explicit OutboxTableModel(std::function<qint64()> nowMs, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString statusText(const core::OutboxEntry &e, qint64 nowMs);
    static QString kindText(const QString &kind);
    // Subject, recipient and what can honestly be said of the body, as plain text.
    static QString preview(const core::OutboxEntry &e, qint64 nowMs);
    static bool canRetry(const QString &status);
    static bool canHold(const QString &status);

protected:
    QString keyOf(const core::OutboxEntry &row) const override { return row.id; }

private:
    std::function<qint64()> m_nowMs;
};

// Every audit entry: the Audit log tab.
class AuditTableModel : public RowTableModel<core::AuditEntry>
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Actor,
        Action,
        Subject,
        Detail,
        ColumnCount
    };
    using RowTableModel::RowTableModel;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    // Accounts' usernames by id: actors and subjects show names (the id in the tooltip).
    void setUserNames(QHash<QString, QString> names);
    QString actorText(const QString &actor) const;
    QString subjectText(const QString &subjectId) const;

protected:
    QString keyOf(const core::AuditEntry &row) const override { return row.id; }

private:
    QHash<QString, QString> m_names;
};

// The OAuth identities linked to one account: the Users tab's detail pane.
class IdentityTableModel : public RowTableModel<core::OAuthIdentityRow>
{
    Q_OBJECT
public:
    enum Column
    {
        Provider,
        Email,
        LinkedSince,
        ColumnCount
    };
    using RowTableModel::RowTableModel;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    static QString providerText(const QString &provider);

protected:
    QString keyOf(const core::OAuthIdentityRow &row) const override { return row.id; }
};

QString localTime(qint64 atMs);

} // namespace sd::ui
