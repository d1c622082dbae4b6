#pragma once

// The database's plan for one statement, with the values it runs with: EXPLAIN QUERY PLAN on
// SQLite (the detail column of each row), EXPLAIN on PostgreSQL (one line per row). A first
// line "ERROR …" says why there is no plan. Header-only: tests/api/tst_queryplans and
// tests/ui/tst_userspaged.

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QStringList>
#include <QVariantList>

namespace testplan {

inline QStringList planOf(const QSqlDatabase &db, bool postgres, const QString &statement,
                          const QVariantList &params)
{
    using namespace Qt::StringLiterals;
    QStringList lines;
    if (!postgres) {
        QSqlQuery q(db);
        if (!q.prepare(u"EXPLAIN QUERY PLAN "_s + statement))
            return {u"ERROR "_s + q.lastError().text()};
        for (const QVariant &p : params)
            q.addBindValue(p.metaType() == QMetaType::fromType<QString>() && p.toString().isNull()
                               ? QVariant(u""_s)
                               : p);
        if (!q.exec())
            return {u"ERROR "_s + q.lastError().text()};
        while (q.next())
            lines << q.value(3).toString();
        return lines;
    }
    // PostgreSQL cannot PREPARE an EXPLAIN: the values go in as literals, quoted by the
    // driver itself.
    QString sql;
    qsizetype next = 0;
    for (const QChar ch : statement) {
        if (ch != u'?') {
            sql += ch;
            continue;
        }
        if (next >= params.size())
            return {u"ERROR more ? than values in: "_s + statement};
        QVariant v = params.at(next++);
        if (v.metaType() == QMetaType::fromType<QString>() && v.toString().isNull())
            v = u""_s;
        QSqlField field(u"v"_s, v.metaType());
        field.setValue(v);
        sql += v.isNull() ? u"NULL"_s : db.driver()->formatValue(field);
    }
    QSqlQuery q(db);
    if (!q.exec(u"EXPLAIN "_s + sql))
        return {u"ERROR "_s + q.lastError().text() + u" in: "_s + sql};
    while (q.next())
        lines << q.value(0).toString();
    return lines;
}

} // namespace testplan
