// The email and username validators and the password rules, on arbitrary UTF-8: no crash,
// no catastrophic regex backtracking (libFuzzer's -timeout catches that), and answers that
// agree with the plain limits (length caps, no control characters in a valid email).

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
        if (text.size() > 254 || text.count(u'@') != 1 || text.contains(u'\n') || text.contains(u'\r'))
            std::abort(); // a "valid" address that breaks the rules of API.md
    }
    if (sd::core::SignupValidator::isValidUsername(text) && (text.size() < 3 || text.size() > 32))
        std::abort();
    const qsizetype half = text.size() / 2;
    (void)validator.passwordProblems(text, text.left(half), text.mid(half) + u"@example.com"_s);
    return 0;
}
