#pragma once

#include "apierror.h"
#include "httpmessage.h"

#include <QHash>
#include <QString>

// Rendering of the embedded pages (API.md "Pages end users reach from email links"): HTML
// fragments from resources/pages, the strings of each language, the layout, and errors as
// pages. No script, no external asset; values are HTML-escaped when they are filled in.
namespace sd::http::pages {

// A resource's text, or empty (logged) when it is missing.
QString readResource(const QString &path);

// The text of `key` in `language` (English fills what a language lacks; the key itself when
// no language has it).
QString text(const QString &language, const QString &key);

// The fragment resources/pages/<name>.html with `values` (HTML-escaped) and the language's
// strings ({{t.key}}) filled in.
QString fragment(const QString &name, const QString &language,
                 const QHash<QString, QString> &values = {});

// fragment(), with its {{tos}} replaced by the Terms of Service checkbox of `tosVersion`
// (nothing when it is empty). The checkbox is HTML already, so it goes in after the escaping.
QString fragmentWithTos(const QString &name, const QString &language,
                        QHash<QString, QString> values, const QString &tosVersion);

// fragment(), with each {{name}} of `html` replaced by that already rendered HTML (lists built
// from other fragments), after the escaping of `values`.
QString fragmentWithHtml(const QString &name, const QString &language,
                         QHash<QString, QString> values, const QHash<QString, QString> &html);

// A message paragraph: the string `key`, with an optional CSS class ("error", ...).
QString message(const QString &language, const QString &key, const QString &cssClass = {});

// A whole page around already rendered `contentHtml`; the title is a string key.
HttpResponse page(int status, const QString &language, const QString &titleKey,
                  const QString &contentHtml);

// 403 for a form that failed the CSRF or same-site check.
HttpResponse forbiddenPage(const QString &language);

// An error as a page in the user's language, with the status and Retry-After of the JSON API.
HttpResponse errorPage(const QString &language, const ApiError &error);

} // namespace sd::http::pages
