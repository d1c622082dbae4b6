// JSON request bodies: the strict parser (depth, object, types) and then the signup rules
// on whatever fields parsed. Nothing may crash, leak or hang, and no string of an accepted body
// is invalid Unicode (an escaped lone surrogate refuses the body).

#include "jsonbody.h"
#include "validation/names.h"
#include "validation/signupvalidator.h"

#include <QCoreApplication>

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sd::core::Config config;
    static const sd::core::SignupValidator validator(config, {u"admin"_s}, {u"password1234"_s});
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    auto body = sd::http::JsonBody::parse(bytes);
    if (!body)
        return 0;
    sd::core::SignupInput input;
    input.username = body->requiredString(u"username"_s).value_or(QString());
    input.password = body->requiredString(u"password"_s).value_or(QString());
    input.email = body->requiredString(u"email"_s).value_or(QString());
    input.displayName =
        body->optionalString(u"display_name"_s).value_or(std::nullopt).value_or(QString());
    input.currentApp = body->optionalString(u"current_app"_s).value_or(std::nullopt);
    input.appList = body->optionalStringList(u"app_list"_s).value_or(std::nullopt);
    input.language = body->optionalString(u"language"_s).value_or(std::nullopt);
    for (const QString &s : {input.username, input.password, input.email, input.displayName})
        if (!sd::core::names::isValidUnicode(s))
            std::abort();
    (void)body->requiredInteger(u"timestamp"_s);
    (void)validator.validate(input);
    (void)validator.resolveApps(input);
    return 0;
}
