// Everything that decodes a secret a client sends: base64url tokens, signed-link signatures,
// 6-digit codes (as digests), and PHC password-hash strings read back from the database.

#include "crypto/crypto.h"
#include "crypto/passwordhasher.h"
#include "crypto/tokendigest.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sd::core::TokenDigest digest(QByteArrayLiteral("fuzzing key, not a secret"));
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString text = QString::fromUtf8(bytes);

    bool ok = false;
    const QByteArray decoded = sd::core::crypto::fromBase64Url(text, &ok);
    if (ok && sd::core::crypto::base64Url(decoded) != text && !text.endsWith(u'='))
        (void)0; // several spellings may decode alike; only a crash or a leak is a finding
    (void)digest.digest(text);
    (void)digest.codeDigest(text.left(20), text.mid(20));
    // A forged signature must never verify (the key is not derivable from the input).
    if (digest.verifySignature(text, text) || digest.verifySignature(QString(), text))
        std::abort();
    // A signature that is right must verify, whatever the payload.
    if (!digest.verifySignature(text, digest.sign(text)))
        std::abort();
    if (auto params = sd::core::Argon2Params::fromPhc(text)) {
        if (!text.startsWith(QStringLiteral("$argon2id$v=19$m=")))
            std::abort();
    }
    (void)sd::core::crypto::constantTimeEquals(bytes, decoded);
    return 0;
}
