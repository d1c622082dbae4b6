#include "webhooksender.h"

#include "webhooks/webhooks.h"

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace sd::http {

WebhookSender::WebhookSender(core::CoreServices &core, QByteArray key, core::WebhookPolicy policy,
                             int timeoutMs, QObject *parent)
    : QObject(parent), m_core(core), m_key(std::move(key)), m_policy(policy),
      m_timeoutMs(timeoutMs), m_owner(QUuid::createUuid().toString(QUuid::Id128))
{
}

WebhookSender::~WebhookSender() = default;

void WebhookSender::start()
{
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, [this] { drainOnce(); });
    }
    m_timer->start(1000);
    QMetaObject::invokeMethod(
        this, [this] { drainOnce(); }, Qt::QueuedConnection);
}

void WebhookSender::wake()
{
    drainOnce();
}

int WebhookSender::drainOnce()
{
    if (m_draining || !m_network)
        return 0;
    m_draining = true;
    int done = 0;
    // One row claimed at a time: its lease covers one attempt (the timeout), never a batch's.
    core::WebhookPolicy one = m_policy;
    one.batchSize = 1;
    for (int round = 0; round < m_policy.batchSize; ++round) {
        auto claimed = m_core.webhooks().claimDue(m_owner, one);
        if (!claimed) {
            if (!m_databaseDown) // once per outage, not every second
                qWarning("webhooks: database unavailable: %s", qPrintable(claimed.error().detail));
            m_databaseDown = true;
            break;
        }
        m_databaseDown = false;
        if (claimed->isEmpty())
            break;
        const core::WebhookDelivery &delivery = claimed->first();
        const Answer answer = post(delivery);
        auto status =
            m_core.webhooks().finish(delivery, m_owner, m_policy, answer.status, answer.error);
        if (!status) {
            qWarning("webhooks: %s", qPrintable(status.error().detail));
            continue;
        }
        if (*status == u"delivered"_s) {
            ++done;
            emit delivered(delivery.id);
        } else {
            // Without user info or query: a URL may carry a receiver's credentials.
            const QString where =
                QUrl(delivery.url).adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toString();
            qWarning("webhooks: %s to %s failed (attempt %d): %s", qPrintable(delivery.eventType),
                     qPrintable(where), delivery.attempts + 1, qPrintable(answer.error));
            emit deliveryFailed(delivery.id, delivery.url, answer.error, *status == u"dead"_s);
        }
    }
    m_draining = false;
    return done;
}

WebhookSender::Answer WebhookSender::post(const core::WebhookDelivery &delivery)
{
    QNetworkRequest request{QUrl(delivery.url)};
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy); // a 3xx is an answer, not a hop
    request.setTransferTimeout(m_timeoutMs);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("SignupDesk-Webhooks"));
    const qint64 timestamp = m_core.clock().nowMs() / 1000;
    const QByteArray id = delivery.messageId.toLatin1();
    request.setRawHeader("webhook-id", id);
    request.setRawHeader("webhook-timestamp", QByteArray::number(timestamp));
    request.setRawHeader("webhook-signature",
                         core::webhookSignature(m_key, id, timestamp, delivery.payload));
    QNetworkReply *reply = m_network->post(request, delivery.payload);
    QEventLoop wait;
    connect(reply, &QNetworkReply::finished, &wait, &QEventLoop::quit);
    if (!reply->isFinished())
        wait.exec(QEventLoop::ExcludeUserInputEvents);
    Answer answer;
    if (!reply->isFinished()) { // the thread is stopping: no answer, try again later
        reply->abort();
        reply->deleteLater();
        answer.error = u"stopped before an answer"_s;
        return answer;
    }
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (answer.status >= 300 && answer.status < 400)
        answer.error = u"HTTP %1 (redirects are not followed)"_s.arg(answer.status);
    else if (answer.status >= 400) // the receiver's own answer: said as such, not as Qt words it
        answer.error = u"HTTP %1"_s.arg(answer.status);
    else if (reply->error() == QNetworkReply::OperationCanceledError ||
             reply->error() == QNetworkReply::TimeoutError)
        answer.error = u"no answer within %1 ms"_s.arg(m_timeoutMs);
    else if (reply->error() != QNetworkReply::NoError)
        answer.error = reply->errorString();
    else if (answer.status < 200 || answer.status >= 300)
        answer.error = u"HTTP %1"_s.arg(answer.status);
    if (!answer.error.isEmpty() && answer.status >= 200 && answer.status < 300)
        answer.status = 0; // a transfer that broke after a 2xx status line is no delivery
    reply->deleteLater();
    return answer;
}

} // namespace sd::http
