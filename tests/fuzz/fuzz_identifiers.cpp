// The email and username validators, the password rules and the name rule (names.h), on
// arbitrary bytes: no crash, no catastrophic regex backtracking (libFuzzer's -timeout catches
// that), and answers that agree with the plain limits (length caps, no control characters in a
// valid email; a cleaned name always passes the rule unchanged; an accepted name is stable;
// strict UTF-8 decoding agrees with Qt's wherever it accepts).

#include "validation/names.h"
#include "validation/signupvalidator.h"

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sd::core::Config config;
    static const sd::core::SignupValidator validator(config, {}, {u"password1234"_s});
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    if (sd::core::SignupValidator::isValidEmail(text)) {
        if (text.size() > 254 || text.count(u'@') != 1 || text.contains(u'\n') ||
            text.contains(u'\r'))
            std::abort(); // a "valid" address that breaks the rules of API.md
    }
    if (sd::core::SignupValidator::isValidUsername(text) && (text.size() < 3 || text.size() > 32))
        std::abort();
    const qsizetype half = text.size() / 2;
    (void)validator.passwordProblems(text, text.left(half), text.mid(half) + u"@example.com"_s);

    namespace names = sd::core::names;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto strict = names::decodeUtf8Strictly(bytes); strict && *strict != text)
        std::abort(); // accepted bytes must mean what Qt reads them as
    // Also the UTF-16 view of the bytes, which can hold unpaired surrogates (a JSON escape's).
    const QString utf16 =
        QString::fromUtf16(reinterpret_cast<const char16_t *>(data), qsizetype(size / 2));
    for (const QString &candidate : {text, utf16}) {
        const QString clean = names::sanitizedDisplayName(candidate);
        if (names::checkDisplayName(clean) != std::expected<QString, QString>(clean) ||
            clean.toUcs4().size() > names::kMaxDisplayNameLength)
            std::abort(); // a cleaned name the rule refuses would lock an OAuth user's form
        if (const auto accepted = names::checkDisplayName(candidate);
            accepted && names::checkDisplayName(*accepted) != accepted)
            std::abort(); // storing the accepted form must not change it again
        (void)names::reservedNameKey(candidate);
    }
    return 0;
}
