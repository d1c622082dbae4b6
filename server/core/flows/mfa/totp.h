#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace sd::core::totp {

// RFC 6238 with the parameters of API.md: HMAC-SHA-1, 30-second steps from the Unix epoch.
constexpr qint64 kStepSeconds = 30;
constexpr int kDigits = 6;

// The step a time (Unix milliseconds) falls in.
qint64 stepAt(qint64 unixMs);
// The HOTP value (RFC 4226) of `key` at counter `step`, `digits` long with leading zeros.
QString code(const QByteArray &key, qint64 step, int digits = kDigits);
// RFC 4648 base32 without padding (upper case), what authenticator apps read.
QString toBase32(const QByteArray &bytes);
// Case-insensitive, spaces and padding ignored; nullopt for any other character.
std::optional<QByteArray> fromBase32(const QString &text);
// A submitted code with spaces removed when it is kDigits decimal digits, else nullopt.
std::optional<QString> normalizedCode(const QString &submitted);

} // namespace sd::core::totp
