#pragma once

#include <QByteArray>
#include <QString>

namespace sd::http {

// The language of a response: the best of the shipped ones (en, fr, de) by the request's
// Accept-Language q-values; "en" when none fits.
QString languageFromAcceptLanguage(const QByteArray &header);

// Translates a message of `context` (marked with QT_TRANSLATE_NOOP) into `language`, from the
// compiled .qm files in resources (translations/). English, or an unknown text, stays as is.
// Thread-safe.
QString translate(const QString &language, const char *context, const char *sourceText);

} // namespace sd::http
