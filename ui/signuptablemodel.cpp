#include "signuptablemodel.h"

#include <QBrush>
#include <QDateTime>
#include <algorithm>

using namespace Qt::StringLiterals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;
using sd::core::TokenState;

namespace sd::ui {

SignupTableModel::SignupTableModel(std::function<qint64()> nowMs, QObject *parent)
    : QAbstractTableModel(parent), m_nowMs(std::move(nowMs))
{
}

int SignupTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SignupTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString SignupTableModel::relativeTime(qint64 atMs, qint64 nowMs)
{
    const qint64 seconds = (nowMs - atMs) / 1000;
    const bool future = seconds < 0;
    const qint64 s = future ? -seconds : seconds;
    QString amount;
    if (s < 60)
        amount = tr("%n s", nullptr, int(s));
    else if (s < 3600)
        amount = tr("%n min", nullptr, int(s / 60));
    else if (s < 86400)
        amount = tr("%n h", nullptr, int(s / 3600));
    else
        amount = tr("%n d", nullptr, int(s / 86400));
    return future ? tr("in %1").arg(amount) : tr("%1 ago").arg(amount);
}

QString SignupTableModel::statusText(AccountStatus status)
{
    switch (status) {
    case AccountStatus::PendingVerification: return tr("Pending verification");
    case AccountStatus::PendingApproval: return tr("Pending approval");
    case AccountStatus::Active: return tr("Active");
    case AccountStatus::Disabled: return tr("Disabled");
    }
    return {};
}

QString SignupTableModel::tokenText(const SignupOverviewRow &r) const
{
    const qint64 now = m_nowMs();
    switch (r.tokenState) {
    case TokenState::None: return tr("none");
    case TokenState::Issued:
        if (r.tokenExpiresAt <= now)
            return tr("expired");
        return tr("issued, expires %1").arg(relativeTime(r.tokenExpiresAt, now));
    case TokenState::Expired: return tr("expired");
    case TokenState::Used: return tr("used");
    case TokenState::Burned: return tr("burned (%n wrong codes)", nullptr, r.codeAttempts);
    case TokenState::Revoked: return tr("revoked");
    }
    return {};
}

QString SignupTableModel::mailText(const SignupOverviewRow &r) const
{
    if (r.mailStatus.isEmpty())
        return tr("none");
    if (r.mailStatus == u"queued"_s) {
        if (r.mailAttempts > 0)
            return tr("queued, retrying after %n attempts: %1", nullptr, r.mailAttempts)
                .arg(r.mailLastError);
        return tr("queued");
    }
    if (r.mailStatus == u"processing"_s)
        return tr("sending");
    if (r.mailStatus == u"sent"_s)
        return tr("sent");
    if (r.mailStatus == u"dead"_s)
        return tr("failed: %1").arg(r.mailLastError);
    if (r.mailStatus == u"held"_s)
        return tr("held by an admin");
    return r.mailStatus;
}

QVariant SignupTableModel::display(const SignupOverviewRow &r, int column) const
{
    const core::Account &a = r.account;
    switch (column) {
    case Username: return a.username;
    case Email: return a.email;
    case DisplayName: return a.displayName;
    case Apps: return a.apps.join(u", "_s);
    case SignedUp:
        return tr("%1 (%2)").arg(
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(a.signUpTimeMs).toLocalTime(),
                               QLocale::ShortFormat),
            relativeTime(a.signUpTimeMs, m_nowMs()));
    case ClientAddress:
        return a.remoteAddr.isEmpty() ? a.remoteIp : tr("%1 (%2)").arg(a.remoteIp, a.remoteAddr);
    case Status:
        if (const int left = m_countdown.value(a.id, -1); left >= 0)
            return tr("Rejecting in %n s…", nullptr, left);
        return statusText(a.status);
    case Verification: return tokenText(r);
    case EmailState: return mailText(r);
    }
    return {};
}

