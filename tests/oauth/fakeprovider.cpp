#include "fakeprovider.h"

#include <QCryptographicHash>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace {

QString randomText()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void writeJson(QHttpServerResponder &responder, int status, const QJsonDocument &doc)
{
    responder.write(doc, static_cast<QHttpServerResponder::StatusCode>(status));
}

} // namespace

FakeProvider::FakeProvider(Flavor flavor, QString clientId, QString clientSecret)
    : m_flavor(flavor), m_clientId(std::move(clientId)), m_clientSecret(std::move(clientSecret))
{
    auto *tcp = new QTcpServer(this);
    if (tcp->listen(QHostAddress::LocalHost, 0))
        m_port = tcp->serverPort();
    bind(tcp);
    m_thread.setObjectName(u"fake-provider"_s);
    moveToThread(&m_thread);
    m_thread.start();
}

FakeProvider::~FakeProvider()
{
    // Sockets and the listener die in the provider's thread.
    QThread *home = QThread::currentThread();
    QMetaObject::invokeMethod(
        this,
        [this, home] {
            const QObjectList owned = children();
            qDeleteAll(owned);
            moveToThread(home); // only the object's own thread may push it away
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString FakeProvider::url(const QString &path) const
{
    return u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path);
}

void FakeProvider::setUser(const User &user)
{
    QMutexLocker lock(&m_mutex);
    m_user = user;
}

void FakeProvider::setDenyConsent(bool deny)
{
    QMutexLocker lock(&m_mutex);
    m_deny = deny;
}

void FakeProvider::setTokenMode(TokenMode mode)
{
    QMutexLocker lock(&m_mutex);
    m_tokenMode = mode;
}

int FakeProvider::tokenRequests() const
{
    QMutexLocker lock(&m_mutex);
    return m_tokenRequests;
}

QString FakeProvider::lastVerifier() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastVerifier;
}

bool FakeProvider::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QMutexLocker lock(&m_mutex);
    const QString path = request.url().path();
    const QUrlQuery query(request.url());

    if (path == u"/authorize"_s && request.method() == QHttpServerRequest::Method::Get) {
        QHttpServerResponder responder = makeResponder(request, socket);
        const QString redirectUri = query.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded);
        if (query.queryItemValue(u"response_type"_s) != u"code"_s ||
            query.queryItemValue(u"client_id"_s, QUrl::FullyDecoded) != m_clientId ||
            query.queryItemValue(u"code_challenge_method"_s) != u"S256"_s ||
            query.queryItemValue(u"code_challenge"_s).size() != 43 || redirectUri.isEmpty()) {
            writeJson(responder, 400,
                      QJsonDocument(QJsonObject{{u"error"_s, u"invalid_request"_s}}));
            return true;
        }
        QUrlQuery back;
        if (m_deny) {
            back.addQueryItem(u"error"_s, u"access_denied"_s);
        } else {
            const QString code = randomText();
            m_codes.insert(
                code, Grant{m_user, query.queryItemValue(u"code_challenge"_s), redirectUri, false});
            back.addQueryItem(u"code"_s, code);
        }
        back.addQueryItem(u"state"_s, query.queryItemValue(u"state"_s, QUrl::FullyDecoded));
        QUrl location(redirectUri);
        location.setQuery(back);
        responder.write(QHttpServerResponder::HeaderList{{"Location", location.toEncoded()}},
                        QHttpServerResponder::StatusCode::Found);
        return true;
    }

    if (path == u"/token"_s && request.method() == QHttpServerRequest::Method::Post) {
        ++m_tokenRequests;
        if (m_tokenMode == TokenMode::Stall)
            return true; // never answers; the client's deadline must end it
        QHttpServerResponder responder = makeResponder(request, socket);
        if (m_tokenMode == TokenMode::ServerError) {
            responder.write("oops", "text/plain",
                            QHttpServerResponder::StatusCode::InternalServerError);
            return true;
        }
        const QUrlQuery form(QString::fromUtf8(request.body()).replace(u'+', u' '));
        const auto field = [&](const QString &name) {
            return form.queryItemValue(name, QUrl::FullyDecoded);
        };
        m_lastVerifier = field(u"code_verifier"_s);
        auto grant = m_codes.find(field(u"code"_s));
        const QString challenge = QString::fromLatin1(
            QCryptographicHash::hash(m_lastVerifier.toLatin1(), QCryptographicHash::Sha256)
                .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        if (field(u"grant_type"_s) != u"authorization_code"_s ||
            field(u"client_id"_s) != m_clientId || field(u"client_secret"_s) != m_clientSecret ||
            grant == m_codes.end() || grant->used ||
            grant->redirectUri != field(u"redirect_uri"_s) || grant->challenge != challenge) {
            writeJson(responder, 400, QJsonDocument(QJsonObject{{u"error"_s, u"invalid_grant"_s}}));
            return true;
        }
        grant->used = true;
        const QString token = randomText();
        m_accessTokens.insert(token, grant->user);
        writeJson(
            responder, 200,
            QJsonDocument(QJsonObject{{u"access_token"_s, token}, {u"token_type"_s, u"bearer"_s}}));
        return true;
    }

    QHttpServerResponder responder = makeResponder(request, socket);
    const QByteArray auth = request.value("Authorization");
    const auto user = m_accessTokens.constFind(QString::fromLatin1(auth.mid(7)));
    if (!auth.startsWith("Bearer ") || user == m_accessTokens.cend()) {
        writeJson(responder, 401, QJsonDocument(QJsonObject{{u"message"_s, u"Bad credentials"_s}}));
        return true;
    }
    if (m_flavor == Flavor::Google && path == u"/userinfo"_s) {
        writeJson(responder, 200,
                  QJsonDocument(QJsonObject{{u"sub"_s, user->id},
                                            {u"email"_s, user->email},
                                            {u"email_verified"_s, user->emailVerified},
                                            {u"name"_s, user->name}}));
        return true;
    }
    if (m_flavor == Flavor::GitHub && path == u"/user"_s) {
        writeJson(responder, 200,
                  QJsonDocument(QJsonObject{{u"id"_s, user->id.toLongLong()},
                                            {u"login"_s, user->name.toLower()},
                                            {u"name"_s, user->name},
                                            {u"email"_s, QJsonValue::Null}}));
        return true;
    }
    if (m_flavor == Flavor::GitHub && path == u"/emails"_s) {
        QJsonArray emails = user->extraEmails;
        emails.append(QJsonObject{{u"email"_s, user->email},
                                  {u"primary"_s, true},
                                  {u"verified"_s, user->emailVerified},
                                  {u"visibility"_s, u"public"_s}});
        writeJson(responder, 200, QJsonDocument(emails));
        return true;
    }
    writeJson(responder, 404, QJsonDocument(QJsonObject{{u"message"_s, u"Not Found"_s}}));
    return true;
}

void FakeProvider::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}
