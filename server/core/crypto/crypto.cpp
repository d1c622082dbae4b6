#include "crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
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
    // One keyed context per thread, re-initialised while the key stays the same (the server
    // has one key): a tenth of the cost of the one-shot HMAC(), which looks the algorithm up
    // and derives the key pads again on every call.
    struct Keyed
    {
        EVP_MAC_CTX *ctx = nullptr;
        QByteArray key;
        ~Keyed() { EVP_MAC_CTX_free(ctx); }
    };
    thread_local Keyed keyed;
    bool ready = false;
    if (keyed.ctx && keyed.key == key) {
        ready = EVP_MAC_init(keyed.ctx, nullptr, 0, nullptr) == 1; // same key, fresh state
    } else {
        if (!keyed.ctx) {
            EVP_MAC *mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
            keyed.ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
            EVP_MAC_free(mac); // the context keeps its own reference
        }
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                                const_cast<char *>("SHA256"), 0),
                               OSSL_PARAM_construct_end()};
        keyed.key.clear();
        ready = keyed.ctx &&
                EVP_MAC_init(keyed.ctx, reinterpret_cast<const unsigned char *>(key.constData()),
                             size_t(key.size()), params) == 1;
        if (ready)
            keyed.key = key;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (!ready ||
        EVP_MAC_update(keyed.ctx, reinterpret_cast<const unsigned char *>(data.constData()),
                       size_t(data.size())) != 1 ||
        EVP_MAC_final(keyed.ctx, out, &len, sizeof out) != 1 || len != 32) {
        // An empty or wrong digest could make a forged signature compare equal.
        std::fputs("fatal: HMAC-SHA256 failed\n", stderr);
        std::abort();
    }
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(len));
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
