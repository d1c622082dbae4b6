#pragma once

#include "apierror.h"

#include <QJsonObject>

#include <optional>

namespace sd::http {

// Strict reading of a JSON request body: an object, nested at most 32 deep; fields of the
// wrong type, or missing/null when required, are invalid_body. Unknown fields are ignored.
// Duplicate keys: the last one wins (QJsonDocument's behaviour), documented in docs/API-NOTES.md.
class JsonBody
{
public:
    static constexpr int kMaxDepth = 32;
    static ApiResult<JsonBody> parse(const QByteArray &bytes);

    ApiResult<QString> requiredString(const QString &name) const;
    ApiResult<std::optional<QString>> optionalString(const QString &name) const;
    ApiResult<std::optional<QStringList>> optionalStringList(const QString &name) const;
    ApiResult<qint64> requiredInteger(const QString &name) const;
    bool has(const QString &name) const;

private:
    QJsonObject m_object;
};

} // namespace sd::http
