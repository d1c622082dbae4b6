#include "consoletablemodels.h"

#include "auditdetails.h"

#include "auditwords.h"

#include "signuptablemodel.h"

#include <QBrush>
#include <QDateTime>
#include <QLocale>

#include <optional>

using namespace Qt::StringLiterals;

namespace sd::ui {

QString localTime(qint64 atMs)
{
    if (atMs == 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(atMs).toLocalTime(),
                              QLocale::ShortFormat);
}

namespace {

QVariant foreground(bool warn)
{
    return warn ? QVariant(QBrush(QColor(0xb0, 0x2a, 0x1e))) : QVariant();
}

} // namespace

// ---- Users

UserTableModel::UserTableModel(ConsoleBackend *backend, core::CoreServices &core, QObject *parent)
    : PagedTableModel(backend, parent), m_core(core)
{
    const core::Clock *clock = &core.clock();
    m_nowMs = [clock] { return clock->nowMs(); };
}

UserTableModel::Job UserTableModel::job(const core::UserQuery &query, int offset, int limit,
                                        int countAhead, bool /*refresh*/) const
{
    core::CoreServices *core = &m_core;
    return [core, query, offset, limit, countAhead] {
        return std::pair{core->userAdmin().page(query, offset, limit, countAhead),
                         std::monostate{}};
    };
}

bool UserTableModel::sameRow(const core::UserRow &a, const core::UserRow &b) const
{
    return a.id == b.id && a.username == b.username && a.email == b.email &&
           a.displayName == b.displayName && a.status == b.status &&
           a.isSuperuser == b.isSuperuser && a.signUpTimeMs == b.signUpTimeMs &&
           a.liveSessions == b.liveSessions && a.groups == b.groups &&
           a.lastLoginMs == b.lastLoginMs && a.mfaEnabled == b.mfaEnabled;
}

namespace {

// The database's order for each column of the Users tab; none where no index is behind it.
using UserOrder = std::optional<core::UserQuery::Order>;
constexpr UserOrder kUserOrders[UserTableModel::ColumnCount] = {core::UserQuery::Order::Username,
                                                                core::UserQuery::Order::Email,
                                                                core::UserQuery::Order::DisplayName,
                                                                core::UserQuery::Order::Status,
                                                                std::nullopt /* role */,
                                                                std::nullopt /* groups */,
                                                                core::UserQuery::Order::SignedUp,
                                                                core::UserQuery::Order::LastLogin,
                                                                std::nullopt /* sessions */,
                                                                std::nullopt /* second factor */};

} // namespace

bool UserTableModel::isSortable(int column)
{
    return column >= 0 && column < ColumnCount && kUserOrders[column].has_value();
}

void UserTableModel::sort(int column, Qt::SortOrder order)
{
    if (!isSortable(column))
        return; // no index behind it: a million rows are not sorted on every page
    core::UserQuery query = this->query();
    query.order = *kUserOrders[column];
    query.descending = order == Qt::DescendingOrder;
    setQuery(query);
}

void UserTableModel::refreshTimes()
{
    repaintColumns(SignedUp, LastLogin);
}

int UserTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserTableModel::data(const QModelIndex &index, int role) const
{
    const core::UserRow *r = held(index, role);
    if (!r)
        return {};
    // Times show as "3 d ago" (narrow: the tab fits 1400 px), the date in the tooltip.
    const auto when = [this, role](qint64 atMs, const QString &none) -> QVariant {
        if (atMs == 0)
            return none;
        const QString ago = SignupTableModel::relativeTime(atMs, m_nowMs());
        return role == Qt::ToolTipRole ? QVariant(tr("%1 (%2)").arg(localTime(atMs), ago))
                                       : QVariant(ago);
    };
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Username:
            return r->username;
        case Email:
            return r->email;
        case DisplayName:
            return r->displayName;
        case Status:
            return SignupTableModel::statusText(r->status);
        case Role:
            return r->isSuperuser ? tr("Super-user") : tr("User");
        case Groups:
            return r->groups.join(u", "_s);
        case SignedUp:
            return when(r->signUpTimeMs, {});
        case LastLogin:
            return when(r->lastLoginMs, tr("never"));
        case Sessions:
            return r->liveSessions;
        case SecondFactor:
            return r->mfaEnabled ? tr("On") : tr("Off");
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Sessions)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (index.column() == Status)
            return foreground(r->status == core::AccountStatus::Disabled);
        break;
    case KeyRole:
        return r->id;
    case RowStatusRole:
        return core::toString(r->status);
    }
    return {};
}

