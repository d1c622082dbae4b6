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
    else if (s < 2 * 86400) // "47 h", never "1 d" for nearly two days
        amount = tr("%n h", nullptr, int(s / 3600));
    else if (const qint64 hours = (s % 86400) / 3600; hours > 0)
        amount = tr("%1 d %2 h").arg(s / 86400).arg(hours);
    else
        amount = tr("%n d", nullptr, int(s / 86400));
    return future ? tr("in %1").arg(amount) : tr("%1 ago").arg(amount);
}

QString SignupTableModel::statusText(AccountStatus status)
{
    switch (status) {
    case AccountStatus::PendingVerification:
        return tr("Pending verification");
    case AccountStatus::PendingApproval:
        return tr("Pending approval");
    case AccountStatus::Active:
        return tr("Active");
    case AccountStatus::Disabled:
        return tr("Disabled");
    }
    return {};
}

QString SignupTableModel::tokenText(const SignupOverviewRow &r) const
{
    const qint64 now = m_nowMs();
    switch (r.tokenState) {
    case TokenState::None:
        return tr("none");
    case TokenState::Issued:
        if (r.tokenExpiresAt <= now)
            return tr("expired");
        return tr("issued, expires %1").arg(relativeTime(r.tokenExpiresAt, now));
    case TokenState::Expired:
        return tr("expired");
    case TokenState::Used:
        return tr("used");
    case TokenState::Burned:
        return tr("burned (%n wrong codes)", nullptr, r.codeAttempts);
    case TokenState::Revoked:
        return tr("revoked");
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
    case Username:
        return a.username;
    case Email:
        return a.email;
    case DisplayName:
        return a.displayName;
    case Apps:
        return a.apps.join(u", "_s);
    case SignedUp:
        return tr("%1 (%2)").arg(
            QLocale().toString(QDateTime::fromMSecsSinceEpoch(a.signUpTimeMs).toLocalTime(),
                               QLocale::ShortFormat),
            relativeTime(a.signUpTimeMs, m_nowMs()));
    case ClientAddress:
        return a.remoteAddr.isEmpty() ? a.remoteIp : tr("%1 (%2)").arg(a.remoteIp, a.remoteAddr);
    case Status:
        if (const auto it = m_countdown.constFind(a.id); it != m_countdown.cend())
            return it->approving ? tr("Approving in %n s…", nullptr, it->secondsLeft)
                                 : tr("Rejecting in %n s…", nullptr, it->secondsLeft);
        return statusText(a.status);
    case Verification:
        return tokenText(r);
    case EmailState:
        return mailText(r);
    }
    return {};
}

QVariant SignupTableModel::sortValue(const SignupOverviewRow &r, int column) const
{
    switch (column) {
    case SignedUp:
        return r.account.signUpTimeMs;
    case Verification:
        return r.tokenExpiresAt;
    case Status:
        return int(r.account.status);
    default:
        return display(r, column).toString().toLower();
    }
}

QVariant SignupTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SignupOverviewRow &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (index.column() == EmailState && !r.mailServerReply.isEmpty())
            return tr("Server reply: %1").arg(r.mailServerReply);
        if (index.column() == SignedUp)
            return QDateTime::fromMSecsSinceEpoch(r.account.signUpTimeMs)
                .toLocalTime()
                .toString(Qt::ISODate);
        return {};
    case Qt::ForegroundRole:
        if (const auto it = m_countdown.constFind(r.account.id); it != m_countdown.cend())
            return QBrush(it->approving ? QColor(0x1e, 0x7b, 0x34) : QColor(Qt::red));
        if (index.column() == EmailState && r.mailStatus == u"dead"_s)
            return QBrush(Qt::red);
        return {};
    case UserIdRole:
        return r.account.id;
    case SortRole:
        return sortValue(r, index.column());
    case StatusRole:
        return core::toString(r.account.status);
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
    case Username:
        return tr("Username");
    case Email:
        return tr("Email");
    case DisplayName:
        return tr("Display name");
    case Apps:
        return tr("Apps");
    case SignedUp:
        return tr("Signed up");
    case ClientAddress:
        return tr("Client address");
    case Status:
        return tr("Status");
    case Verification:
        return tr("Verification token");
    case EmailState:
        return tr("Email delivery"); // the last email's state; "Email" is the address
    }
    return {};
}

