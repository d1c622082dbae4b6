#include "jsonbody.h"

#include "validation/names.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace sd::http {

namespace {

// Depth of brackets outside strings: refuse deep nesting before the parser sees it.
bool tooDeep(const QByteArray &bytes, int maxDepth)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : bytes) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[') {
            if (++depth > maxDepth)
                return true;
        } else if (c == '}' || c == ']')
            --depth;
    }
    return false;
}

// Every key and string in the document is valid Unicode. QJsonDocument refuses malformed UTF-8
// itself but keeps an escaped lone surrogate ("\ud800") as it is; hashing or storing that as
// UTF-8 turns it into U+FFFD, so "\ud800" and "\udfff" would be the same password.
bool isValidUnicode(const QJsonValue &value)
{
    if (value.isString())
        return core::names::isValidUnicode(value.toString());
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::all_of(array.begin(), array.end(),
                           [](const QJsonValue &v) { return isValidUnicode(v); });
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            if (!core::names::isValidUnicode(it.key()) || !isValidUnicode(it.value()))
                return false;
    }
    return true;
}

} // namespace

ApiResult<JsonBody> JsonBody::parse(const QByteArray &bytes)
{
    if (tooDeep(bytes, kMaxDepth))
        return fail(HttpErrorCode::InvalidJson, u"nested too deep"_s);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(HttpErrorCode::InvalidJson, error.errorString());
    if (!doc.isObject())
        return fail(HttpErrorCode::InvalidJson, u"not an object"_s);
    // RFC 8259 8.2: such strings have no defined meaning; API.md: bodies are UTF-8 text.
    if (!isValidUnicode(doc.object()))
        return fail(HttpErrorCode::InvalidJson,
                    u"a string is not valid Unicode (unpaired surrogate)"_s);
    JsonBody body;
    body.m_object = doc.object();
    return body;
}

bool JsonBody::has(const QString &name) const
{
    return m_object.contains(name) && !m_object.value(name).isNull();
}

ApiResult<QString> JsonBody::requiredString(const QString &name) const
{
    const QJsonValue v = m_object.value(name);
    if (!v.isString())
        return fail(HttpErrorCode::InvalidBody, u"field %1 must be a string"_s.arg(name));
    return v.toString();
}

ApiResult<std::optional<QString>> JsonBody::optionalString(const QString &name) const
{
    const QJsonValue v = m_object.value(name);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    if (!v.isString())
        return fail(HttpErrorCode::InvalidBody, u"field %1 must be a string"_s.arg(name));
    return std::optional<QString>(v.toString());
}

ApiResult<std::optional<QStringList>> JsonBody::optionalStringList(const QString &name) const
{
    const QJsonValue v = m_object.value(name);
    if (v.isUndefined() || v.isNull())
        return std::optional<QStringList>();
    if (!v.isArray())
        return fail(HttpErrorCode::InvalidBody,
                    u"field %1 must be an array of strings"_s.arg(name));
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString())
            return fail(HttpErrorCode::InvalidBody,
                        u"field %1 must be an array of strings"_s.arg(name));
        out.append(item.toString());
    }
    return std::optional<QStringList>(out);
}

ApiResult<qint64> JsonBody::requiredInteger(const QString &name) const
{
    const QJsonValue v = m_object.value(name);
    if (!v.isDouble())
        return fail(HttpErrorCode::InvalidBody, u"field %1 must be an integer"_s.arg(name));
    const double d = v.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9.0e15)
        return fail(HttpErrorCode::InvalidBody, u"field %1 must be an integer"_s.arg(name));
    return qint64(d);
}

} // namespace sd::http
