#include "errormapping.h"

#include "apilanguage.h"
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
    case ErrorCode::Validation:
        return {400, "validation", QT_TRANSLATE_NOOP("ApiErrors", "Some fields are not valid.")};
    case ErrorCode::SignupDisabled:
        return {403, "signup_disabled", QT_TRANSLATE_NOOP("ApiErrors", "Signing up is closed.")};
    case ErrorCode::RateLimited:
        return {429, "rate_limited",
                QT_TRANSLATE_NOOP("ApiErrors", "Too many requests. Try again later.")};
    case ErrorCode::InvalidToken:
        return {400, "invalid_token", QT_TRANSLATE_NOOP("ApiErrors", "This token is not valid.")};
    case ErrorCode::InvalidVerification:
        return {400, "invalid_verification",
                QT_TRANSLATE_NOOP("ApiErrors", "This verification link or code is not valid.")};
    case ErrorCode::InvalidSignature:
        return {400, "invalid_signature",
                QT_TRANSLATE_NOOP("ApiErrors", "This verification link is not valid.")};
    case ErrorCode::InvalidCredentials:
        return {401, "invalid_credentials",
                QT_TRANSLATE_NOOP("ApiErrors", "The username or password is wrong.")};
    case ErrorCode::NotVerified:
        return {403, "not_verified",
                QT_TRANSLATE_NOOP("ApiErrors", "Confirm your email address first.")};
    case ErrorCode::PendingApproval:
        return {403, "pending_approval",
                QT_TRANSLATE_NOOP("ApiErrors", "Your account is waiting for approval.")};
    case ErrorCode::AccountDisabled:
        return {403, "disabled", QT_TRANSLATE_NOOP("ApiErrors", "This account is disabled.")};
    case ErrorCode::Unauthorized:
        return {401, "unauthorized", QT_TRANSLATE_NOOP("ApiErrors", "Log in first.")};
    case ErrorCode::Forbidden:
        return {403, "forbidden", QT_TRANSLATE_NOOP("ApiErrors", "You may not do this.")};
    case ErrorCode::NotFound:
        return {404, "not_found", QT_TRANSLATE_NOOP("ApiErrors", "Not found.")};
    case ErrorCode::Conflict:
        return {409, "conflict",
                QT_TRANSLATE_NOOP("ApiErrors", "This is not possible in the current state.")};
    case ErrorCode::Exists:
        return {409, "exists",
                QT_TRANSLATE_NOOP("ApiErrors",
                                  "An account or an invitation already has this address.")};
    case ErrorCode::Busy:
        return {503, "busy",
                QT_TRANSLATE_NOOP("ApiErrors", "The server is busy. Try again shortly.")};
    case ErrorCode::Unavailable:
        return {503, "unavailable",
                QT_TRANSLATE_NOOP("ApiErrors", "The service is unavailable. Try again shortly.")};
    case ErrorCode::InvalidConfirmation:
        return {400, "invalid_confirmation",
                QT_TRANSLATE_NOOP("ApiErrors",
                                  "This sign-in confirmation is not valid. Sign in again.")};
    case ErrorCode::UnknownProvider:
        return {400, "unknown_provider",
                QT_TRANSLATE_NOOP("ApiErrors", "This sign-in provider is not supported.")};
    case ErrorCode::NotConfigured:
        return {400, "not_configured",
                QT_TRANSLATE_NOOP("ApiErrors", "Sign-in with this provider is not set up.")};
    case ErrorCode::ProviderError:
        return {502, "provider_error",
                QT_TRANSLATE_NOOP("ApiErrors", "The sign-in provider answered with an error.")};
    case ErrorCode::ProviderTimeout:
        return {504, "provider_timeout",
                QT_TRANSLATE_NOOP("ApiErrors", "The sign-in provider did not answer in time.")};
    case ErrorCode::InvalidCode:
    case ErrorCode::InvalidLoginCode:
        return {code == ErrorCode::InvalidCode ? 400 : 401, "invalid_code",
                QT_TRANSLATE_NOOP("ApiErrors", "This code is not valid.")};
    case ErrorCode::MfaEnabled:
        return {409, "mfa_enabled",
                QT_TRANSLATE_NOOP("ApiErrors", "A second factor is already on.")};
    case ErrorCode::Internal:
        return {500, "internal",
                QT_TRANSLATE_NOOP("ApiErrors", "Something went wrong on our side.")};
    }
    return {500, "internal", QT_TRANSLATE_NOOP("ApiErrors", "Something went wrong on our side.")};
}

