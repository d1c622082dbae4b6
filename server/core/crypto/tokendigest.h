#pragma once

#include <QByteArray>
#include <QString>

namespace sd::core {

// Turns a secret (token, code, signed-link payload) into what we store or compare: an
// HMAC-SHA256 keyed by the server secret, hex-encoded. The raw secret is never stored.
class TokenDigest
{
public:
    explicit TokenDigest(QByteArray key) : m_key(std::move(key)) {}

    QString digest(const QString &token) const;
    // For 6-digit codes: bound to the token row, so equal codes of two users differ.
    QString codeDigest(const QString &tokenId, const QString &code) const;
    // The signature of a signed verification link, base64url.
    QString sign(const QString &payload) const;
    bool verifySignature(const QString &payload, const QString &signature) const;

private:
    QByteArray m_key;
};

} // namespace sd::core
