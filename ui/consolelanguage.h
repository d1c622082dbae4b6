#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

namespace sd::ui {

// The languages the console ships: "en" (the source text), "fr" and "de".
QStringList consoleLanguages();

// The console language for a setting: "en", "fr" or "de" as given; "" (or anything else) picks
// the first of `uiLanguages` (by default the system's, QLocale::system().uiLanguages()) whose
// language is shipped, else "en".
QString resolveConsoleLanguage(const QString &language, const QStringList &uiLanguages);
QString resolveConsoleLanguage(const QString &language);

// Installs the console's translators on `app` for `language` (as above): the English plural
// forms, the console's own messages and Qt's (standard buttons and dialogs, from
// QLibraryInfo::TranslationsPath when installed). Replaces what an earlier call installed. An
// explicitly chosen language that differs from the system's also becomes the default QLocale,
// so dates and numbers match the text. Call before building any widget; returns the language
// in use.
QString installConsoleTranslators(QCoreApplication &app, const QString &language);

} // namespace sd::ui