bool SignupTableModel::lessThan(int left, int right, int column) const
{
    const SignupOverviewRow &a = m_rows.at(left);
    const SignupOverviewRow &b = m_rows.at(right);
    // Text as sortValue() has it (lower case), compared without allocating; the columns shown
    // from several fields are compared as text only when those fields differ.
    const auto text = [](const QString &x, const QString &y) {
        return QString::compare(x, y, Qt::CaseInsensitive) < 0;
    };
    const auto shown = [this, &a, &b, column] {
        return display(a, column).toString().toLower() < display(b, column).toString().toLower();
    };
    switch (column) {
    case SignedUp:
        return a.account.signUpTimeMs < b.account.signUpTimeMs;
    case Verification:
        return a.tokenExpiresAt < b.tokenExpiresAt;
    case Status:
        return int(a.account.status) < int(b.account.status);
    case Username:
        return text(a.account.username, b.account.username);
    case Email:
        return text(a.account.email, b.account.email);
    case DisplayName:
        return text(a.account.displayName, b.account.displayName);
    case Apps:
        return a.account.apps != b.account.apps && shown();
    case ClientAddress:
        return (a.account.remoteIp != b.account.remoteIp ||
                a.account.remoteAddr != b.account.remoteAddr) &&
               shown();
    case EmailState:
        return (a.mailStatus != b.mailStatus || a.mailAttempts != b.mailAttempts ||
                a.mailLastError != b.mailLastError) &&
               shown();
    }
    return false;
}

void SignupTableModel::resetSignups(QList<SignupOverviewRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_index.clear();
    m_index.reserve(m_rows.size());
    reindexFrom(0);
    m_unsentMail.clear();
    for (const SignupOverviewRow &r : std::as_const(m_rows))
        indexMail(r);
    endResetModel();
}

void SignupTableModel::mergeSignups(QList<SignupOverviewRow> rows)
{
    if (m_rows.isEmpty()) {
        resetSignups(std::move(rows));
        return;
    }
    // `rows` becomes the model's list as it is (100,000 rows are not copied): first the shown
    // rows missing from it go, then `rows` is reordered so the shown ones come first, in the
    // order shown, and take their new values; then the rest is one insert at the end.
    QHash<QString, int> positions;
    positions.reserve(rows.size());
    for (int i = 0; i < rows.size(); ++i)
        positions.insert(rows.at(i).account.id, i);
    QStringList gone;
    for (const SignupOverviewRow &r : std::as_const(m_rows))
        if (!positions.contains(r.account.id))
            gone << r.account.id;
    for (const QString &id : std::as_const(gone))
        removeSignup(id);
    const int kept = int(m_rows.size());
    for (int i = 0; i < kept; ++i) {
        const int at = positions.value(m_rows.at(i).account.id);
        if (at != i) {
            positions[rows.at(i).account.id] = at;
            positions[rows.at(at).account.id] = i;
            rows.swapItemsAt(i, at);
        }
        unindexMail(m_rows.at(i));
        m_rows[i] = rows.at(i); // shares its strings with rows[i]
        indexMail(m_rows.at(i));
    }
    if (kept > 0)
        emit dataChanged(index(0, 0), index(kept - 1, ColumnCount - 1));
    if (rows.size() == kept)
        return;
    beginInsertRows({}, kept, int(rows.size()) - 1);
    m_rows = std::move(rows); // the first `kept` hold the same values already
    m_index = std::move(positions);
    for (int i = kept; i < m_rows.size(); ++i)
        indexMail(m_rows.at(i));
    endInsertRows();
}

void SignupTableModel::indexMail(const SignupOverviewRow &r)
{
    if (!r.mailId.isEmpty() && r.mailStatus != u"sent"_s)
        m_unsentMail.insert(r.mailId, r.account.id);
}

void SignupTableModel::unindexMail(const SignupOverviewRow &r)
{
    if (!r.mailId.isEmpty())
        m_unsentMail.remove(r.mailId);
}

QStringList SignupTableModel::usersAwaitingMail() const
{
    QStringList ids;
    for (auto it = m_unsentMail.cbegin(); it != m_unsentMail.cend(); ++it) {
        const SignupOverviewRow *r = signup(it.value());
        if (r && (r->mailStatus == u"queued"_s || r->mailStatus == u"processing"_s))
            ids << it.value();
    }
    return ids;
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
        unindexMail(m_rows.at(at));
        m_rows[at] = row;
        indexMail(row);
        emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
        return;
    }
    const int end = int(m_rows.size());
    beginInsertRows({}, end, end);
    m_rows.append(row);
    m_index.insert(row.account.id, end);
    indexMail(row);
    endInsertRows();
}

void SignupTableModel::removeSignup(const QString &userId)
{
    const int at = rowOf(userId);
    if (at < 0)
        return;
    beginRemoveRows({}, at, at);
    unindexMail(m_rows.at(at));
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

int SignupTableModel::countWithStatus(AccountStatus status) const
{
    return int(std::count_if(m_rows.cbegin(), m_rows.cend(), [status](const SignupOverviewRow &r) {
        return r.account.status == status;
    }));
}

void SignupTableModel::setCountdown(const QString &userId, int secondsLeft, bool approving)
{
    const int at = rowOf(userId);
    const auto before = m_countdown.value(userId);
    if (secondsLeft < 0)
        m_countdown.remove(userId);
    else
        m_countdown.insert(userId, {secondsLeft, approving});
    const bool same = secondsLeft < 0
                          ? before.secondsLeft < 0
                          : before.secondsLeft == secondsLeft && before.approving == approving;
    if (at >= 0 && !same)
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
