#pragma once

#include "httpclient.h"

#include <QJsonObject>
#include <QString>

// The first-day requests most API and page tests start from, over real HTTP against a running
// server (TestServer with `returnConfirmToken` on, so the confirm token is in the answer).
// Failures are logged with the answer and surface in the test's own checks (empty ids).
namespace testflows {

inline const QString kPassword = QStringLiteral("correct battery staple horse");

// The body of POST /api/v1/signup; `extra` adds or overrides fields (display_name, language…).
QJsonObject signupBody(const QString &username, const QString &email,
                       const QString &password = kPassword, const QJsonObject &extra = {});

struct SignedUp
{
    HttpResult answer;
    QString userId;
    QString confirmToken;
};
// POST /api/v1/signup; warns unless it answered 201.
SignedUp signUp(quint16 port, const QJsonObject &body);
SignedUp signUp(quint16 port, const QString &username, const QString &email);

// POST /api/v1/signup/confirm with the confirm token; warns unless it answered 200.
HttpResult confirmSignup(quint16 port, const QString &confirmToken);

// Signs up <username>@example.com and confirms: the account is active, or pending approval
// when the server requires approval. Returns the user id.
QString confirmedUser(quint16 port, const QString &username, const QJsonObject &extra = {});

// POST /api/v1/login; the session token, or empty.
QString loginToken(quint16 port, const QString &username, const QString &password = kPassword);

} // namespace testflows
