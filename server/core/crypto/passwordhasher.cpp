#include "crypto/passwordhasher.h"

#include "crypto/argon2/argon2id.h"
#include "crypto/crypto.h"

#include <QRegularExpression>

#include <argon2.h>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {
constexpr int kSaltBytes = 16;
constexpr int kTagBytes = 32;

QByteArray phcBase64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::OmitTrailingEquals); // standard alphabet, as libargon2
}

QByteArray encodePhc(const Argon2Params &p, const QByteArray &salt, const QByteArray &tag)
{
    return "$argon2id$v=19$m=" + QByteArray::number(p.memoryKib) +
           ",t=" + QByteArray::number(p.iterations) + ",p=" + QByteArray::number(p.parallelism) +
           '$' + phcBase64(salt) + '$' + phcBase64(tag);
}

// Our own argon2id (SIMD block fill, kept memory: crypto/argon2); false if it refuses the cost.
bool computeTag(const Argon2Params &p, const QByteArray &password, const QByteArray &salt,
                QByteArray &tag)
{
    return argon2::hashRaw({p.memoryKib, p.iterations, p.parallelism}, password.constData(),
                           size_t(password.size()), salt.constData(), size_t(salt.size()),
                           tag.data(), size_t(tag.size()));
}

// A PHC string in the one form this class writes (canonical numbers and base64), split into
// its cost, salt and tag; anything else is left to libargon2's own reader.
struct ParsedPhc
{
    Argon2Params params;
    QByteArray salt;
    QByteArray tag;
};

std::optional<ParsedPhc> parseCanonicalPhc(const QByteArray &phc)
{
    const auto params = Argon2Params::fromPhc(QString::fromLatin1(phc));
    if (!params)
        return std::nullopt;
    const QList<QByteArray> parts = phc.split('$'); // "", "argon2id", "v=19", "m=…", salt, tag
    if (parts.size() != 6)
        return std::nullopt;
    ParsedPhc parsed{*params, QByteArray::fromBase64(parts[4]), QByteArray::fromBase64(parts[5])};
    if (encodePhc(parsed.params, parsed.salt, parsed.tag) != phc)
        return std::nullopt;
    return parsed;
}

} // namespace

std::optional<Argon2Params> Argon2Params::fromPhc(const QString &phc)
{
    static const QRegularExpression re(
        u"^\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+\\z"_s);
    const auto m = re.match(phc);
    if (!m.hasMatch())
        return std::nullopt;
    return Argon2Params{m.captured(1).toUInt(), m.captured(2).toUInt(), m.captured(3).toUInt()};
}

PasswordHasher::PasswordHasher(Argon2Params params) : m_params(params)
{
    m_dummyHash = hash(crypto::base64Url(crypto::randomBytes(24)));
    m_hashCount = 0; // the dummy does not count
}

QString PasswordHasher::hash(const QString &password) const
{
    const QByteArray pwd = password.toUtf8();
    const QByteArray salt = crypto::randomBytes(kSaltBytes);
    QByteArray tag(kTagBytes, '\0');
    ++m_hashCount;
    const InProgress busy(m_inProgress);
    if (!computeTag(m_params, pwd, salt, tag)) {
        // Only for a cost argon2 refuses: libargon2 names the reason.
        const int rc =
            argon2id_hash_raw(m_params.iterations, m_params.memoryKib, m_params.parallelism,
                              pwd.constData(), size_t(pwd.size()), salt.constData(),
                              size_t(salt.size()), tag.data(), size_t(tag.size()));
        qFatal("argon2id failed: %s", argon2_error_message(rc));
    }
    return QString::fromLatin1(encodePhc(m_params, salt, tag));
}

bool PasswordHasher::verify(const QString &password, const QString &phc) const
{
    const QByteArray pwd = password.toUtf8();
    const QByteArray enc = phc.toLatin1();
    ++m_hashCount;
    const InProgress busy(m_inProgress);
    if (const auto parsed = parseCanonicalPhc(enc)) {
        QByteArray tag(parsed->tag.size(), '\0');
        if (computeTag(parsed->params, pwd, parsed->salt, tag))
            return crypto::constantTimeEquals(tag, parsed->tag);
    }
    // Any other form (no version, other lengths, a cost our code refuses): libargon2
    // decides, recomputing the tag and comparing it in constant time.
    return argon2id_verify(enc.constData(), pwd.constData(), size_t(pwd.size())) == ARGON2_OK;
}

bool PasswordHasher::verifyDummy(const QString &password) const
{
    (void)verify(password, m_dummyHash);
    return false;
}

bool PasswordHasher::needsRehash(const QString &phc) const
{
    const auto stored = Argon2Params::fromPhc(phc);
    if (!stored)
        return true;
    return stored->memoryKib < m_params.memoryKib || stored->iterations < m_params.iterations ||
           stored->parallelism < m_params.parallelism;
}

} // namespace sd::core
