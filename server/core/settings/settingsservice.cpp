#include "settings/settingsservice.h"

#include "audit/auditlog.h"
#include "context.h"
#include "sqlquery.h"
#include "transaction.h"

using namespace Qt::StringLiterals;

namespace sd::core {

std::shared_ptr<const LiveSettings> SettingsService::current() const
{
    return m_ctx.live.current();
}

Result<bool> SettingsService::refresh() const
{
    const quint64 seen = m_ctx.live.generation();
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db, u"SELECT key, value FROM settings"_s);
    if (!q)
        return dbFail(q.error());
    QHash<QString, QString> rows;
    while (q->next())
        rows.insert(q->value(0).toString(), q->value(1).toString());
    q->finish();
    const bool changed = m_ctx.live.replaceStored(rows, seen);
    if (changed)
        emit m_ctx.events.settingsChanged();
    return changed;
}

Result<LiveSettings> SettingsService::change(const QHash<QString, QString> &changes,
                                             const Actor &actor, const QString &auditAction) const
{
    const auto before = m_ctx.live.current();
    auto after = parseLiveSettings(*before, changes);
    if (!after)
        return std::unexpected(after.error());
    // Only what differs is written (in the canonical spelling), so the audit tells what changed.
    const QHash<QString, QString> old = before->values(), next = after->values();
    QHash<QString, QString> rows;
    QStringList described;
    for (const QString &key : LiveSettings::keys()) {
        if (changes.contains(key) && old.value(key) != next.value(key)) {
            rows.insert(key, next.value(key));
            described << key + u'=' + next.value(key); // live keys hold no secrets
        }
    }
    if (rows.isEmpty())
        return *before;

    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    for (auto it = rows.cbegin(); it != rows.cend(); ++it) {
        // ON CONFLICT … DO UPDATE: the same words in SQLite (3.24+) and PostgreSQL.
        auto r = store::runQuery(
            tx->db(),
            u"INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by"_s,
            {it.key(), it.value(), now, actor.name});
        if (!r)
            return dbFail(r.error());
    }
    if (auto r =
            auditlog::record(tx->db(), now, actor.name, auditAction, {}, described.join(u"; "_s));
        !r)
        return dbFail(r.error());
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    m_ctx.live.mergeStored(rows);
    emit m_ctx.events.settingsChanged();
    emit m_ctx.events.settingsSaved();
    return *m_ctx.live.current();
}

Result<LiveSettings> SettingsService::setSignupOpen(bool open, const Actor &actor) const
{
    return change({{u"signup/enabled"_s, open ? u"true"_s : u"false"_s}}, actor,
                  open ? u"signup.reopened"_s : u"signup.closed"_s);
}

Result<LiveSettings> SettingsService::setApprovalRequired(bool required, const Actor &actor) const
{
    return change({{u"signup/approval_required"_s, required ? u"true"_s : u"false"_s}}, actor,
                  required ? u"approval.forced"_s : u"approval.relaxed"_s);
}

} // namespace sd::core
