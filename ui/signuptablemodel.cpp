#include "signuptablemodel.h"

#include "consolebackend.h"
#include "errormessages.h"

#include <QBrush>
#include <QDateTime>
#include <algorithm>

using namespace Qt::StringLiterals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;
using sd::core::TokenState;

namespace sd::ui {

SignupTableModel::SignupTableModel(ConsoleBackend *backend, core::CoreServices &core,
                                   QObject *parent)
    : PagedTableModel(backend, parent), m_core(core)
{
    const core::Clock *clock = &core.clock();
    m_nowMs = [clock] { return clock->nowMs(); };
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

QString SignupTableModel::tokenText(const SignupOverviewRow &r, qint64 now)
{
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
        return tokenText(r, m_nowMs());
    case EmailState:
        return mailText(r);
    }
    return {};
}

QVariant SignupTableModel::data(const QModelIndex &index, int role) const
{
    const SignupOverviewRow *at = held(index, role);
    if (!at)
        return {};
    const SignupOverviewRow &r = *at;
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
    case StatusRole:
        return core::toString(r.account.status);
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

bool SignupTableModel::isSortable(int column)
{
    switch (column) {
    case Username:
    case Email:
    case DisplayName:
    case SignedUp:
    case ClientAddress:
    case Status:
        return true;
    default:
        return false;
    }
}

void SignupTableModel::sort(int column, Qt::SortOrder order)
{
    using Order = core::SignupQuery::Order;
    core::SignupQuery query = this->query();
    switch (column) {
    case Username:
        query.order = Order::Username;
        break;
    case Email:
        query.order = Order::Email;
        break;
    case DisplayName:
        query.order = Order::DisplayName;
        break;
    case SignedUp:
        query.order = Order::SignedUp;
        break;
    case ClientAddress:
        query.order = Order::ClientAddress;
        break;
    case Status:
        query.order = Order::Status;
        break;
    default:
        return; // no index behind it: a million rows are not sorted on every page
    }
    query.descending = order == Qt::DescendingOrder;
    setQuery(query);
}

SignupTableModel::Job SignupTableModel::job(const core::SignupQuery &query, int offset, int limit,
                                            int countAhead, bool refresh) const
{
    // The counts are of the whole table, whatever the query: read on the first fetch and on
    // live changes, not on every search or scroll (a GROUP BY over a million rows).
    const bool withCounts = refresh || !m_haveCounts;
    core::CoreServices *core = &m_core;
    return [core, query, offset, limit, countAhead, withCounts] {
        const core::SignupOverview overview = core->signupOverview();
        std::pair<core::Result<core::SignupPage>, core::Result<core::SignupCounts>> out{
            overview.page(query, offset, limit, countAhead),
            core::fail(core::ErrorCode::Internal, u"counts not read"_s)};
        if (out.first && withCounts)
            out.second = overview.counts();
        return out;
    };
}

void SignupTableModel::applyExtra(core::Result<core::SignupCounts> &counts)
{
    if (!counts)
        return;
    m_haveCounts = true;
    m_counts = *counts;
    emit countsChanged();
}

bool SignupTableModel::sameRow(const SignupOverviewRow &x, const SignupOverviewRow &y) const
{
    const core::Account &a = x.account;
    const core::Account &b = y.account;
    return a.id == b.id && a.status == b.status && a.username == b.username && a.email == b.email &&
           a.displayName == b.displayName && a.apps == b.apps && a.remoteIp == b.remoteIp &&
           a.remoteAddr == b.remoteAddr && x.tokenState == y.tokenState &&
           x.tokenExpiresAt == y.tokenExpiresAt && x.codeAttempts == y.codeAttempts &&
           x.mailId == y.mailId && x.mailStatus == y.mailStatus &&
           x.mailAttempts == y.mailAttempts && x.mailLastError == y.mailLastError &&
           x.mailServerReply == y.mailServerReply;
}

void SignupTableModel::rowRemoved(const SignupOverviewRow &row)
{
    m_countdown.remove(row.account.id);
}

QString SignupTableModel::userIdOfMail(const QString &outboxId) const
{
    for (const SignupOverviewRow &r : window())
        if (r.mailId == outboxId && r.mailStatus != u"sent"_s)
            return r.account.id;
    return {};
}

bool SignupTableModel::awaitsMail() const
{
    return std::any_of(window().cbegin(), window().cend(), [](const SignupOverviewRow &r) {
        return r.mailStatus == u"queued"_s || r.mailStatus == u"processing"_s;
    });
}

int SignupTableModel::countWithStatus(AccountStatus status) const
{
    switch (status) {
    case AccountStatus::PendingApproval:
        return m_counts.pendingApproval;
    case AccountStatus::PendingVerification:
        return m_counts.pendingVerification;
    case AccountStatus::Active:
        return m_counts.active;
    case AccountStatus::Disabled:
        return m_counts.disabled;
    }
    return 0;
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
    repaintColumns(SignedUp, SignedUp);
    repaintColumns(Verification, Verification);
}

} // namespace sd::ui
