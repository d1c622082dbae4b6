#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace sd::ui {

struct RejectRequest
{
    QString userId;
    QString reason;
};

// Console rejects wait out an undo window before they reach core (the HTTP admin API and
// the CLI reject at once). Counts down, and hands over what is due when the window ends.
class PendingRejects : public QObject
{
    Q_OBJECT
public:
    explicit PendingRejects(std::chrono::milliseconds window, QObject *parent = nullptr);

    std::chrono::milliseconds window() const { return m_window; }
    void add(const QList<RejectRequest> &requests);
    bool contains(const QString &userId) const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    int count() const { return int(m_entries.size()); }
    // Whole seconds left (rounded up) for one pending reject; -1 when it is not pending.
    int secondsLeft(const QString &userId) const;
    // The soonest deadline's seconds left, for the banner; -1 when none.
    int secondsLeft() const;
    QStringList userIds() const;

    // Cancels every pending reject; returns the user ids that were restored.
    QStringList undoAll();
    // Everything pending, now, without waiting (the window closes).
    QList<RejectRequest> takeAll();

signals:
    void due(const QList<sd::ui::RejectRequest> &requests);
    void changed(); // added, undone, due, or a second went by

private:
    void tick();

    struct Entry
    {
        RejectRequest request;
        QDeadlineTimer deadline;
    };
    std::chrono::milliseconds m_window;
    QList<Entry> m_entries;
    QTimer m_timer;
};

} // namespace sd::ui
