#include "webhooks.h"

#include "context.h"
#include "crypto/crypto.h"
#include "sqlquery.h"
#include "vocabulary.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace sd::core {

QStringList webhookEventTypes()
{
    using namespace webhookevent;
    return {QString::fromUtf16(Registered),      QString::fromUtf16(EmailVerified),
            QString::fromUtf16(Activated),       QString::fromUtf16(Rejected),
            QString::fromUtf16(Disabled),        QString::fromUtf16(Deleted),
            QString::fromUtf16(PasswordChanged), QString::fromUtf16(EmailChanged)};
}

QJsonObject userObject(const Account &a)
{
    return QJsonObject{
        {u"user_id"_s, a.id},
        {u"username"_s, a.username},
        {u"email"_s, a.email},
        {u"display_name"_s, a.displayName},
        {u"verified_email"_s, a.verifiedEmail},
        {u"status"_s, toString(a.status)},
        {u"apps"_s, QJsonArray::fromStringList(a.apps)},
        {u"groups"_s, QJsonArray::fromStringList(a.groups)},
        {u"sign_up_time"_s,
         QDateTime::fromMSecsSinceEpoch(a.signUpTimeMs, Qt::UTC).toString(Qt::ISODate)},
        {u"tos_accepted_version"_s, a.tosAcceptedVersion},
        {u"mfa"_s, a.mfaEnabled}};
}

QJsonObject userSummary(const Account &a)
{
    return QJsonObject{{u"user_id"_s, a.id}, {u"username"_s, a.username}, {u"email"_s, a.email}};
}

QByteArray webhookSignature(const QByteArray &key, const QByteArray &messageId,
                            qint64 timestampSeconds, const QByteArray &body)
{
    const QByteArray signedContent =
        messageId + '.' + QByteArray::number(timestampSeconds) + '.' + body;
    return "v1," + crypto::hmacSha256(key, signedContent).toBase64();
}

Result<QByteArray> webhookKey(const QString &secret)
{
    if (!secret.startsWith(u"whsec_"_s))
        return fail(ErrorCode::Validation, u"webhooks/secret: expected whsec_<base64>"_s);
    const auto decoded = QByteArray::fromBase64Encoding(secret.mid(6).toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < 16)
        return fail(ErrorCode::Validation,
                    u"webhooks/secret: whsec_ must be followed by base64 of at least 16 bytes"_s);
    return decoded.decoded;
}

Result<void> queueWebhookEvent(const Context &ctx, const QSqlDatabase &db, QStringView type,
                               const QJsonObject &data, WebhookFilter filter)
{
    const Config &cfg = ctx.config;
    if (cfg.webhookUrls.isEmpty() ||
        (filter == WebhookFilter::Configured && !cfg.webhookEvents.isEmpty() &&
         !cfg.webhookEvents.contains(type)))
        return {};
    const qint64 now = ctx.clock.nowMs();
    const QByteArray payload =
        QJsonDocument(
            QJsonObject{{u"type"_s, type.toString()},
                        {u"timestamp"_s,
                         QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).toString(Qt::ISODateWithMs)},
                        {u"data"_s, data}})
            .toJson(QJsonDocument::Compact);
    // One id per event (the webhook-id of every attempt to every URL).
    const QString messageId = crypto::newId(u"msg_");
    for (const QString &url : cfg.webhookUrls) {
        auto r = store::runQuery(
            db,
            u"INSERT INTO webhook_deliveries (id, message_id, event_type, url, payload, status,"
            " attempts, created_at, next_attempt_at, seq) VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?,"
            " (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhook_deliveries))"_s,
            {crypto::newId(u"whd_"), messageId, type.toString(), url, QString::fromUtf8(payload),
             now, now});
        if (!r)
            return dbFail(r.error());
    }
    return {};
}

} // namespace sd::core
