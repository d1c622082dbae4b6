#include "emails/placeholders.h"

#include "config.h"

using namespace Qt::StringLiterals;

namespace sd::core {

QString fillPlaceholders(const QString &text, const QHash<QString, QString> &values,
                         Escaping escaping)
{
    QString out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf(u"{{"_s, pos);
        if (open < 0)
            break;
        const qsizetype close = text.indexOf(u"}}"_s, open + 2);
        if (close < 0)
            break;
        out.append(QStringView(text).mid(pos, open - pos));
        const QString name = text.mid(open + 2, close - open - 2).trimmed();
        const QString value = values.value(name);
        out.append(escaping == Escaping::Html ? value.toHtmlEscaped() : value);
        pos = close + 2;
    }
    out.append(QStringView(text).mid(pos));
    return out;
}

QString supportedLanguage(const QString &language)
{
    const QString primary = language.trimmed().toLower().section(u'-', 0, 0).section(u'_', 0, 0);
    return Config::languages().contains(primary) ? primary : u"en"_s;
}

} // namespace sd::core