QVariant UserTableModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case Status:
        return tr("Status");
    case Role:
        return tr("Role");
    case Groups:
        return tr("Groups");
    case SignedUp:
        return tr("Signed up");
    case LastLogin:
        return tr("Last login");
    case Sessions:
        return tr("Sessions");
    case SecondFactor:
        return tr("Second factor");
    }
    return {};
}

// ---- Outbox

OutboxTableModel::OutboxTableModel(std::function<qint64()> nowMs, QObject *parent)
    : RowTableModel(parent), m_nowMs(std::move(nowMs))
{
}

int OutboxTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool OutboxTableModel::canRetry(const QString &status)
{
    return status == u"dead"_s || status == u"queued"_s || status == u"held"_s;
}

bool OutboxTableModel::canHold(const QString &status)
{
    return status == u"queued"_s;
}

QString OutboxTableModel::kindText(const QString &kind)
{
    if (kind == u"verification"_s || kind == u"verification_signed"_s ||
        kind == u"signed_verification"_s)
        return tr("Verification");
    if (kind == u"already_registered"_s)
        return tr("Already registered");
    if (kind == u"welcome"_s)
        return tr("Welcome");
    if (kind == u"rejection"_s)
        return tr("Rejection");
    if (kind == u"login_link"_s)
        return tr("Login link");
    // Issue 13: recovery, self-service and invitations.
    if (kind == u"password_reset"_s)
        return tr("Password reset");
    if (kind == u"password_changed"_s)
        return tr("Password changed");
    if (kind == u"email_change"_s)
        return tr("Email change");
    if (kind == u"email_change_notice"_s)
        return tr("Email change notice");
    if (kind == u"goodbye"_s)
        return tr("Goodbye");
    if (kind == u"invitation"_s)
        return tr("Invitation");
    // Issue 14: the second factor's notices.
    if (kind == u"mfa_enabled"_s)
        return tr("Second factor turned on");
    if (kind == u"mfa_disabled"_s)
        return tr("Second factor turned off");
    if (kind == u"mfa_reset"_s)
        return tr("Second factor reset");
    if (kind == u"mfa_recovery_codes"_s)
        return tr("New recovery codes");
    if (kind == u"mfa_recovery_code_used"_s)
        return tr("Recovery code used");
    return kind;
}

QString OutboxTableModel::statusText(const core::OutboxEntry &e, qint64 nowMs)
{
    if (e.status == u"queued"_s) {
        if (e.attempts > 0)
            return tr("Queued, retry %1")
                .arg(SignupTableModel::relativeTime(e.nextAttemptAt, nowMs));
        return tr("Queued");
    }
    if (e.status == u"processing"_s)
        return tr("Sending");
    if (e.status == u"sent"_s)
        return tr("Sent %1").arg(SignupTableModel::relativeTime(e.sentAt, nowMs));
    if (e.status == u"dead"_s)
        return tr("Failed for good");
    if (e.status == u"held"_s)
        return tr("Held");
    return e.status;
}

QString OutboxTableModel::preview(const core::OutboxEntry &e, qint64 nowMs)
{
    QStringList lines;
    lines << tr("To: %1").arg(e.to) << tr("From: %1").arg(e.from)
          << tr("Subject: %1").arg(e.subject)
          << tr("Kind: %1, queued %2").arg(kindText(e.kind), localTime(e.createdAt))
          << tr("Status: %1, %n attempt(s)", nullptr, e.attempts).arg(statusText(e, nowMs));
    if (!e.serverReply.isEmpty())
        lines << tr("Server's reply: %1").arg(e.serverReply);
    if (!e.lastError.isEmpty())
        lines << tr("Last error: %1").arg(e.lastError);
    lines << QString();
    // The text with its tokens and codes masked by core; the body itself is never shown.
    if (!e.preview.isEmpty())
        lines << e.preview.trimmed();
    else if (e.status == u"sent"_s)
        lines << tr("The body was redacted after sending: it held a link with a token.");
    else
        lines << tr("The body holds a link with a live token, so the console does not show it; "
                    "it is redacted once the email is sent.");
    return lines.join(u'\n');
}