Mapping mappingFor(HttpErrorCode code)
{
    switch (code) {
    case HttpErrorCode::BadRequest:
        return {400, "bad_request", QT_TRANSLATE_NOOP("ApiErrors", "The request is malformed.")};
    case HttpErrorCode::UriTooLong:
        return {414, "uri_too_long",
                QT_TRANSLATE_NOOP("ApiErrors", "The request URI is too long.")};
    case HttpErrorCode::HeaderFieldsTooLarge:
        return {431, "request_header_fields_too_large",
                QT_TRANSLATE_NOOP("ApiErrors", "The request headers are too large.")};
    case HttpErrorCode::PayloadTooLarge:
        return {413, "payload_too_large", QT_TRANSLATE_NOOP("ApiErrors", "The body is too large.")};
    case HttpErrorCode::UnsupportedMediaType:
        return {415, "unsupported_media_type",
                QT_TRANSLATE_NOOP("ApiErrors", "Send the body as application/json.")};
    case HttpErrorCode::MethodNotAllowed:
        return {405, "method_not_allowed",
                QT_TRANSLATE_NOOP("ApiErrors", "This method is not allowed here.")};
    case HttpErrorCode::InvalidJson:
        return {400, "invalid_json",
                QT_TRANSLATE_NOOP("ApiErrors", "The body is not a valid JSON object.")};
    case HttpErrorCode::InvalidBody:
        return {
            400, "invalid_body",
            QT_TRANSLATE_NOOP("ApiErrors", "A required field is missing or has the wrong type.")};
    }
    return {400, "bad_request", QT_TRANSLATE_NOOP("ApiErrors", "The request is malformed.")};
}

Mapping mappingFor(const ApiError &error)
{
    return error.http ? mappingFor(*error.http) : mappingFor(error.domain.code);
}

QString fieldMessage(const QString &key, const QString &language)
{
    static const QHash<QString, const char *> messages = {
        {u"required"_s, QT_TRANSLATE_NOOP("ApiFields", "This field is required.")},
        {u"invalid_format"_s, QT_TRANSLATE_NOOP("ApiFields", "This value has an invalid format.")},
        {u"reserved"_s, QT_TRANSLATE_NOOP("ApiFields", "This username is reserved.")},
        {u"taken"_s, QT_TRANSLATE_NOOP("ApiFields", "This value is already taken.")},
        {u"too_short"_s, QT_TRANSLATE_NOOP("ApiFields", "This value is too short.")},
        {u"too_long"_s, QT_TRANSLATE_NOOP("ApiFields", "This value is too long.")},
        {u"too_common"_s, QT_TRANSLATE_NOOP("ApiFields", "This password is too common.")},
        {u"contains_username_or_email"_s,
         QT_TRANSLATE_NOOP("ApiFields", "The password must not contain the username or email.")},
        {u"invalid_characters"_s,
         QT_TRANSLATE_NOOP("ApiFields", "This value contains invalid characters.")},
        {u"unknown_app"_s, QT_TRANSLATE_NOOP("ApiFields", "Unknown app.")},
        {u"must_contain_current_app"_s,
         QT_TRANSLATE_NOOP("ApiFields", "The app list must contain the current app.")},
        {u"unsupported"_s, QT_TRANSLATE_NOOP("ApiFields", "This value is not supported.")},
    };
    const char *text = messages.value(key);
    return text ? translate(language, "ApiFields", text) : key;
}

} // namespace

QString errorCodeName(const ApiError &error)
{
    return QString::fromLatin1(mappingFor(error).code);
}

int httpStatus(const ApiError &error)
{
    return mappingFor(error).status;
}

HttpResponse errorResponse(const ApiError &apiError, const QString &language)
{
    const Mapping m = mappingFor(apiError);
    const core::Error &error = apiError.domain;
    if (apiError.is(ErrorCode::Unavailable))
        qWarning("unavailable: %s", qPrintable(error.detail)); // the detail never holds secrets
    QJsonObject inner{{u"code"_s, QString::fromLatin1(m.code)},
                      {u"message"_s, translate(language, "ApiErrors", m.message)}};
    if (apiError.is(ErrorCode::Validation) && !error.fields.isEmpty()) {
        QJsonObject fields;
        for (auto it = error.fields.cbegin(); it != error.fields.cend(); ++it) {
            QJsonArray list;
            for (const QString &key : it.value())
                list.append(fieldMessage(key, language));
            fields.insert(it.key(), list);
        }
        inner.insert(u"fields"_s, fields);
    }
    if (apiError.is(ErrorCode::Internal)) {
        // An id to find the log line by; never the internals themselves.
        inner.insert(u"error_id"_s, error.detail.startsWith(u"err_"_s)
                                        ? error.detail.section(u' ', 0, 0)
                                        : core::crypto::newId(u"err_"));
    }
    HttpResponse r = HttpResponse::json(m.status, QJsonObject{{u"error"_s, inner}});
    addRetryAfter(r, apiError);
    return r;
}

void addRetryAfter(HttpResponse &response, const ApiError &error)
{
    if (error.is(ErrorCode::RateLimited) || error.is(ErrorCode::Busy) ||
        error.is(ErrorCode::Unavailable))
        response.headers.append(
            {"Retry-After", QByteArray::number(qMax(1, error.domain.retryAfterSeconds))});
}

} // namespace sd::http
