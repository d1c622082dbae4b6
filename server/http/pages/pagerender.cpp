#include "pagerender.h"

#include "config.h"
#include "emails/placeholders.h"
#include "errormapping.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;
using sd::core::ErrorCode;
using sd::core::Escaping;

namespace sd::http::pages {

namespace {

const QByteArray kHtml = "text/html; charset=utf-8";

// Every resources/pages/*.html, by name without the suffix, read once.
const QHash<QString, QString> &fragments()
{
    static const QHash<QString, QString> loaded = [] {
        QHash<QString, QString> out;
        const QDir dir(u":/pages"_s);
        for (const QString &file : dir.entryList({u"*.html"_s}, QDir::Files))
            out.insert(QFileInfo(file).completeBaseName(), readResource(dir.filePath(file)));
        return out;
    }();
    return loaded;
}

// "t.<key>" → text, per language; English fills what a language lacks.
const QHash<QString, QHash<QString, QString>> &catalogs()
{
    static const QHash<QString, QHash<QString, QString>> loaded = [] {
        QHash<QString, QHash<QString, QString>> out;
        QHash<QString, QString> english;
        for (const QString &language : core::Config::languages()) {
            const QJsonObject o =
                QJsonDocument::fromJson(
                    readResource(u":/pages/strings/"_s + language + u".json"_s).toUtf8())
                    .object();
            QHash<QString, QString> strings = english;
            for (auto it = o.begin(); it != o.end(); ++it)
                strings.insert(u"t."_s + it.key(), it.value().toString());
            if (language == u"en"_s)
                english = strings;
            out.insert(language, strings);
        }
        return out;
    }();
    return loaded;
}

QString errorKey(const ApiError &error)
{
    if (error.http) {
        switch (*error.http) {
        case HttpErrorCode::MethodNotAllowed:
            return u"error_method"_s;
        case HttpErrorCode::PayloadTooLarge:
            return u"error_too_large"_s;
        case HttpErrorCode::UnsupportedMediaType:
            return u"error_media_type"_s;
        default:
            return u"error_bad_request"_s;
        }
    }
    switch (error.domain.code) {
    case ErrorCode::NotFound:
        return u"error_not_found"_s;
    case ErrorCode::RateLimited:
        return u"error_rate_limited"_s;
    case ErrorCode::Busy:
    case ErrorCode::Unavailable:
        return u"error_busy"_s;
    case ErrorCode::Forbidden:
        return u"forbidden_message"_s;
    case ErrorCode::Internal:
        return u"error_internal"_s;
    default:
        return u"error_bad_request"_s;
    }
}

} // namespace

QString readResource(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        qWarning("page resource %s missing", qPrintable(path));
        return {};
    }
    return QString::fromUtf8(f.readAll());
}

QString text(const QString &language, const QString &key)
{
    return catalogs().value(language).value(u"t."_s + key, key);
}

QString fragment(const QString &name, const QString &language,
                 const QHash<QString, QString> &values)
{
    QHash<QString, QString> all = catalogs().value(language);
    all.insert(values);
    return core::fillPlaceholders(fragments().value(name), all, Escaping::Html);
}

QString fragmentWithHtml(const QString &name, const QString &language,
                         QHash<QString, QString> values, const QHash<QString, QString> &html)
{
    // Control characters: no escaped value can contain them.
    QHash<QString, QString> markers;
    for (auto it = html.begin(); it != html.end(); ++it) {
        const QString marker = u"\u0001"_s + it.key() + u"\u0001"_s;
        values.insert(it.key(), marker);
        markers.insert(marker, it.value());
    }
    QString out = fragment(name, language, values);
    for (auto it = markers.begin(); it != markers.end(); ++it)
        out.replace(it.key(), it.value());
    return out;
}

QString fragmentWithTos(const QString &name, const QString &language,
                        QHash<QString, QString> values, const QString &tosVersion)
{
    QString tos;
    if (!tosVersion.isEmpty())
        tos = fragment(u"tos_checkbox"_s, language,
                       {{u"t.tos_label"_s, core::fillPlaceholders(text(language, u"tos_label"_s),
                                                                  {{u"version"_s, tosVersion}},
                                                                  core::Escaping::None)}});
    return fragmentWithHtml(name, language, std::move(values), {{u"tos"_s, tos}});
}

QString message(const QString &language, const QString &key, const QString &cssClass)
{
    return fragment(u"message"_s, language,
                    {{u"message"_s, text(language, key)}, {u"class"_s, cssClass}});
}

HttpResponse page(int status, const QString &language, const QString &titleKey,
                  const QString &contentHtml)
{
    const QString layout = fragments().value(u"layout"_s);
    const qsizetype at = layout.indexOf(u"{{content}}"_s);
    const QHash<QString, QString> values{{u"lang"_s, language},
                                         {u"title"_s, text(language, titleKey)}};
    const QString html = core::fillPlaceholders(layout.left(at), values, Escaping::Html) +
                         contentHtml +
                         core::fillPlaceholders(layout.mid(at + 11), values, Escaping::Html);
    return {status, kHtml, html.toUtf8(), {}};
}

HttpResponse forbiddenPage(const QString &language)
{
    return page(403, language, u"forbidden_title"_s,
                message(language, u"forbidden_message"_s, u"error"_s));
}

HttpResponse errorPage(const QString &language, const ApiError &error)
{
    if (error.is(ErrorCode::Unavailable))
        qWarning("unavailable: %s", qPrintable(error.domain.detail));
    HttpResponse r = page(httpStatus(error), language, u"error_title"_s,
                          message(language, errorKey(error), u"error"_s));
    addRetryAfter(r, error);
    return r;
}

} // namespace sd::http::pages
