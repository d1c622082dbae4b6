#pragma once

#include <QDeadlineTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <optional>

namespace sd::ui {

// A decision on a signup that waits out the undo window.
struct PendingDecision
{
    enum Kind
    {
        Approve, // sends the welcome email
        Reject,  // deletes the account, mails the reason
        Delete   // an active account deleted by an admin (the page per user), with a reason
    };
    QString userId;
    QString reason; // rejects: sent to the applicant; deletions: audited
    Kind kind = Reject;
    QString username; // for the banner
};

// The console's decisions on signups (approve, reject) wait out an undo window before they
// reach core (the HTTP admin API and the CLI act at once): the console's rule for actions that
// change accounts, see docs/CONSOLE.md. Counts down, and hands over what is due when the
// window ends.
class PendingDecisions : public QObject
{
    Q_OBJECT
public:
    explicit PendingDecisions(std::chrono::milliseconds window, QObject *parent = nullptr);

    std::chrono::milliseconds window() const { return m_window; }
    void add(const QList<PendingDecision> &requests);
    bool contains(const QString &userId) const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    int count() const { return int(m_entries.size()); }
    // The usernames waiting for this kind of decision, in the order they were added.
    QStringList usernames(PendingDecision::Kind kind) const;
    // The kind of decision waiting for this account (nullopt: none).
    std::optional<PendingDecision::Kind> kindOf(const QString &userId) const;
    // Whole seconds left (rounded up) for one pending reject; -1 when it is not pending.
    int secondsLeft(const QString &userId) const;
    // The soonest deadline's seconds left, for the banner; -1 when none.
    int secondsLeft() const;
    QStringList userIds() const;

    // Cancels every pending reject; returns the user ids that were restored.
    QStringList undoAll();
    // Everything pending, now, without waiting (the window closes).
    QList<PendingDecision> takeAll();

signals:
    void due(const QList<sd::ui::PendingDecision> &requests);
    void changed(); // added, undone, due, or a second went by

private:
    void tick();

    struct Entry
    {
        PendingDecision request;
        QDeadlineTimer deadline;
    };
    std::chrono::milliseconds m_window;
    QList<Entry> m_entries;
    QTimer m_timer;
};

} // namespace sd::ui
