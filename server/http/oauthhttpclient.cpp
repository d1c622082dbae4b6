#include "oauthhttpclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <future>
#include <memory>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;
using sd::core::OAuthProvider;
using sd::core::ProviderIdentity;

namespace sd::http {

namespace {

using IdentityResult = core::Result<ProviderIdentity>;

constexpr qint64 kMaxAnswerBytes = 1024 * 1024;

QByteArray formBody(const QList<std::pair<QString, QString>> &items)
{
    QByteArray out;
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

std::unexpected<core::Error> providerError(const QString &detail)
{
    return core::fail(ErrorCode::ProviderError, detail);
}

// One code exchange, living in the client's thread: a chain of requests, a deadline, and a
// promise that is kept exactly once (by the last answer, the first failure or the deadline).
class Exchange : public QObject
{
public:
    Exchange(QObject *parent, QNetworkAccessManager *manager,
             std::shared_ptr<std::promise<IdentityResult>> promise, OAuthProvider provider,
             core::OAuthProviderSettings settings, QString code, QString verifier,
             QString redirectUri, std::chrono::milliseconds timeout)
        : QObject(parent), m_manager(manager), m_promise(std::move(promise)), m_provider(provider),
          m_settings(std::move(settings)), m_code(std::move(code)), m_verifier(std::move(verifier)),
          m_redirectUri(std::move(redirectUri))
    {
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this,
                [this] { finish(core::fail(ErrorCode::ProviderTimeout, u"no answer in time"_s)); });
        m_deadline.start(timeout);
    }

    ~Exchange() override
    {
        if (!m_done) { // the client is shutting down
            m_done = true;
            m_promise->set_value(core::fail(ErrorCode::ProviderError, u"client stopped"_s));
        }
    }

    void start()
    {
        QNetworkRequest request = baseRequest(m_settings.tokenUrl);
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          "application/x-www-form-urlencoded"_ba);
        const QByteArray body = formBody({{u"grant_type"_s, u"authorization_code"_s},
                                          {u"code"_s, m_code},
                                          {u"redirect_uri"_s, m_redirectUri},
                                          {u"client_id"_s, m_settings.clientId},
                                          {u"client_secret"_s, m_settings.clientSecret},
                                          {u"code_verifier"_s, m_verifier}});
        send(m_manager->post(request, body), u"token"_s, [this](const QJsonDocument &doc) {
            const QString token = doc.object().value(u"access_token"_s).toString();
            if (token.isEmpty()) // GitHub answers 200 with {"error": …} for a bad code
                return finish(providerError(u"token endpoint gave no access_token (error: "_s +
                                            doc.object().value(u"error"_s).toString().left(64) +
                                            u')'));
            m_accessToken = token.toLatin1();
            fetchUser();
        });
    }

private:
    QNetworkRequest baseRequest(const QString &url) const
    {
        QNetworkRequest request{QUrl(url)};
        request.setRawHeader("Accept", "application/json");
        request.setRawHeader("User-Agent", "SignupDesk"); // GitHub's API requires one
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        if (!m_accessToken.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + m_accessToken);
        return request;
    }

    void fetchUser()
    {
        send(m_manager->get(baseRequest(m_settings.userinfoUrl)), u"userinfo"_s,
             [this](const QJsonDocument &doc) {
                 if (!doc.isObject())
                     return finish(providerError(u"userinfo is not an object"_s));
                 const QJsonObject user = doc.object();
                 if (m_provider == OAuthProvider::Google) {
                     m_identity.providerUserId = user.value(u"sub"_s).toString();
                     m_identity.email = user.value(u"email"_s).toString();
                     const QJsonValue verified = user.value(u"email_verified"_s);
                     m_identity.emailVerified =
                         verified.isBool() ? verified.toBool() : verified.toString() == u"true"_s;
                     m_identity.displayName = user.value(u"name"_s).toString();
                     if (m_identity.providerUserId.isEmpty())
                         return finish(providerError(u"userinfo without sub"_s));
                     return finish(m_identity);
                 }
                 const QJsonValue id = user.value(u"id"_s);
                 if (!id.isDouble() || id.toDouble() < 1)
                     return finish(providerError(u"user without a numeric id"_s));
                 m_identity.providerUserId = QString::number(qint64(id.toDouble()));
                 m_identity.displayName = user.value(u"name"_s).toString();
                 if (m_identity.displayName.isEmpty())
                     m_identity.displayName = user.value(u"login"_s).toString();
                 fetchEmails();
             });
    }

