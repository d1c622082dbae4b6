#pragma once

#include <QHash>
#include <QString>

namespace sd::core {

enum class Escaping
{
    None,
    Html
};

// Fills `{{name}}` placeholders in one pass (a value that itself contains `{{x}}` is not
// expanded again). Unknown names become empty text. With Escaping::Html every value is
// HTML-escaped (&, <, >, "), so a template author never escapes by hand.
QString fillPlaceholders(const QString &text, const QHash<QString, QString> &values,
                         Escaping escaping);

// The shipped language closest to `language` ("fr-CH" → "fr"); "en" when none fits.
QString supportedLanguage(const QString &language);

} // namespace sd::core
