#include "validation/names.h"

#include <QList>
#include <QStringDecoder>

using namespace Qt::StringLiterals;

namespace sd::core::names {

namespace {

bool isJoiner(char32_t c)
{
    return c == 0x200C || c == 0x200D; // ZWNJ, ZWJ
}

bool isVariationSelector(char32_t c)
{
    return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) ||
           (c >= 0x180B && c <= 0x180D) || c == 0x180F; // the last: Mongolian free variation
}

bool isNoncharacter(char32_t c)
{
    return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

// Something a reader sees: a letter, mark, number, symbol or punctuation (not a space, not a
// joiner or selector, which are marks or format characters themselves).
bool isVisible(char32_t c)
{
    if (isJoiner(c) || isVariationSelector(c))
        return false;
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Space:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return false;
    default:
        return true;
    }
}

// Refused wherever it stands. Besides the categories: the default-ignorable code points that are
// not format characters (Unicode's DerivedCoreProperties), which render as nothing too.
bool alwaysRefused(char32_t c)
{
    if (isNoncharacter(c))
        return true;
    if (c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 || c == 0x3164 ||
        c == 0xFFA0 || (c >= 0x2060 && c <= 0x206F) || (c >= 0xFFF0 && c <= 0xFFF8) ||
        (c >= 0xE0000 && c <= 0xE0FFF && !isVariationSelector(c)))
        return true;
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Surrogate:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    case QChar::Other_Format:
        return !isJoiner(c);
    default:
        return false;
    }
}

// The code points of `s`; an unpaired surrogate stays as it is (a Cs code point, refused).
QList<char32_t> codePoints(QStringView s)
{
    QList<char32_t> out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (c.isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate()) {
            out.append(QChar::surrogateToUcs4(c, s[i + 1]));
            ++i;
        } else {
            out.append(c.unicode());
        }
    }
    return out;
}

// Whether the code point at `i` may stay, given its neighbours.
bool allowedAt(const QList<char32_t> &cps, qsizetype i)
{
    const char32_t c = cps[i];
    if (alwaysRefused(c))
        return false;
    const char32_t prev = i > 0 ? cps[i - 1] : 0;
    if (isVariationSelector(c))
        return isVisible(prev);
    if (isJoiner(c)) {
        const char32_t next = i + 1 < cps.size() ? cps[i + 1] : 0;
        const bool prevOk =
            isVisible(prev) || (isVariationSelector(prev) && i > 1 && isVisible(cps[i - 2]));
        return prevOk && isVisible(next);
    }
    return true;
}

QString fromCodePoints(const QList<char32_t> &cps)
{
    QString out;
    out.reserve(cps.size());
    for (const char32_t c : cps) {
        if (c < 0x10000) {
            out.append(QChar(char16_t(c)));
        } else {
            out.append(QChar(QChar::highSurrogate(c)));
            out.append(QChar(QChar::lowSurrogate(c)));
        }
    }
    return out;
}

QString normalized(const QString &s)
{
    // QString::normalized would turn an unpaired surrogate into U+FFFD; keep it to be refused.
    return isValidUnicode(s) ? s.trimmed().normalized(QString::NormalizationForm_C) : s.trimmed();
}

} // namespace

std::expected<QString, QString> checkDisplayName(const QString &typed)
{
    const QString name = normalized(typed);
    const QList<char32_t> cps = codePoints(name);
    for (qsizetype i = 0; i < cps.size(); ++i)
        if (!allowedAt(cps, i))
            return std::unexpected(u"invalid_characters"_s);
    if (cps.size() > kMaxDisplayNameLength)
        return std::unexpected(u"too_long"_s);
    return name;
}

QString sanitizedDisplayName(const QString &foreign)
{
    QString name = foreign;
    // Each pass drops what the rule refuses in the current text; a drop can change a joiner's
    // neighbours, so repeat until the rule accepts the whole (two or three passes at most).
    for (int pass = 0; pass < 8; ++pass) {
        const QList<char32_t> cps = codePoints(name);
        QList<char32_t> kept;
        for (qsizetype i = 0; i < cps.size(); ++i) {
            const char32_t c = cps[i];
            const auto category = QChar::category(c);
            if (category == QChar::Other_Control || category == QChar::Separator_Line ||
                category == QChar::Separator_Paragraph)
                kept.append(u' '); // "Ann\nLee" reads "Ann Lee", not "AnnLee"
            else if (allowedAt(cps, i))
                kept.append(c);
        }
        name = normalized(fromCodePoints(kept));
        const QList<char32_t> fitted = codePoints(name);
        if (fitted.size() > kMaxDisplayNameLength)
            name = fromCodePoints(fitted.mid(0, kMaxDisplayNameLength)).trimmed();
        if (auto checked = checkDisplayName(name); checked && *checked == name)
            return name;
    }
    return {};
}

QString reservedNameKey(const QString &name)
{
    QString key = name.normalized(QString::NormalizationForm_KC).toCaseFolded();
    key = key.normalized(QString::NormalizationForm_KC);
    key.removeIf([](QChar c) { return c == u'.' || c == u'_' || c == u'-'; });
    return key;
}

bool hasControlCharacters(QStringView text)
{
    for (const QChar c : text)
        if (c.category() == QChar::Other_Control)
            return true;
    return false;
}

bool isValidUnicode(QStringView text)
{
    return text.isValidUtf16();
}

std::optional<QString> decodeUtf8Strictly(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                     QStringDecoder::Flag::ConvertInitialBom);
    QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

} // namespace sd::core::names
