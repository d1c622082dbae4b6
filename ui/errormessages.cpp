#include "errormessages.h"

#include <QCoreApplication>

namespace sd::ui {

QString errorMessage(const core::Error &error)
{
    using core::ErrorCode;
    const auto tr = [](const char *text) { return QCoreApplication::translate("ErrorMessages", text); };
    switch (error.code) {
    case ErrorCode::NotFound:
        return tr("This signup no longer exists (it may have been rejected elsewhere).");
    case ErrorCode::Conflict:
        return tr("This signup changed in the meantime and cannot take this action any more.");
    case ErrorCode::Validation:
        return tr("Some required information is missing (for example the reason).");
    case ErrorCode::Unavailable:
        return tr("The database does not answer. Check the connection and try again.");
    case ErrorCode::Busy:
    case ErrorCode::RateLimited:
        return tr("The server is busy. Try again in a moment.");
    case ErrorCode::Forbidden:
    case ErrorCode::Unauthorized:
        return tr("This action is not allowed.");
    case ErrorCode::InvalidJson:
    case ErrorCode::InvalidBody:
    case ErrorCode::PayloadTooLarge:
    case ErrorCode::UnsupportedMediaType:
    case ErrorCode::SignupDisabled:
    case ErrorCode::InvalidToken:
    case ErrorCode::InvalidVerification:
    case ErrorCode::InvalidSignature:
    case ErrorCode::InvalidCredentials:
    case ErrorCode::NotVerified:
    case ErrorCode::PendingApproval:
    case ErrorCode::AccountDisabled:
    case ErrorCode::MethodNotAllowed:
    case ErrorCode::BadRequest:
    case ErrorCode::UriTooLong:
    case ErrorCode::HeaderFieldsTooLarge:
    case ErrorCode::InvalidConfirmation:
    case ErrorCode::UnknownProvider:
    case ErrorCode::NotConfigured:
    case ErrorCode::ProviderError:
    case ErrorCode::ProviderTimeout:
    case ErrorCode::Internal:
        break;
    }
    return tr("Something went wrong inside SignupDesk; the log has the details.");
}

} // namespace sd::ui
