#include "csvwriter.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

QString field(QString text)
{
    if (!text.isEmpty()) {
        const QChar first = text.front();
        if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t' ||
            first == u'\r')
            text.prepend(u'\'');
    }
    if (text.contains(u',') || text.contains(u'"') || text.contains(u'\n') ||
        text.contains(u'\r')) {
        text.replace(u"\""_s, u"\"\""_s);
        return u'"' + text + u'"';
    }
    return text;
}

} // namespace

QString toCsv(const QList<QStringList> &rows)
{
    QString out;
    for (const QStringList &row : rows) {
        QStringList fields;
        fields.reserve(row.size());
        for (const QString &f : row)
            fields << field(f);
        out += fields.join(u',') + u"\r\n"_s;
    }
    return out;
}

QString auditLogCsv(const QList<core::AuditEntry> &entries)
{
    QList<QStringList> rows;
    rows.reserve(entries.size() + 1);
    rows << QStringList{u"time_utc"_s, u"actor"_s, u"action"_s, u"subject"_s, u"detail"_s, u"id"_s};
    for (const core::AuditEntry &e : entries)
        rows << QStringList{
            QDateTime::fromMSecsSinceEpoch(e.atMs, Qt::UTC).toString(Qt::ISODateWithMs),
            e.actor,
            e.action,
            e.subjectId,
            e.detail,
            e.id};
    return toCsv(rows);
}

} // namespace sd::ui
