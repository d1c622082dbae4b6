// Accept-Language parsing: any header gives one of the shipped languages.

#include "apilanguage.h"

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray header(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString language = sd::http::languageFromAcceptLanguage(header);
    if (language != u"en"_s && language != u"fr"_s && language != u"de"_s)
        std::abort();
    return 0;
}
