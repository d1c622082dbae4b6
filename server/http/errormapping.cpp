#include "http/errormapping.h"

#include "crypto/crypto.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;

namespace sd::http {

namespace {

struct Mapping
{
    int status;
    const char *code;
    const char *message;
};

Mapping mappingFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidJson: return {400, "invalid_json", "The body is not a valid JSON object."};
    case ErrorCode::InvalidBody: return {400, "invalid_body", "A required field is missing or has the wrong type."};
    case ErrorCode::PayloadTooLarge: return {413, "payload_too_large", "The body is too large."};
    case ErrorCode::UnsupportedMediaType: return {415, "unsupported_media_type", "Send the body as application/json."};
    case ErrorCode::Validation: return {400, "validation", "Some fields are not valid."};
    case ErrorCode::SignupDisabled: return {403, "signup_disabled", "Signing up is closed."};
    case ErrorCode::RateLimited: return {429, "rate_limited", "Too many requests. Try again later."};
    case ErrorCode::InvalidToken: return {400, "invalid_token", "This token is not valid."};
    case ErrorCode::InvalidVerification: return {400, "invalid_verification", "This verification link or code is not valid."};
    case ErrorCode::InvalidSignature: return {400, "invalid_signature", "This verification link is not valid."};
    case ErrorCode::InvalidCredentials: return {401, "invalid_credentials", "The username or password is wrong."};
    case ErrorCode::NotVerified: return {403, "not_verified", "Confirm your email address first."};
    case ErrorCode::PendingApproval: return {403, "pending_approval", "Your account is waiting for approval."};
    case ErrorCode::AccountDisabled: return {403, "account_disabled", "This account is disabled."};
    case ErrorCode::Unauthorized: return {401, "unauthorized", "Log in first."};
    case ErrorCode::Forbidden: return {403, "forbidden", "You may not do this."};
    case ErrorCode::NotFound: return {404, "not_found", "Not found."};
    case ErrorCode::MethodNotAllowed: return {405, "method_not_allowed", "This method is not allowed here."};
    case ErrorCode::Conflict: return {409, "conflict", "This is not possible in the current state."};
    case ErrorCode::Busy: return {503, "busy", "The server is busy. Try again shortly."};
    case ErrorCode::Unavailable: return {503, "unavailable", "The service is unavailable. Try again shortly."};
    case ErrorCode::Internal: return {500, "internal", "Something went wrong on our side."};
    }
    return {500, "internal", "Something went wrong on our side."};
}

QString fieldMessage(const QString &key)
{
    static const QHash<QString, QString> messages = {
        {u"required"_s, u"This field is required."_s},
        {u"invalid_format"_s, u"This value has an invalid format."_s},
        {u"reserved"_s, u"This username is reserved."_s},
        {u"taken"_s, u"This value is already taken."_s},
        {u"too_short"_s, u"This value is too short."_s},
        {u"too_long"_s, u"This value is too long."_s},
        {u"too_common"_s, u"This password is too common."_s},
        {u"contains_username_or_email"_s, u"The password must not contain the username or email."_s},
        {u"invalid_characters"_s, u"This value contains invalid characters."_s},
        {u"unknown_app"_s, u"Unknown app."_s},
        {u"must_contain_current_app"_s, u"The app list must contain the current app."_s},
        {u"unsupported"_s, u"This value is not supported."_s},
    };
    return messages.value(key, key);
}

} // namespace

QString errorCodeName(ErrorCode code)
{
    return QString::fromLatin1(mappingFor(code).code);
}

int httpStatus(ErrorCode code)
{
    return mappingFor(code).status;
}

HttpResponse errorResponse(const core::Error &error)
{
    const Mapping m = mappingFor(error.code);
    if (error.code == ErrorCode::Unavailable)
        qWarning("unavailable: %s", qPrintable(error.detail)); // the detail never holds secrets
    QJsonObject inner{{u"code"_s, QString::fromLatin1(m.code)},
                      {u"message"_s, QString::fromLatin1(m.message)}};
    if (error.code == ErrorCode::Validation && !error.fields.isEmpty()) {
        QJsonObject fields;
        for (auto it = error.fields.cbegin(); it != error.fields.cend(); ++it) {
            QJsonArray list;
            for (const QString &key : it.value())
                list.append(fieldMessage(key));
            fields.insert(it.key(), list);
        }
        inner.insert(u"fields"_s, fields);
    }
    if (error.code == ErrorCode::Internal) {
        // An id to find the log line by; never the internals themselves.
        inner.insert(u"error_id"_s, error.detail.startsWith(u"err_"_s) ? error.detail.section(u' ', 0, 0)
                                                                      : core::crypto::newId(u"err_"));
    }
    HttpResponse r = HttpResponse::json(m.status, QJsonObject{{u"error"_s, inner}});
    if (error.code == ErrorCode::RateLimited || error.code == ErrorCode::Busy ||
        error.code == ErrorCode::Unavailable)
        r.headers.append({"Retry-After", QByteArray::number(qMax(1, error.retryAfterSeconds))});
    return r;
}

} // namespace sd::http
