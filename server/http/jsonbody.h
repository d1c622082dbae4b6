#pragma once

#include "result.h"

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
    static core::Result<JsonBody> parse(const QByteArray &bytes);

    core::Result<QString> requiredString(const QString &name) const;
    core::Result<std::optional<QString>> optionalString(const QString &name) const;
    core::Result<std::optional<QStringList>> optionalStringList(const QString &name) const;
    core::Result<qint64> requiredInteger(const QString &name) const;
    bool has(const QString &name) const;

private:
    QJsonObject m_object;
};

} // namespace sd::http
