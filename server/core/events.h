#pragma once

#include <QObject>

namespace sd::core {

// What core tells the world. Emitted from worker threads; receivers (the console, the outbox
// sender) connect with queued connections.
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
};

} // namespace sd::core
