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
    // Account recovery and self-service (flows/recovery): a reset or a change by the user.
    void passwordChanged(const QString &userId);
    void emailChanged(const QString &userId);
    // Issue 14: the account's second factor was turned on or off (by the user or an admin).
    void secondFactorChanged(const QString &userId);
    // Some or all sessions of an account ended (logout, revocation, disable, deletion): every
    // instance forgets what its session cache holds for the account, so they stop at once.
    void sessionsEnded(const QString &userId);
    void userDisabled(const QString &userId);
    void userEnabled(const QString &userId);
    // The account is gone; the id is all that is left of it (in the audit log).
    void accountDeleted(const QString &userId);
    // An invitation made this account.
    void invitationAccepted(const QString &userId);
    // An invitation was made or revoked (the id is the invitation's).
    void invitationChanged(const QString &invitationId);
    // Other instances' events may have been lost (the link to them was down): reload.
    void remoteEventsMissed();
    // Accounts another process changed (on SQLite, seen by ExternalChanges; may include this
    // process' own changes): their rows reload.
    void accountsChanged(const QStringList &userIds);
    // The live settings changed (here, or another instance's change was read).
    void settingsChanged();
    // This instance stored a change of the live settings (sent to the other instances).
    void settingsSaved();
    // Another instance stored one: re-read them now (ClusterEvents emits it).
    void remoteSettingsSaved();
};

} // namespace sd::core
