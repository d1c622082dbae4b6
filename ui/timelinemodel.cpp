#include "timelinemodel.h"

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
    static const QHash<QString, const char *> names = {
        {u"signup.created"_s, QT_TR_NOOP("Signed up")},
        {u"mail.queued"_s, QT_TR_NOOP("Email queued")},
        {u"mail.sent"_s, QT_TR_NOOP("Email sent")},
        {u"mail.retrying"_s, QT_TR_NOOP("Email delivery failed, will retry")},
        {u"mail.failed"_s, QT_TR_NOOP("Email delivery failed for good")},
        {u"token.issued"_s, QT_TR_NOOP("Verification token issued")},
        {u"token.used"_s, QT_TR_NOOP("Verification token used")},
        {u"token.revoked"_s, QT_TR_NOOP("Verification token revoked")},
        {u"token.burned"_s, QT_TR_NOOP("Verification token burned")},
        {u"token.expired"_s, QT_TR_NOOP("Verification token expired")},
        {u"link.visited"_s, QT_TR_NOOP("Email link page visited")},
        {u"verification.resent"_s, QT_TR_NOOP("Verification email resent")},
        {u"verification.revoked"_s, QT_TR_NOOP("Verification revoked by an admin")},
        {u"email.verified"_s, QT_TR_NOOP("Email verified")},
        {u"email.verified_by_admin"_s, QT_TR_NOOP("Email marked verified by an admin")},
        {u"signup.approved"_s, QT_TR_NOOP("Approved")},
        {u"signup.rejected"_s, QT_TR_NOOP("Rejected")},
    };
    if (const char *name = names.value(action))
        return tr(name);
    return action; // an action this console does not know yet: shown as recorded
}

QString TimelineModel::describeActor(const QString &actor)
{
    if (actor == u"system"_s)
        return tr("system");
    if (actor == u"console"_s)
        return tr("console");
    if (actor == u"cli"_s)
        return tr("command line");
    if (actor.startsWith(u"user:"_s))
        return tr("the user");
    if (actor.startsWith(u"admin:"_s))
        return tr("admin %1").arg(actor.mid(6));
    return actor;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::TimelineEntry &e = m_entries.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == Detail)
        return e.detail;
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
        return e.detail;
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
