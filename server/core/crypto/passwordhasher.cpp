#include "crypto/passwordhasher.h"

#include "crypto/crypto.h"

#include <QRegularExpression>

#include <argon2.h>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {
constexpr int kSaltBytes = 16;
constexpr int kTagBytes = 32;
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
    const size_t len = argon2_encodedlen(m_params.iterations, m_params.memoryKib,
                                         m_params.parallelism, kSaltBytes, kTagBytes, Argon2_id);
    QByteArray encoded(qsizetype(len), '\0');
    ++m_hashCount;
    const InProgress busy(m_inProgress);
    const int rc = argon2id_hash_encoded(
        m_params.iterations, m_params.memoryKib, m_params.parallelism, pwd.constData(),
        size_t(pwd.size()), salt.constData(), size_t(salt.size()), kTagBytes, encoded.data(), len);
    if (rc != ARGON2_OK)
        qFatal("argon2id_hash_encoded failed: %s", argon2_error_message(rc));
    return QString::fromLatin1(encoded.constData()); // stops at the terminating NUL
}

bool PasswordHasher::verify(const QString &password, const QString &phc) const
{
    const QByteArray pwd = password.toUtf8();
    const QByteArray enc = phc.toLatin1();
    ++m_hashCount;
    const InProgress busy(m_inProgress);
    // argon2id_verify recomputes the tag and compares it in constant time.
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
