#pragma once

#include <QAbstractHttpServer>
#include <QHash>
#include <QJsonArray>
#include <QMutex>
#include <QThread>

// A GitHub- or Google-like OAuth 2 provider on loopback, speaking real HTTP in a thread of its
// own (the tests' HTTP client blocks the test thread):
//   GET  /authorize  checks response_type, client_id, redirect_uri, S256 and answers 302 to
//                    redirect_uri with ?code=…&state=… (or ?error=access_denied when denying);
//   POST /token      checks grant_type, client id and secret, redirect_uri and that
//                    BASE64URL(SHA256(code_verifier)) equals the challenge of the code; a code
//                    works once;
//   GET  /user, /userinfo, /emails  with the bearer token of a redeemed code.
class FakeProvider : public QAbstractHttpServer
{
public:
    enum class Flavor
    {
        GitHub,
        Google
    };
    enum class TokenMode
    {
        Normal,
        ServerError,
        Stall
    };

    struct User
    {
        QString id;    // GitHub: numeric text; Google: sub
        QString email; // Google: the email; GitHub: the primary address
        bool emailVerified = true;
        QString name;
        QJsonArray extraEmails; // GitHub: more entries of /user/emails
    };

    FakeProvider(Flavor flavor, QString clientId, QString clientSecret);
    ~FakeProvider() override;

    quint16 port() const { return m_port; }
    QString url(const QString &path) const;

    // What the next /authorize hands out a code for, and whether the user consents.
    void setUser(const User &user);
    void setDenyConsent(bool deny);
    void setTokenMode(TokenMode mode);
    int tokenRequests() const;
    QString lastVerifier() const; // the code_verifier of the last token request

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Grant
    {
        User user;
        QString challenge;
        QString redirectUri;
        bool used = false;
    };

    Flavor m_flavor;
    QString m_clientId, m_clientSecret;
    QThread m_thread;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    User m_user;
    bool m_deny = false;
    TokenMode m_tokenMode = TokenMode::Normal;
    int m_tokenRequests = 0;
    QString m_lastVerifier;
    QHash<QString, Grant> m_codes;       // code → grant
    QHash<QString, User> m_accessTokens; // access token → user
};
