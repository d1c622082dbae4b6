#include "settings/inifile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

struct Line
{
    QString text;
    QString section; // the section this line belongs to
    QString key;     // for key = value lines
};

bool isComment(QStringView trimmed)
{
    return trimmed.startsWith(u';') || trimmed.startsWith(u'#');
}

} // namespace

QString iniValueText(const QString &value)
{
    // QSettings reads an unquoted value with a comma as a list, stops at ';', drops surrounding
    // spaces, unescapes backslashes and takes a leading @ as a type marker. Quoted, a value
    // keeps all of that; "@" is doubled either way.
    QString v = value;
    if (v.startsWith(u'@'))
        v.prepend(u'@');
    bool plain = !v.isEmpty() && v.trimmed() == v;
    for (const QChar ch : std::as_const(v))
        if (ch == u',' || ch == u'"' || ch == u'\\' || ch == u';' || ch == u'#' || ch == u'=' ||
            ch.unicode() < 0x20 || ch.unicode() == 0x7f)
            plain = false;
    if (plain || v.isEmpty())
        return v;
    QString out = u"\""_s;
    for (const QChar ch : std::as_const(v)) {
        switch (ch.unicode()) {
        case '"':
            out += u"\\\""_s;
            break;
        case '\\':
            out += u"\\\\"_s;
            break;
        case '\n':
            out += u"\\n"_s;
            break;
        case '\r':
            out += u"\\r"_s;
            break;
        case '\t':
            out += u"\\t"_s;
            break;
        default:
            if (ch.unicode() < 0x20 || ch.unicode() == 0x7f)
                out += u"\\x"_s + QString::number(ch.unicode(), 16).rightJustified(4, u'0');
            else
                out += ch;
        }
    }
    return out + u'"';
}

Result<void> writeIniValues(const QString &path, const QList<std::pair<QString, QString>> &values)
{
    const QFileInfo info(path);
    if (path.isEmpty())
        return fail(ErrorCode::Unavailable, u"no config file to write"_s);
    const bool existed = info.exists();
    if (existed && (!info.isFile() || !info.isWritable()))
        return fail(ErrorCode::Unavailable, path + u" is not a writable file"_s);

    QList<Line> lines;
    QString eol = u"\n"_s;
    if (existed) {
        QFile in(path);
        if (!in.open(QIODevice::ReadOnly))
            return fail(ErrorCode::Unavailable, path + u": "_s + in.errorString());
        const QString text = QString::fromUtf8(in.readAll());
        if (text.contains(u"\r\n"_s))
            eol = u"\r\n"_s;
        QStringList raw = text.split(eol);
        if (!raw.isEmpty() && raw.constLast().isEmpty())
            raw.removeLast(); // the file's final line break
        QString section;
        for (const QString &t : std::as_const(raw)) {
            const QString trimmed = t.trimmed();
            Line line{t, section, {}};
            if (trimmed.startsWith(u'[') && trimmed.endsWith(u']')) {
                section = trimmed.mid(1, trimmed.size() - 2).trimmed();
                line.section = section;
            } else if (!trimmed.isEmpty() && !isComment(trimmed) && trimmed.contains(u'=')) {
                line.key = trimmed.section(u'=', 0, 0).trimmed();
            }
            lines.append(line);
        }
    }

    for (const auto &[name, value] : values) {
        const QString section = name.section(u'/', 0, 0);
        const QString key = name.section(u'/', 1);
        const QString text = key + u'=' + iniValueText(value);
        bool replaced = false;
        qsizetype lastOfSection = -1;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (lines[i].section != section)
                continue;
            if (lines[i].key == key) {
                if (replaced) { // a duplicate below the first: QSettings would take one of them
                    lines.removeAt(i--);
                    continue;
                }
                lines[i].text = text;
                replaced = true;
            }
            if (!lines[i].text.trimmed().isEmpty())
                lastOfSection = i;
        }
        if (replaced)
            continue;
        if (lastOfSection >= 0) {
            lines.insert(lastOfSection + 1, Line{text, section, key});
        } else {
            if (!lines.isEmpty() && !lines.constLast().text.trimmed().isEmpty())
                lines.append(Line{{}, lines.constLast().section, {}});
            lines.append(Line{u"["_s + section + u']', section, {}});
            lines.append(Line{text, section, key});
        }
    }

    if (!QDir().mkpath(info.absolutePath()))
        return fail(ErrorCode::Unavailable, u"cannot create the folder "_s + info.absolutePath());
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return fail(ErrorCode::Unavailable, path + u": "_s + out.errorString());
    QString text;
    for (const Line &line : std::as_const(lines))
        text += line.text + eol;
    out.write(text.toUtf8());
    if (!existed)
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!out.commit())
        return fail(ErrorCode::Unavailable, path + u": "_s + out.errorString());
    return {};
}

} // namespace sd::core
