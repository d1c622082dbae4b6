#include "crypto/tokendigest.h"

#include "crypto/crypto.h"

using namespace Qt::StringLiterals;

namespace sd::core {

QString TokenDigest::digest(const QString &token) const
{
    return QString::fromLatin1(crypto::hmacSha256(m_key, "token:" + token.toUtf8()).toHex());
}

QString TokenDigest::codeDigest(const QString &tokenId, const QString &code) const
{
    return QString::fromLatin1(
        crypto::hmacSha256(m_key, "code:" + tokenId.toUtf8() + ':' + code.toUtf8()).toHex());
}

QString TokenDigest::sign(const QString &payload) const
{
    return crypto::base64Url(crypto::hmacSha256(m_key, "signed:" + payload.toUtf8()));
}

bool TokenDigest::verifySignature(const QString &payload, const QString &signature) const
{
    bool ok = false;
    const QByteArray given = crypto::fromBase64Url(signature, &ok);
    const QByteArray expected = crypto::hmacSha256(m_key, "signed:" + payload.toUtf8());
    return crypto::constantTimeEquals(ok ? given : QByteArray(), expected);
}

} // namespace sd::core