QVariant OutboxTableModel::data(const QModelIndex &index, int role) const
{
    const core::OutboxEntry *e = rowAt(index.row());
    if (!e || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Created:
            return localTime(e->createdAt);
        case Kind:
            return kindText(e->kind);
        case Recipient:
            return e->to;
        case Subject:
            return e->subject;
        case Status:
            return statusText(*e, m_nowMs());
        case Attempts:
            return e->attempts;
        case LastError:
            return e->lastError;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Attempts)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (index.column() == Status || index.column() == LastError)
            return foreground(e->status == u"dead"_s);
        break;
    case KeyRole:
        return e->id;
    case RowStatusRole:
        return e->status;
    case RowSortRole:
        switch (index.column()) {
        case Created:
            return e->createdAt;
        case Attempts:
            return e->attempts;
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    return {};
}

QVariant OutboxTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Created:
        return tr("Queued", "column header: when the email was queued");
    case Kind:
        return tr("Kind");
    case Recipient:
        return tr("Recipient");
    case Subject:
        return tr("Subject");
    case Status:
        return tr("Status");
    case Attempts:
        return tr("Attempts");
    case LastError:
        return tr("Last error");
    }
    return {};
}

// ---- Audit log

int AuditTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTableModel::data(const QModelIndex &index, int role) const
{
    const core::AuditEntry *e = rowAt(index.row());
    if (!e || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return localTime(e->atMs);
        case Actor:
            return actorText(e->actor);
        case Action:
            return AuditWords::action(e->action);
        case Subject:
            return subjectText(e->subjectId);
        case Detail:
            return AuditDetails::text(e->detail);
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Time:
            return localTime(e->atMs);
        case Actor:
            return e->actor;
        case Action:
            return e->action;
        case Subject:
            return e->subjectId;
        case Detail:
            return e->detail;
        }
        break;
    case KeyRole:
        return e->id;
    case RowStatusRole:
        return e->action;
    case RowSortRole:
        if (index.column() == Time)
            return e->atMs;
        return data(index, Qt::DisplayRole).toString().toLower();
    }
    return {};
}

void AuditTableModel::setUserNames(QHash<QString, QString> names)
{
    m_names = std::move(names);
    if (rowCount() > 0)
        emit dataChanged(index(0, Actor), index(rowCount() - 1, Subject));
}

QString AuditTableModel::actorText(const QString &actor) const
{
    return AuditWords::actor(actor, m_names);
}

QString AuditTableModel::subjectText(const QString &subjectId) const
{
    return m_names.value(subjectId, subjectId);
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Actor:
        return tr("Actor");
    case Action:
        return tr("Action");
    case Subject:
        return tr("Subject");
    case Detail:
        return tr("Detail");
    }
    return {};
}

// ---- Linked identities

int IdentityTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString IdentityTableModel::providerText(const QString &provider)
{
    if (provider == u"github"_s)
        return tr("GitHub");
    if (provider == u"google"_s)
        return tr("Google");
    return provider;
}

QVariant IdentityTableModel::data(const QModelIndex &index, int role) const
{
    const core::OAuthIdentityRow *r = rowAt(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Provider:
            return providerText(r->provider);
        case Email:
            return r->email;
        case LinkedSince:
            // The date fits the narrow pane; the tooltip has the time too.
            return role == Qt::ToolTipRole
                       ? localTime(r->createdAt)
                       : QLocale().toString(
                             QDateTime::fromMSecsSinceEpoch(r->createdAt).toLocalTime().date(),
                             QLocale::ShortFormat);
        }
        break;
    case KeyRole:
        return r->id;
    case RowStatusRole:
        return r->provider;
    case RowSortRole:
        if (index.column() == LinkedSince)
            return r->createdAt;
        return data(index, Qt::DisplayRole).toString().toLower();
    }
    return {};
}

QVariant IdentityTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Provider:
        return tr("Provider");
    case Email:
        return tr("Provider email");
    case LinkedSince:
        return tr("Linked since");
    }
    return {};
}

} // namespace sd::ui
