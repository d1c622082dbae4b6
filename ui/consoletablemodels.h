#pragma once

#include "rowtablemodel.h"

#include "audit/auditlog.h"
#include "console/outboxadminservice.h"
#include "console/useradminservice.h"

#include <functional>

namespace sd::ui {

// Roles the Users, Outbox and Audit tables share.
enum ConsoleRole
{
    KeyRole = Qt::UserRole + 1, // the row's id (user, outbox row, audit entry)
    RowSortRole,                // raw values: times as numbers, text lower-cased
    RowStatusRole,              // the status as core spells it (users, outbox)
};

// Every account: the Users tab.
class UserTableModel : public RowTableModel<core::UserRow>
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
    explicit UserTableModel(std::function<qint64()> nowMs, QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QString keyOf(const core::UserRow &row) const override { return row.id; }

private:
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
