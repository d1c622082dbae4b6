#include "apiflows.h"

using namespace Qt::StringLiterals;

namespace testflows {

QJsonObject signupBody(const QString &username, const QString &email, const QString &password,
                       const QJsonObject &extra)
{
    QJsonObject body{{u"username"_s, username}, {u"password"_s, password}, {u"email"_s, email}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

SignedUp signUp(quint16 port, const QJsonObject &body)
{
    SignedUp out{postJson(port, "/api/v1/signup", body), {}, {}};
    if (out.answer.status != 201)
        qWarning("signup answered %d: %s", out.answer.status, out.answer.body.constData());
    out.userId = out.answer.json().value(u"user_id"_s).toString();
    out.confirmToken = out.answer.json().value(u"confirm_token"_s).toString();
    return out;
}

SignedUp signUp(quint16 port, const QString &username, const QString &email)
{
    return signUp(port, signupBody(username, email));
}

HttpResult confirmSignup(quint16 port, const QString &confirmToken)
{
    HttpResult r = postJson(port, "/api/v1/signup/confirm", {{u"confirm_token"_s, confirmToken}});
    if (r.status != 200)
        qWarning("confirm answered %d: %s", r.status, r.body.constData());
    return r;
}

QString confirmedUser(quint16 port, const QString &username, const QJsonObject &extra)
{
    const SignedUp s =
        signUp(port, signupBody(username, username + u"@example.com"_s, kPassword, extra));
    confirmSignup(port, s.confirmToken);
    return s.userId;
}

QString loginToken(quint16 port, const QString &username, const QString &password)
{
    const HttpResult r =
        postJson(port, "/api/v1/login", {{u"username"_s, username}, {u"password"_s, password}});
    if (r.status != 200)
        qWarning("login answered %d: %s", r.status, r.body.constData());
    return r.json().value(u"ust"_s).toString();
}

} // namespace testflows