QVariant SignupTableModel::sortValue(const SignupOverviewRow &r, int column) const
{
    switch (column) {
    case SignedUp: return r.account.signUpTimeMs;
    case Verification: return r.tokenExpiresAt;
    case Status: return int(r.account.status);
    default: return display(r, column).toString().toLower();
    }
}

QVariant SignupTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SignupOverviewRow &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(r, index.column());
    case Qt::ToolTipRole:
        if (index.column() == EmailState && !r.mailServerReply.isEmpty())
            return tr("Server reply: %1").arg(r.mailServerReply);
        if (index.column() == SignedUp)
            return QDateTime::fromMSecsSinceEpoch(r.account.signUpTimeMs).toLocalTime().toString(Qt::ISODate);
        return {};
    case Qt::ForegroundRole:
        if (m_countdown.contains(r.account.id) ||
            (index.column() == EmailState && r.mailStatus == u"dead"_s))
            return QBrush(Qt::red);
        return {};
    case UserIdRole: return r.account.id;
    case SortRole: return sortValue(r, index.column());
    case StatusRole: return core::toString(r.account.status);
    case SearchRole:
        return QStringList{r.account.username, r.account.email, r.account.displayName,
                           r.account.remoteIp, r.account.remoteAddr}
            .join(u'\n');
    }
    return {};
}

QVariant SignupTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Username: return tr("Username");
    case Email: return tr("Email");
    case DisplayName: return tr("Display name");
    case Apps: return tr("Apps");
    case SignedUp: return tr("Signed up");
    case ClientAddress: return tr("Client address");
    case Status: return tr("Status");
    case Verification: return tr("Verification token");
    case EmailState: return tr("Email");
    }
    return {};
}

void SignupTableModel::resetSignups(QList<SignupOverviewRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_index.clear();
    m_index.reserve(m_rows.size());
    reindexFrom(0);
    endResetModel();
}

void SignupTableModel::reindexFrom(int row)
{
    for (int i = row; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).account.id, i);
}

void SignupTableModel::upsertSignup(const SignupOverviewRow &row)
{
    const int at = rowOf(row.account.id);
    if (at >= 0) {
        m_rows[at] = row;
        emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
        return;
    }
    const int end = int(m_rows.size());
    beginInsertRows({}, end, end);
    m_rows.append(row);
    m_index.insert(row.account.id, end);
    endInsertRows();
}

void SignupTableModel::removeSignup(const QString &userId)
{
    const int at = rowOf(userId);
    if (at < 0)
        return;
    beginRemoveRows({}, at, at);
    m_rows.removeAt(at);
    m_index.remove(userId);
    m_countdown.remove(userId);
    reindexFrom(at);
    endRemoveRows();
}

const SignupOverviewRow *SignupTableModel::signup(const QString &userId) const
{
    const int at = rowOf(userId);
    return at < 0 ? nullptr : &m_rows.at(at);
}

QString SignupTableModel::userIdOfMail(const QString &outboxId) const
{
    for (const SignupOverviewRow &r : m_rows)
        if (r.mailId == outboxId)
            return r.account.id;
    return {};
}

int SignupTableModel::countWithStatus(AccountStatus status) const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(),
                             [status](const SignupOverviewRow &r) { return r.account.status == status; }));
}

void SignupTableModel::setRejectCountdown(const QString &userId, int secondsLeft)
{
    const int at = rowOf(userId);
    const int before = m_countdown.value(userId, -1);
    if (secondsLeft < 0)
        m_countdown.remove(userId);
    else
        m_countdown.insert(userId, secondsLeft);
    if (at >= 0 && before != secondsLeft)
        emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
}

void SignupTableModel::refreshTimes()
{
    if (m_rows.isEmpty())
        return;
    const int last = int(m_rows.size()) - 1;
    emit dataChanged(index(0, SignedUp), index(last, SignedUp), {Qt::DisplayRole});
    emit dataChanged(index(0, Verification), index(last, Verification), {Qt::DisplayRole});
}

} // namespace sd::ui
