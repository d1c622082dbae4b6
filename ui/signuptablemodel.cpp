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
    : QAbstractTableModel(parent), m_backend(backend), m_core(core)
{
    const core::Clock *clock = &core.clock();
    m_nowMs = [clock] { return clock->nowMs(); };
}

int SignupTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_total;
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
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int at = index.row() - m_offset;
    if (at < 0 || at >= m_rows.size()) {
        if (role == Qt::DisplayRole)
            want(index.row());
        return {};
    }
    const SignupOverviewRow &r = m_rows.at(at);
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
    core::SignupQuery query = m_query;
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

void SignupTableModel::setQuery(const core::SignupQuery &query)
{
    if (query == m_query && m_started)
        return;
    m_query = query;
    if (m_started)
        start();
}

void SignupTableModel::start()
{
    beginResetModel();
    m_started = true;
    m_loaded = false;
    ++m_generation;
    m_total = 0;
    m_countExact = true;
    m_offset = 0;
    m_rows.clear();
    m_index.clear();
    endResetModel();
    m_wantedRow = 0;
    m_refreshWanted = false;
    fetch();
}

void SignupTableModel::refresh()
{
    if (!m_started)
        return;
    m_refreshWanted = true;
    if (!m_inFlight)
        fetch();
}

void SignupTableModel::want(int row) const
{
    if (m_rows.isEmpty() && !m_loaded)
        return; // the first window is on its way
    m_wantedRow = row;
    if (m_fetchQueued || m_inFlight)
        return; // fetched when the one under way is in
    m_fetchQueued = true;
    auto *self = const_cast<SignupTableModel *>(this);
    QMetaObject::invokeMethod(
        self,
        [self] {
            self->m_fetchQueued = false;
            self->fetch();
        },
        Qt::QueuedConnection);
}

struct SignupTableModel::Fetched
{
    quint64 generation = 0;
    bool refresh = false;
    core::Result<core::SignupPage> page;
    core::Result<core::SignupCounts> counts;
};

void SignupTableModel::fetch()
{
    if (m_inFlight || !m_started)
        return;
    int offset = m_offset;
    int limit = kPageRows * kWindowPages;
    const bool refresh = m_refreshWanted && m_wantedRow < 0;
    if (m_wantedRow >= 0) {
        const int page = m_wantedRow / kPageRows;
        offset = qMax(0, page - 1) * kPageRows;
        m_wantedRow = -1;
    } else if (!m_refreshWanted) {
        return;
    }
    if (refresh)
        m_refreshWanted = false;
    m_inFlight = true;
    // The counts are of the whole table, whatever the query: read on the first fetch and on
    // live changes, not on every search or scroll (a GROUP BY over a million rows).
    const bool withCounts = refresh || !m_haveCounts;
    const core::SignupQuery query = m_query;
    const quint64 generation = m_generation;
    // A search counts at least as far as the list already reaches: scrolling back up does not
    // shorten it.
    const int countAhead = qMax(m_countAhead, m_total - offset - limit);
    core::CoreServices *core = &m_core;
    m_backend->run(
        this,
        [core, query, offset, limit, countAhead, generation, refresh, withCounts] {
            const core::SignupOverview overview = core->signupOverview();
            Fetched out{generation, refresh, overview.page(query, offset, limit, countAhead),
                        core::fail(core::ErrorCode::Internal, u"counts not read"_s)};
            if (out.page && withCounts)
                out.counts = overview.counts();
            return out;
        },
        [this](Fetched result) {
            m_inFlight = false;
            apply(std::move(result));
            if (m_wantedRow >= 0 || m_refreshWanted)
                fetch();
        });
}

void SignupTableModel::apply(Fetched result)
{
    if (result.generation != m_generation)
        return; // for a query no longer shown
    if (!result.page) {
        emit errorOccurred(errorMessage(result.page.error()));
        return;
    }
    core::SignupPage &page = *result.page;
    m_countExact = page.totalIsExact;
    if (!m_loaded) {
        beginResetModel();
        m_total = page.total;
        m_offset = page.offset;
        m_rows = std::move(page.rows);
        reindex();
        endResetModel();
        m_loaded = true;
    } else if (result.refresh && page.offset == m_offset) {
        patch(page);
    } else {
        // Another window (the view scrolled): the rows held change, the list's rows do not.
        m_offset = page.offset;
        m_rows = std::move(page.rows);
        reindex();
        resize(page.total);
        if (!m_rows.isEmpty())
            emit dataChanged(index(m_offset, 0),
                             index(m_offset + int(m_rows.size()) - 1, ColumnCount - 1));
    }
    if (result.counts) {
        m_haveCounts = true;
        m_counts = *result.counts;
        emit countsChanged();
    }
    emit fetched();
}

