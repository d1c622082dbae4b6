#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <expected>

namespace sd::core {

// Every way a core operation can fail, in the domain's words. The HTTP adapter maps these (and
// its own, http/apierror.h: framing, sizes, JSON shape) to status codes and JSON in one place
// (http/errormapping.cpp); the console maps them to messages in one place.
enum class ErrorCode
{
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
    Conflict,
    Exists, // an account or a live invitation has the address (409 exists)
    Busy,
    Unavailable,         // the database does not answer
    InvalidConfirmation, // an unknown, used or expired OAuth confirmation (400)
    UnknownProvider,     // an OAuth provider we do not know (400)
    NotConfigured,       // a known OAuth provider without a client id (400)
    ProviderError,       // the OAuth provider answered with an error or nonsense (502)
    ProviderTimeout,     // the OAuth provider did not answer in oauth/timeout_seconds (504)
    InvalidCode,         // a wrong second-factor code of a signed-in user (400 invalid_code)
    InvalidLoginCode,    // a wrong second-factor code at POST /api/v1/login/mfa (401 invalid_code)
    MfaEnabled,          // enrolment while a second factor is on (409 mfa_enabled)
    Internal,
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString detail;                    // for logs only: never secrets, never shown to end users
    QMap<QString, QStringList> fields; // per-field messages for ErrorCode::Validation
    int retryAfterSeconds = 0;         // for RateLimited and Busy
};

template <typename T> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, QString detail = {})
{
    return std::unexpected(Error{code, std::move(detail), {}, 0});
}

} // namespace sd::core
