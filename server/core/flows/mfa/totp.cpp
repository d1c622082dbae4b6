#include "flows/mfa/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace Qt::StringLiterals;

namespace sd::core::totp {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
} // namespace

qint64 stepAt(qint64 unixMs)
{
    return unixMs / 1000 / kStepSeconds;
}

QString code(const QByteArray &key, qint64 step, int digits)
{
    unsigned char counter[8];
    for (int i = 7; i >= 0; --i) {
        counter[i] = static_cast<unsigned char>(step & 0xff);
        step >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    if (!HMAC(EVP_sha1(), key.constData(), int(key.size()), counter, sizeof counter, mac,
              &macLength) ||
        macLength < 20)
        return {};
    // Dynamic truncation (RFC 4226 5.3).
    const int offset = mac[macLength - 1] & 0x0f;
    const quint32 binary = (quint32(mac[offset] & 0x7f) << 24) | (quint32(mac[offset + 1]) << 16) |
                           (quint32(mac[offset + 2]) << 8) | quint32(mac[offset + 3]);
    quint64 modulus = 1;
    for (int i = 0; i < digits; ++i)
        modulus *= 10;
    return QString::number(binary % modulus).rightJustified(digits, u'0');
}

QString toBase32(const QByteArray &bytes)
{
    QString out;
    quint32 buffer = 0;
    int bits = 0;
    for (char c : bytes) {
        buffer = (buffer << 8) | quint8(c);
        bits += 8;
        while (bits >= 5) {
            out += QLatin1Char(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
            bits -= 5;
        }
    }
    if (bits > 0)
        out += QLatin1Char(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
    return out;
}

std::optional<QByteArray> fromBase32(const QString &text)
{
    QByteArray out;
    quint32 buffer = 0;
    int bits = 0;
    for (QChar ch : text) {
        if (ch == u' ' || ch == u'=')
            continue;
        const char c = char(ch.toUpper().unicode() < 128 ? ch.toUpper().unicode() : 0);
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= '2' && c <= '7')
            value = c - '2' + 26;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        if (bits >= 8) {
            out += char((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return out;
}

std::optional<QString> normalizedCode(const QString &submitted)
{
    QString code = submitted;
    code.remove(u' ');
    if (code.size() != kDigits)
        return std::nullopt;
    for (QChar c : code)
        if (c < u'0' || c > u'9')
            return std::nullopt;
    return code;
}

} // namespace sd::core::totp
