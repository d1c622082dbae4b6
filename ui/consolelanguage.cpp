#include "consolelanguage.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// Marks the translators this file installed, so a later call can replace them.
constexpr auto kTranslatorName = "sdConsoleTranslator";

bool install(QCoreApplication &app, const QString &fileName, const QString &directory)
{
    auto *translator = new QTranslator(&app);
    translator->setObjectName(QLatin1StringView(kTranslatorName));
    if (!translator->load(fileName, directory)) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    return true;
}

} // namespace

QStringList consoleLanguages()
{
    return {u"en"_s, u"fr"_s, u"de"_s};
}

QString resolveConsoleLanguage(const QString &language, const QStringList &uiLanguages)
{
    const QStringList shipped = consoleLanguages();
    if (shipped.contains(language))
        return language;
    for (const QString &tag : uiLanguages) {
        // "fr-CH", "de_AT", "en": the primary subtag decides.
        const QString primary = tag.section(u'-', 0, 0).section(u'_', 0, 0).toLower();
        if (shipped.contains(primary))
            return primary;
    }
    return u"en"_s;
}

QString resolveConsoleLanguage(const QString &language)
{
    return resolveConsoleLanguage(language, QLocale::system().uiLanguages());
}

QString installConsoleTranslators(QCoreApplication &app, const QString &language)
{
    for (QTranslator *old : app.findChildren<QTranslator *>(QLatin1StringView(kTranslatorName),
                                                            Qt::FindDirectChildrenOnly)) {
        QCoreApplication::removeTranslator(old);
        delete old;
    }
    const QString resolved = resolveConsoleLanguage(language);

    // Looked up last-installed first: the chosen language, then English plural forms, then Qt's.
    if (resolved != u"en"_s) {
        const QString qtDirectory = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
        if (!install(app, u"qtbase_"_s + resolved, qtDirectory))
            qInfo("Qt's own %s texts are not in %s (Debian: qt6-translations-l10n)",
                  qPrintable(resolved), qPrintable(qtDirectory));
    }
    if (!install(app, u"signupdesk_console_en"_s, u":/i18n"_s))
        qWarning("the console's English plural forms are missing");
    if (resolved != u"en"_s && !install(app, u"signupdesk_console_"_s + resolved, u":/i18n"_s))
        qWarning("the console's %s translations are missing", qPrintable(resolved));

    const bool chosen = consoleLanguages().contains(language);
    const QLocale system = QLocale::system();
    if (chosen && system.language() != QLocale(resolved).language())
        QLocale::setDefault(QLocale(resolved));
    else
        QLocale::setDefault(system);
    return resolved;
}

} // namespace sd::ui
