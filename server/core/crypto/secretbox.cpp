#include "crypto/secretbox.h"

#include "crypto/crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;
const QString kPrefix = u"v1."_s;

struct CipherCtxFree
{
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

unsigned char *bytes(QByteArray &b)
{
    return reinterpret_cast<unsigned char *>(b.data());
}
const unsigned char *bytes(const QByteArray &b)
{
    return reinterpret_cast<const unsigned char *>(b.constData());
}

} // namespace

QByteArray crypto::hkdfSha256(const QByteArray &secret, const QByteArray &info, int length)
{
    QByteArray out(length, Qt::Uninitialized);
    EVP_KDF *kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    char digest[] = "SHA256";
    QByteArray key = secret, label = info; // OSSL_PARAM wants non-const buffers
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), size_t(key.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, label.data(), size_t(label.size())),
        OSSL_PARAM_construct_end()};
    const bool ok = ctx && EVP_KDF_derive(ctx, bytes(out), size_t(length), params) == 1;
    EVP_KDF_CTX_free(ctx);
    if (!ok) {
        // No key may ever come from a weaker source (as crypto::randomBytes).
        std::fputs("fatal: HKDF failed\n", stderr);
        std::abort();
    }
    return out;
}

SecretBox::SecretBox(const QByteArray &serverSecret, const QByteArray &purpose)
    : m_key(crypto::hkdfSha256(serverSecret, "signupdesk secretbox v1 " + purpose, 32))
{
}

QString SecretBox::seal(const QByteArray &plaintext, const QByteArray &associatedData) const
{
    const QByteArray nonce = crypto::randomBytes(kNonceBytes);
    QByteArray cipher(plaintext.size(), Qt::Uninitialized);
    QByteArray tag(kTagBytes, Qt::Uninitialized);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, total = 0;
    const bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), bytes(nonce)) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData),
                          int(associatedData.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), bytes(cipher), &len, bytes(plaintext),
                          int(plaintext.size())) == 1 &&
        (total = len, EVP_EncryptFinal_ex(ctx.get(), bytes(cipher) + total, &len) == 1) &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
    if (!ok) {
        std::fputs("fatal: AES-256-GCM encryption failed\n", stderr);
        std::abort();
    }
    return kPrefix + crypto::base64Url(nonce + cipher + tag);
}

std::optional<QByteArray> SecretBox::open(const QString &sealed,
                                          const QByteArray &associatedData) const
{
    if (!sealed.startsWith(kPrefix))
        return std::nullopt;
    bool decoded = false;
    const QByteArray all = crypto::fromBase64Url(sealed.mid(kPrefix.size()), &decoded);
    if (!decoded || all.size() < kNonceBytes + kTagBytes)
        return std::nullopt;
    const QByteArray nonce = all.left(kNonceBytes);
    const QByteArray cipher = all.mid(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
    QByteArray tag = all.right(kTagBytes);
    QByteArray plain(cipher.size(), Qt::Uninitialized);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, total = 0;
    const bool ok =
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), bytes(nonce)) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData),
                          int(associatedData.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, bytes(cipher), int(cipher.size())) == 1 &&
        (total = len,
         EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1) &&
        // Fails unless the tag matches: wrong key, wrong associated data or altered bytes.
        EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + total, &len) == 1;
    if (!ok)
        return std::nullopt;
    return plain;
}

} // namespace sd::core
