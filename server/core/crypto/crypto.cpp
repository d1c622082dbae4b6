#include "crypto/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace sd::core::crypto {

QByteArray randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1) {
        std::fputs("fatal: RAND_bytes failed\n", stderr);
        std::abort();
    }
    return out;
}

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray fromBase64Url(const QString &text, bool *ok)
{
    auto decoded = QByteArray::fromBase64Encoding(
        text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (ok)
        *ok = static_cast<bool>(decoded);
    return decoded ? decoded.decoded : QByteArray();
}

QString newToken()
{
    return base64Url(randomBytes(32));
}

QString newId(QStringView prefix)
{
    return prefix.toString() + base64Url(randomBytes(16));
}

QString newSixDigitCode()
{
    // Rejection sampling over 32-bit values keeps the digits uniform.
    const quint32 limit = 4'294'000'000u; // a multiple of 1,000,000 below 2^32
    for (;;) {
        const QByteArray b = randomBytes(4);
        quint32 v = 0;
        std::memcpy(&v, b.constData(), 4);
        if (v < limit)
            return QString::number(v % 1'000'000u).rightJustified(6, u'0');
    }
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.constData(), int(key.size()),
         reinterpret_cast<const unsigned char *>(data.constData()), size_t(data.size()), out, &len);
    return QByteArray(reinterpret_cast<const char *>(out), int(len));
}

QByteArray sha256(const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.constData(), size_t(data.size()), out, &len, EVP_sha256(), nullptr);
    return QByteArray(reinterpret_cast<const char *>(out), int(len));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace sd::core::crypto
