#include "errormessages.h"

#include <QCoreApplication>

namespace sd::ui {

QString errorMessage(const core::Error &error)
{
    using core::ErrorCode;
    // QT_TRANSLATE_NOOP marks each text for lupdate under the context used here at run time.
    const auto text = [](const char *source) {
        return QCoreApplication::translate("ErrorMessages", source);
    };
    switch (error.code) {
    case ErrorCode::NotFound:
        return text(QT_TRANSLATE_NOOP(
            "ErrorMessages",
            "This signup no longer exists (it may have been rejected elsewhere)."));
    case ErrorCode::Conflict:
    case ErrorCode::Exists:
        return text(QT_TRANSLATE_NOOP(
            "ErrorMessages",
            "This signup changed in the meantime and cannot take this action any more."));
    case ErrorCode::Validation:
        return text(QT_TRANSLATE_NOOP(
            "ErrorMessages", "Some required information is missing (for example the reason)."));
    case ErrorCode::Unavailable:
        return text(QT_TRANSLATE_NOOP(
            "ErrorMessages", "The database does not answer. Check the connection and try again."));
    case ErrorCode::Busy:
    case ErrorCode::RateLimited:
        return text(
            QT_TRANSLATE_NOOP("ErrorMessages", "The server is busy. Try again in a moment."));
    case ErrorCode::Forbidden:
    case ErrorCode::Unauthorized:
        return text(QT_TRANSLATE_NOOP("ErrorMessages", "This action is not allowed."));
    case ErrorCode::SignupDisabled:
    case ErrorCode::InvalidToken:
    case ErrorCode::InvalidVerification:
    case ErrorCode::InvalidSignature:
    case ErrorCode::InvalidCredentials:
    case ErrorCode::NotVerified:
    case ErrorCode::PendingApproval:
    case ErrorCode::AccountDisabled:
    case ErrorCode::InvalidConfirmation:
    case ErrorCode::UnknownProvider:
    case ErrorCode::NotConfigured:
    case ErrorCode::ProviderError:
    case ErrorCode::ProviderTimeout:
    case ErrorCode::InvalidCode:
    case ErrorCode::InvalidLoginCode:
    case ErrorCode::MfaEnabled:
    case ErrorCode::Internal:
        break;
    }
    return text(QT_TRANSLATE_NOOP(
        "ErrorMessages", "Something went wrong inside SignupDesk; the log has the details."));
}

} // namespace sd::ui
