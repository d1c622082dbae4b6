#include "validation/signupvalidator.h"

#include "validation/names.h"

#include <QFile>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

QSet<QString> readList(const QString &resource)
{
    QSet<QString> out;
    QFile f(resource);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing resource %s", qPrintable(resource));
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (!line.isEmpty() && !line.startsWith(u'#'))
            out.insert(line.toLower());
    }
    return out;
}

bool hasControlCharacters(const QString &s)
{
    for (QChar c : s)
        if (c.category() == QChar::Other_Control || c == QChar::LineSeparator ||
            c == QChar::ParagraphSeparator)
            return true;
    return false;
}

} // namespace

QSet<QString> SignupValidator::shippedReservedUsernames()
{
    return readList(u":/lists/reserved-usernames.txt"_s);
}

QSet<QString> SignupValidator::shippedCommonPasswords()
{
    return readList(u":/lists/common-passwords.txt"_s);
}

SignupValidator::SignupValidator(const Config &config, QSet<QString> reservedUsernames,
                                 QSet<QString> commonPasswords)
    : m_config(config), m_common(std::move(commonPasswords))
{
    // Kept as keys, so `admin.`, `_Admin` or `ad-min` meet the entry `admin` (names.h).
    for (const QString &name : std::as_const(reservedUsernames))
        m_reserved.insert(names::reservedNameKey(name));
    for (const QString &name : config.reservedUsernames)
        m_reserved.insert(names::reservedNameKey(name));
}

bool SignupValidator::isReservedUsername(const QString &username) const
{
    return m_reserved.contains(names::reservedNameKey(username));
}

bool SignupValidator::isValidUsername(const QString &username)
{
    // \z, not $: PCRE's $ also matches before a final newline, which would let "alice\n" in.
    static const QRegularExpression re(u"^[A-Za-z0-9._-]{3,32}\\z"_s);
    return re.match(username).hasMatch();
}

bool SignupValidator::isValidEmail(const QString &email)
{
    // A dot-atom local part and a host name of LDH labels: what deliverable addresses look
    // like. Quoted local parts and address literals are refused on purpose.
    if (email.size() > 254 || hasControlCharacters(email))
        return false;
    static const QRegularExpression re(
        u"^([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
        "@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)\\z"_s);
    const auto m = re.match(email);
    return m.hasMatch() && m.captured(1).size() <= 64;
}

QStringList SignupValidator::passwordProblems(const QString &password, const QString &username,
                                              const QString &email) const
{
    QStringList problems;
    // Not valid Unicode (an unpaired surrogate) would be hashed as U+FFFD, so different
    // passwords would be equal; a control character cannot be typed back into a form. Valid
    // text is hashed exactly as given, never normalised: stored hashes keep verifying.
    if (!names::isValidUnicode(password) || names::hasControlCharacters(password))
        problems << u"invalid_characters"_s;
    const qsizetype length = password.toUcs4().size(); // characters, not UTF-16 units
    if (length < 12)
        problems << u"too_short"_s;
    else if (length > 256)
        problems << u"too_long"_s;
    const QString lower = password.toLower();
    const QString local = email.section(u'@', 0, 0).toLower();
    // A 1- or 2-letter name would forbid most passwords: for those only equality counts.
    auto conflicts = [&](const QString &part) {
        return !part.isEmpty() && (lower == part || (part.size() >= 3 && lower.contains(part)));
    };
    if (conflicts(username.toLower()) || conflicts(local))
        problems << u"contains_username_or_email"_s;
    if (m_common.contains(lower))
        problems << u"too_common"_s;
    return problems;
}

QMap<QString, QStringList> SignupValidator::validate(const SignupInput &in,
                                                     bool forSelfService) const
{
    return validate(in, m_config.apps, forSelfService);
}

QMap<QString, QStringList> SignupValidator::validate(const SignupInput &in, const QStringList &apps,
                                                     bool forSelfService) const
{
    QMap<QString, QStringList> errors;
    if (in.username.isEmpty())
        errors[u"username"_s] << u"required"_s;
    else if (!isValidUsername(in.username))
        errors[u"username"_s] << u"invalid_format"_s;
    else if (forSelfService && isReservedUsername(in.username))
        errors[u"username"_s] << u"reserved"_s;

    if (in.email.isEmpty())
        errors[u"email"_s] << u"required"_s;
    else if (!isValidEmail(in.email))
        errors[u"email"_s] << u"invalid_format"_s;

    if (in.password.isEmpty())
        errors[u"password"_s] << u"required"_s;
    else if (const QStringList p = passwordProblems(in.password, in.username, in.email);
             !p.isEmpty())
        errors[u"password"_s] = p;

    if (auto name = names::checkDisplayName(in.displayName); !name)
        errors[u"display_name"_s] << name.error();

    if (in.currentApp && !apps.contains(*in.currentApp))
        errors[u"current_app"_s] << u"unknown_app"_s;
    if (in.appList) {
        if (in.appList->isEmpty())
            errors[u"app_list"_s] << u"required"_s;
        for (const QString &app : *in.appList)
            if (!apps.contains(app)) {
                errors[u"app_list"_s] << u"unknown_app"_s;
                break;
            }
        if (in.currentApp && !in.appList->contains(*in.currentApp))
            errors[u"app_list"_s] << u"must_contain_current_app"_s;
    }
    if (in.language && !Config::languages().contains(*in.language))
        errors[u"language"_s] << u"unsupported"_s;
    return errors;
}

QStringList SignupValidator::resolveApps(const SignupInput &in) const
{
    return resolveApps(in, m_config.apps);
}

QStringList SignupValidator::resolveApps(const SignupInput &in, const QStringList &apps) const
{
    if (in.appList && !in.appList->isEmpty()) {
        QStringList apps = *in.appList;
        apps.removeDuplicates();
        return apps;
    }
    if (in.currentApp)
        return {*in.currentApp};
    return {apps.value(0)};
}

} // namespace sd::core
