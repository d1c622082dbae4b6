#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace sd::core {

// The one reversible secret store (DESIGN.md "Secrets that must be reversible"): AES-256-GCM
// through OpenSSL EVP, with a key derived by HKDF-SHA256 from the server secret
// (security/secret, or the one kept in the database) and a purpose label, a random 96-bit nonce
// per sealing, and associated data that binds the sealed value to its owner (the account id),
// so a value copied to another row does not open. Sealed form: "v1." + base64url(nonce ‖
// ciphertext ‖ 16-byte tag). Thread-safe (const after construction).
class SecretBox
{
public:
    SecretBox(const QByteArray &serverSecret, const QByteArray &purpose);

    QString seal(const QByteArray &plaintext, const QByteArray &associatedData) const;
    // nullopt when the value was not sealed by this key for these associated data, or altered.
    std::optional<QByteArray> open(const QString &sealed, const QByteArray &associatedData) const;

private:
    QByteArray m_key; // 32 bytes
};

namespace crypto {
// HKDF-SHA256 (RFC 5869) with an empty salt: `length` bytes of key for `info` from `secret`.
QByteArray hkdfSha256(const QByteArray &secret, const QByteArray &info, int length);
} // namespace crypto

} // namespace sd::core
