#pragma once

#include "database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <initializer_list>

namespace sd::store {

// Prepares and runs one parameterized statement (bind QVariant() for SQL NULL); every QtSql call is
// checked here so that callers only deal with DbResult. SQL text is always a literal with `?`
// placeholders.
template <typename Params>
DbResult<QSqlQuery> runQueryOnce(const QSqlDatabase &db, const QString &sql, const Params &params)
{
    if (const auto *observer = detail::statementObserver())
        (*observer)(sql, QVariantList(params.begin(), params.end()));
    const detail::AutocommitWriteGate gate(db, sql);
    if (!gate.entered())
        return std::unexpected(DbError{
            QStringLiteral(
                "database is locked: another write of this process held it too long, in: ") +
            sql});
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (params.size() == 0) {
        // Without parameters run it directly: PostgreSQL cannot PREPARE DDL, BEGIN or PRAGMA.
        if (!query.exec(sql))
            return std::unexpected(
                DbError{describeError(query.lastError()) + QStringLiteral(" in: ") + sql});
        return query;
    }
    if (!query.prepare(sql))
        return std::unexpected(
            DbError{describeError(query.lastError()) + QStringLiteral(" in: ") + sql});
    for (const QVariant &p : params) {
        // A null QString is an empty text here; SQL NULL is spelled QVariant().
        if (p.metaType() == QMetaType::fromType<QString>() && p.toString().isNull())
            query.addBindValue(QStringLiteral(""));
        else
            query.addBindValue(p);
    }
    if (!query.exec())
        return std::unexpected(
            DbError{describeError(query.lastError()) + QStringLiteral(" in: ") + sql});
    return query;
}

// Runs it; outside a transaction, a statement that failed because the PostgreSQL connection
// died runs once more on a reopened connection, so a restarted server or a terminated backend
// costs no client an error (issue 16).
template <typename Params>
DbResult<QSqlQuery> runQueryWith(const QSqlDatabase &db, const QString &sql, const Params &params)
{
    auto first = runQueryOnce(db, sql, params);
    if (first || !detail::reopenIfDead(db))
        return first;
    return runQueryOnce(db, sql, params);
}

inline DbResult<QSqlQuery> runQuery(const QSqlDatabase &db, const QString &sql,
                                    std::initializer_list<QVariant> params = {})
{
    return runQueryWith(db, sql, params);
}

inline DbResult<QSqlQuery> runQuery(const QSqlDatabase &db, const QString &sql,
                                    const QVariantList &params)
{
    return runQueryWith(db, sql, params);
}

} // namespace sd::store
