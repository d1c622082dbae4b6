#pragma once

#include <QByteArray>
#include <QString>

namespace sd::core::crypto {

// The one CSPRNG helper: OpenSSL RAND_bytes. Aborts the process if the generator fails,
// since no secret may ever come from a weaker source.
QByteArray randomBytes(int count);

// 32 random bytes, base64url without padding (43 characters): every token we hand out.
QString newToken();

// A random opaque id with a prefix, e.g. "usr_" + 22 base64url characters (128 bits).
QString newId(QStringView prefix);

// Six random decimal digits, uniformly drawn.
QString newSixDigitCode();

QString base64Url(const QByteArray &bytes);
QByteArray fromBase64Url(const QString &text, bool *ok = nullptr);

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
QByteArray sha256(const QByteArray &data);

// Constant-time equality (CRYPTO_memcmp) for every comparison of secrets or their digests.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace sd::core::crypto
