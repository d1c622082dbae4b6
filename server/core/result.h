#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <expected>

namespace sd::core {

// Every way a core operation can fail. The HTTP adapter maps these to status codes and JSON
// in one place (http/errormapping.cpp); the console maps them to messages in one place.
enum class ErrorCode {
    InvalidJson,
    InvalidBody,
    PayloadTooLarge,
    UnsupportedMediaType,
    Validation,
    SignupDisabled,
    RateLimited,
    InvalidToken,
    InvalidVerification,
    InvalidSignature,
    InvalidCredentials,
    NotVerified,
    PendingApproval,
    AccountDisabled,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Busy,
    Unavailable, // the database does not answer
    Internal,
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString detail;                  // for logs only: never secrets, never shown to end users
    QMap<QString, QStringList> fields; // per-field messages for ErrorCode::Validation
    int retryAfterSeconds = 0;       // for RateLimited and Busy
};

template<typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, QString detail = {})
{
    return std::unexpected(Error{code, std::move(detail), {}, 0});
}

} // namespace sd::core
