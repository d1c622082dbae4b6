#include "apilanguage.h"

#include "config.h"

#include <QHash>
#include <QList>
#include <QTranslator>

#include <memory>

using namespace Qt::StringLiterals;

namespace sd::http {

namespace {

// Hands out the items between separators, trimmed, like QByteArray::split() and trimmed() but
// without copying: the header comes with nearly every request.
class Items
{
public:
    Items(QByteArrayView text, char separator) : m_rest(text), m_separator(separator) {}
    bool next(QByteArrayView *item)
    {
        if (m_done)
            return false;
        const qsizetype at = m_rest.indexOf(m_separator);
        m_done = at < 0;
        *item = (m_done ? m_rest : m_rest.first(at)).trimmed();
        if (!m_done)
            m_rest = m_rest.sliced(at + 1);
        return true;
    }

private:
    QByteArrayView m_rest;
    char m_separator;
    bool m_done = false;
};

} // namespace

QString languageFromAcceptLanguage(const QByteArray &header)
{
    const QStringList shipped = core::Config::languages();
    QString best = u"en"_s;
    double bestQ = 0.0;
    Items parts(header, ',');
    for (QByteArrayView part; parts.next(&part);) {
        Items pieces(part, ';');
        QByteArrayView tag;
        pieces.next(&tag);
        double q = 1.0;
        for (QByteArrayView p; pieces.next(&p);) {
            if (p.startsWith("q=")) {
                bool ok = false;
                q = p.sliced(2).toDouble(&ok);
                if (!ok || q < 0 || q > 1)
                    q = 0;
            }
        }
        // The primary subtag, in any ASCII case ("FR-ch" is "fr").
        const qsizetype dash = tag.indexOf('-');
        const QLatin1StringView primary(dash < 0 ? tag : tag.first(dash));
        for (const QString &language : shipped) {
            if (q > bestQ && primary.compare(language, Qt::CaseInsensitive) == 0) {
                best = language;
                bestQ = q;
            }
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
