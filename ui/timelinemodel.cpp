#include "timelinemodel.h"

#include "auditdetails.h"
#include "auditwords.h"

#include <QDateTime>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace sd::ui {

TimelineModel::TimelineModel(QObject *parent) : QAbstractTableModel(parent) {}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TimelineModel::describe(const QString &action)
{
    return AuditWords::action(action);
}

QString TimelineModel::describeActor(const QString &actor)
{
    return AuditWords::actor(actor);
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::TimelineEntry &e = m_entries.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == Detail)
        return e.detail;
    if (role == Qt::ToolTipRole && index.column() == Event)
        return e.action; // the code, as the audit log and the CSV have it
    if (role == Qt::ToolTipRole && index.column() == Actor)
        return e.actor;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Time:
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(e.atMs).toLocalTime(),
                                  QLocale::ShortFormat);
    case Event:
        return describe(e.action);
    case Actor:
        return describeActor(e.actor);
    case Detail:
        return AuditDetails::timelineText(e.action, e.detail);
    }
    return {};
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("When");
    case Event:
        return tr("What");
    case Actor:
        return tr("By");
    case Detail:
        return tr("Detail");
    }
    return {};
}

void TimelineModel::setTimeline(const QString &userId, const QList<core::TimelineEntry> &entries)
{
    const auto same = [](const core::TimelineEntry &a, const core::TimelineEntry &b) {
        return a.atMs == b.atMs && a.action == b.action && a.actor == b.actor &&
               a.detail == b.detail;
    };
    bool prefix = userId == m_userId && entries.size() >= m_entries.size();
    for (qsizetype i = 0; prefix && i < m_entries.size(); ++i)
        prefix = same(m_entries.at(i), entries.at(i));
    if (!prefix) {
        beginResetModel();
        m_userId = userId;
        m_entries = entries;
        endResetModel();
        return;
    }
    if (entries.size() == m_entries.size())
        return;
    beginInsertRows({}, int(m_entries.size()), int(entries.size()) - 1);
    m_entries = entries;
    endInsertRows();
}

void TimelineModel::clear()
{
    beginResetModel();
    m_userId.clear();
    m_entries.clear();
    endResetModel();
}

} // namespace sd::ui
