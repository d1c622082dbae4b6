#pragma once

#include "accounts/account.h"
#include "result.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace sd::core {

struct Context;

// API.md "Webhooks": the event types of the contract.
namespace webhookevent {
inline constexpr char16_t Registered[] = u"user.registered";
inline constexpr char16_t EmailVerified[] = u"user.email_verified";
inline constexpr char16_t Activated[] = u"user.activated";
inline constexpr char16_t Rejected[] = u"user.rejected";
inline constexpr char16_t Disabled[] = u"user.disabled";
inline constexpr char16_t Deleted[] = u"user.deleted";
inline constexpr char16_t PasswordChanged[] = u"user.password_changed";
inline constexpr char16_t EmailChanged[] = u"user.email_changed";
} // namespace webhookevent
QStringList webhookEventTypes();

// THE one call a flow makes to announce an event: inside its open transaction (`db` is the
// transaction's connection), one delivery per webhooks/urls entry is queued, so the event is
// sent if and only if the change commits, and a crash after the commit loses none. Nothing
// happens without URLs or when webhooks/events leaves `type` out. The sender (server/http
// WebhookSender, woken by the flow's own Events signal after the commit, and polling every
// second) does the network part.
enum class WebhookFilter
{
    Configured, // webhooks/events
    None,       // the console's test event
};
Result<void> queueWebhookEvent(const Context &ctx, const QSqlDatabase &db, QStringView type,
                               const QJsonObject &data,
                               WebhookFilter filter = WebhookFilter::Configured);

// The user object of API.md (also the JSON API's), the data of most events.
QJsonObject userObject(const Account &account);
// The data of user.rejected, user.disabled, user.deleted (plus `reason` for rejected).
QJsonObject userSummary(const Account &account);

// Standard Webhooks signing: "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body)).
QByteArray webhookSignature(const QByteArray &key, const QByteArray &messageId,
                            qint64 timestampSeconds, const QByteArray &body);
// The key of webhooks/secret ("whsec_" + base64 of at least 16 bytes), or an error saying why.
Result<QByteArray> webhookKey(const QString &secret);

} // namespace sd::core