void SignupTableModel::patch(const core::SignupPage &page)
{
    // The views' slots run inside the removals and inserts below and may look rows up: until
    // the reindex at the end, lookups walk the window.
    m_indexStale = true;
    QSet<QString> fresh;
    for (const SignupOverviewRow &r : page.rows)
        fresh.insert(r.account.id);
    // Rows gone from the window go one by one, last first, so the view's selection and current
    // row move as they do for any removal.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (fresh.contains(m_rows.at(i).account.id))
            continue;
        beginRemoveRows({}, m_offset + i, m_offset + i);
        m_countdown.remove(m_rows.at(i).account.id);
        m_rows.removeAt(i);
        --m_total;
        endRemoveRows();
    }
    // New rows where the database has them.
    QSet<QString> held;
    for (const SignupOverviewRow &r : std::as_const(m_rows))
        held.insert(r.account.id);
    QSet<QString> inserted; // announced as changed too: the view measures rows that change
    for (int j = 0; j < page.rows.size(); ++j) {
        const SignupOverviewRow &r = page.rows.at(j);
        if (held.contains(r.account.id))
            continue;
        const int at = qMin(j, int(m_rows.size()));
        beginInsertRows({}, m_offset + at, m_offset + at);
        m_rows.insert(at, r);
        inserted.insert(r.account.id);
        ++m_total;
        endInsertRows();
    }
    // The rest in place (an order changed by a changed sort key shows as changed rows): only
    // the rows that differ are announced, so a refresh that changed nothing repaints and
    // measures nothing.
    const auto same = [](const SignupOverviewRow &x, const SignupOverviewRow &y) {
        const core::Account &a = x.account;
        const core::Account &b = y.account;
        return a.id == b.id && a.status == b.status && a.username == b.username &&
               a.email == b.email && a.displayName == b.displayName && a.apps == b.apps &&
               a.remoteIp == b.remoteIp && a.remoteAddr == b.remoteAddr &&
               x.tokenState == y.tokenState && x.tokenExpiresAt == y.tokenExpiresAt &&
               x.codeAttempts == y.codeAttempts && x.mailId == y.mailId &&
               x.mailStatus == y.mailStatus && x.mailAttempts == y.mailAttempts &&
               x.mailLastError == y.mailLastError && x.mailServerReply == y.mailServerReply;
    };
    QList<std::pair<int, int>> changed; // first, last in m_rows
    for (int i = 0; i < page.rows.size(); ++i) {
        if (i < m_rows.size() && same(m_rows.at(i), page.rows.at(i)) &&
            !inserted.contains(page.rows.at(i).account.id))
            continue;
        if (!changed.isEmpty() && changed.last().second == i - 1)
            changed.last().second = i;
        else
            changed.append({i, i});
    }
    m_rows = page.rows;
    reindex();
    for (const auto &[first, last] : std::as_const(changed))
        if (last < m_rows.size())
            emit dataChanged(index(m_offset + first, 0), index(m_offset + last, ColumnCount - 1));
    resize(page.total);
}

void SignupTableModel::resize(int total)
{
    // Rows added or gone outside the window: the list's end moves.
    if (total > m_total) {
        beginInsertRows({}, m_total, total - 1);
        m_total = total;
        endInsertRows();
    } else if (total < m_total) {
        beginRemoveRows({}, total, m_total - 1);
        m_total = total;
        const int keep = qMax(0, qMin(int(m_rows.size()), m_total - m_offset));
        if (keep < m_rows.size()) {
            m_rows.resize(keep);
            reindex();
        }
        endRemoveRows();
    }
}

void SignupTableModel::reindex()
{
    m_indexStale = false;
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).account.id, i);
}

int SignupTableModel::indexOf(const QString &userId) const
{
    if (!m_indexStale)
        return m_index.value(userId, -1);
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).account.id == userId)
            return i;
    return -1;
}

int SignupTableModel::rowOf(const QString &userId) const
{
    const int at = indexOf(userId);
    return at < 0 ? -1 : m_offset + at;
}

const SignupOverviewRow *SignupTableModel::signup(const QString &userId) const
{
    const int at = indexOf(userId);
    return at < 0 ? nullptr : &m_rows.at(at);
}

QString SignupTableModel::userIdOfMail(const QString &outboxId) const
{
    for (const SignupOverviewRow &r : m_rows)
        if (r.mailId == outboxId && r.mailStatus != u"sent"_s)
            return r.account.id;
    return {};
}

bool SignupTableModel::awaitsMail() const
{
    return std::any_of(m_rows.cbegin(), m_rows.cend(), [](const SignupOverviewRow &r) {
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
    if (m_rows.isEmpty())
        return;
    const int first = m_offset;
    const int last = m_offset + int(m_rows.size()) - 1;
    emit dataChanged(index(first, SignedUp), index(last, SignedUp), {Qt::DisplayRole});
    emit dataChanged(index(first, Verification), index(last, Verification), {Qt::DisplayRole});
}

} // namespace sd::ui