    // GitHub: only the address that is primary and verified counts.
    void fetchEmails()
    {
        send(m_manager->get(baseRequest(m_settings.emailsUrl)), u"emails"_s,
             [this](const QJsonDocument &doc) {
                 if (!doc.isArray())
                     return finish(providerError(u"emails is not an array"_s));
                 for (const QJsonValue &entry : doc.array()) {
                     const QJsonObject e = entry.toObject();
                     if (e.value(u"primary"_s).toBool(false)) {
                         m_identity.email = e.value(u"email"_s).toString();
                         m_identity.emailVerified = e.value(u"verified"_s).toBool(false);
                     }
                 }
                 finish(m_identity);
             });
    }

    template <typename OnJson> void send(QNetworkReply *reply, const QString &step, OnJson onJson)
    {
        m_reply = reply;
        connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
            if (received > kMaxAnswerBytes)
                reply->abort();
        });
        connect(reply, &QNetworkReply::finished, this, [this, reply, step, onJson] {
            reply->deleteLater();
            if (m_done)
                return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status < 200 || status > 299) {
                return finish(providerError(u"%1: HTTP %2 (%3)"_s.arg(step).arg(status).arg(
                    status == 0 ? reply->errorString() : QString())));
            }
            const QByteArray bytes = reply->readAll();
            if (bytes.size() > kMaxAnswerBytes)
                return finish(providerError(step + u": answer too large"_s));
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
            if (error.error != QJsonParseError::NoError)
                return finish(providerError(step + u": not JSON"_s));
            onJson(doc);
        });
    }

    void finish(IdentityResult result)
    {
        if (m_done)
            return;
        m_done = true;
        m_deadline.stop();
        if (m_reply && m_reply->isRunning())
            m_reply->abort(); // its finished() sees m_done and does nothing
        m_promise->set_value(std::move(result));
        deleteLater();
    }

    QNetworkAccessManager *m_manager;
    std::shared_ptr<std::promise<IdentityResult>> m_promise;
    bool m_done = false;
    OAuthProvider m_provider;
    core::OAuthProviderSettings m_settings;
    QString m_code, m_verifier, m_redirectUri;
    QByteArray m_accessToken;
    ProviderIdentity m_identity;
    QTimer m_deadline;
    QPointer<QNetworkReply> m_reply;
};

} // namespace

NetworkOAuthClient::NetworkOAuthClient(std::chrono::milliseconds timeout) : m_timeout(timeout)
{
    m_thread.setObjectName(u"oauth-client"_s);
    m_home = new QObject;
    m_manager = new QNetworkAccessManager(m_home);
    m_home->moveToThread(&m_thread); // the manager moves with its parent, before any use
    QObject::connect(&m_thread, &QThread::finished, m_home, &QObject::deleteLater);
    m_thread.start();
}

NetworkOAuthClient::~NetworkOAuthClient()
{
    m_thread.quit();
    m_thread.wait(); // deletes m_home, its manager and any exchange still running
}

core::Result<ProviderIdentity>
NetworkOAuthClient::exchangeCode(OAuthProvider provider,
                                 const core::OAuthProviderSettings &settings, const QString &code,
                                 const QString &verifier, const QString &redirectUri)
{
    if (QThread::currentThread() == &m_thread)
        return core::fail(ErrorCode::Internal, u"exchangeCode called on the client's own thread"_s);
    auto promise = std::make_shared<std::promise<IdentityResult>>();
    std::future<IdentityResult> answer = promise->get_future();
    QNetworkAccessManager *manager = m_manager;
    QObject *home = m_home;
    const auto timeout = m_timeout;
    const bool posted = QMetaObject::invokeMethod(
        m_home,
        [home, manager, promise, provider, settings, code, verifier, redirectUri, timeout] {
            auto *exchange = new Exchange(home, manager, promise, provider, settings, code,
                                          verifier, redirectUri, timeout);
            exchange->start();
        },
        Qt::QueuedConnection);
    if (!posted)
        return core::fail(ErrorCode::ProviderError, u"client thread not running"_s);
    // The exchange keeps its own deadline; the margin only guards against a stuck thread.
    if (answer.wait_for(m_timeout + std::chrono::seconds(2)) != std::future_status::ready)
        return core::fail(ErrorCode::ProviderTimeout, u"client thread did not answer"_s);
    return answer.get();
}

} // namespace sd::http
