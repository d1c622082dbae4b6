#include "pendingdecisions.h"

#include <algorithm>

namespace sd::ui {

PendingDecisions::PendingDecisions(std::chrono::milliseconds window, QObject *parent)
    : QObject(parent), m_window(window)
{
    // Fine enough for a short window in tests, cheap for the 10 s default.
    m_timer.setInterval(int(std::clamp<qint64>(window.count() / 10, 10, 250)));
    connect(&m_timer, &QTimer::timeout, this, &PendingDecisions::tick);
}

void PendingDecisions::add(const QList<PendingDecision> &requests)
{
    for (const PendingDecision &r : requests) {
        if (contains(r.userId))
            continue;
        m_entries.append({r, QDeadlineTimer(m_window)});
    }
    if (!m_entries.isEmpty() && !m_timer.isActive())
        m_timer.start();
    emit changed();
}

bool PendingDecisions::contains(const QString &userId) const
{
    return std::any_of(m_entries.cbegin(), m_entries.cend(),
                       [&](const Entry &e) { return e.request.userId == userId; });
}

int PendingDecisions::secondsLeft(const QString &userId) const
{
    for (const Entry &e : m_entries)
        if (e.request.userId == userId)
            return int((e.deadline.remainingTime() + 999) / 1000);
    return -1;
}

int PendingDecisions::secondsLeft() const
{
    if (m_entries.isEmpty())
        return -1;
    qint64 soonest = m_entries.constFirst().deadline.remainingTime();
    for (const Entry &e : m_entries)
        soonest = std::min(soonest, e.deadline.remainingTime());
    return int((soonest + 999) / 1000);
}

QStringList PendingDecisions::usernames(PendingDecision::Kind kind) const
{
    QStringList names;
    for (const Entry &e : m_entries)
        if (e.request.kind == kind)
            names << e.request.username;
    return names;
}

std::optional<PendingDecision::Kind> PendingDecisions::kindOf(const QString &userId) const
{
    for (const Entry &e : m_entries)
        if (e.request.userId == userId)
            return e.request.kind;
    return std::nullopt;
}

QStringList PendingDecisions::userIds() const
{
    QStringList ids;
    for (const Entry &e : m_entries)
        ids << e.request.userId;
    return ids;
}

QStringList PendingDecisions::undoAll()
{
    const QStringList ids = userIds();
    m_entries.clear();
    m_timer.stop();
    emit changed();
    return ids;
}

QList<PendingDecision> PendingDecisions::takeAll()
{
    QList<PendingDecision> out;
    for (const Entry &e : std::as_const(m_entries))
        out << e.request;
    m_entries.clear();
    m_timer.stop();
    emit changed();
    return out;
}

void PendingDecisions::tick()
{
    QList<PendingDecision> dueNow;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->deadline.hasExpired()) {
            dueNow << it->request;
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    if (m_entries.isEmpty())
        m_timer.stop();
    if (!dueNow.isEmpty())
        emit due(dueNow);
    emit changed();
}

} // namespace sd::ui
