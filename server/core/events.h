#pragma once

#include <QObject>
#include <QStringList>

namespace sd::core {

// What core tells the world. Emitted from worker threads; receivers (the console, the outbox
// sender) connect with queued connections. With PostgreSQL, ClusterEvents also emits here what
// other instances sharing the database did, so receivers need not care where it happened.
class Events : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

signals:
    void signupCreated(const QString &userId);
    void emailVerified(const QString &userId);
    void signupApproved(const QString &userId);
    void signupRejected(const QString &userId);
    void mailQueued();
    void userLoggedIn(const QString &userId);
    // Other instances' events may have been lost (the link to them was down): reload.
    void remoteEventsMissed();
    // Accounts another process changed (on SQLite, seen by ExternalChanges; may include this
    // process' own changes): their rows reload.
    void accountsChanged(const QStringList &userIds);
    // The live settings changed (here, or another instance's change was read).
    void settingsChanged();
};

} // namespace sd::core
