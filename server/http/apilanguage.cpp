#include "http/apilanguage.h"

#include "config.h"

#include <QHash>
#include <QList>
#include <QTranslator>

#include <memory>

using namespace Qt::StringLiterals;

namespace sd::http {

QString languageFromAcceptLanguage(const QByteArray &header)
{
    const QStringList shipped = core::Config::languages();
    QString best = u"en"_s;
    double bestQ = 0.0;
    for (const QByteArray &part : header.split(',')) {
        const QList<QByteArray> pieces = part.trimmed().split(';');
        const QString tag = QString::fromLatin1(pieces.first().trimmed()).toLower();
        double q = 1.0;
        for (qsizetype i = 1; i < pieces.size(); ++i) {
            const QByteArray p = pieces[i].trimmed();
            if (p.startsWith("q=")) {
                bool ok = false;
                q = p.mid(2).toDouble(&ok);
                if (!ok || q < 0 || q > 1)
                    q = 0;
            }
        }
        const QString primary = tag.section(u'-', 0, 0);
        if (q > bestQ && shipped.contains(primary)) {
            best = primary;
            bestQ = q;
        }
    }
    return best;
}

namespace {

// Loaded once; QTranslator::translate only reads after that.
const QHash<QString, std::shared_ptr<QTranslator>> &translators()
{
    static const QHash<QString, std::shared_ptr<QTranslator>> loaded = [] {
        QHash<QString, std::shared_ptr<QTranslator>> out;
        for (const QString &language : core::Config::languages()) {
            if (language == u"en"_s)
                continue;
            auto t = std::make_shared<QTranslator>();
            if (t->load(u":/i18n/signupdesk_http_%1.qm"_s.arg(language)))
                out.insert(language, t);
            else
                qWarning("translations for %s are missing", qPrintable(language));
        }
        return out;
    }();
    return loaded;
}

} // namespace

QString translate(const QString &language, const char *context, const char *sourceText)
{
    if (auto t = translators().value(language)) {
        const QString translated = t->translate(context, sourceText);
        if (!translated.isEmpty())
            return translated;
    }
    return QString::fromUtf8(sourceText);
}

} // namespace sd::http
