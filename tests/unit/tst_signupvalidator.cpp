#include "validation/names.h"
#include "validation/signupvalidator.h"

#include <QTest>

using namespace Qt::StringLiterals;
using sd::core::Config;
using sd::core::SignupInput;
using sd::core::SignupValidator;

namespace {

// A signup that breaks no rule; each row changes one thing.
constexpr auto kUsername = u"alice_01";
constexpr auto kEmail = u"walrus.keeper@example.org";
constexpr auto kPassword = u"Tr0ub4dor&3-zebra-lamp";

// 254 characters: a 64-character local part, "@", four valid labels.
QString emailOfLength(int length)
{
    const QString local(64, u'a');
    const int domainLength = length - 65;
    // labels of 63, 63 and the rest, separated by dots
    const QString domain =
        QString(63, u'b') + u'.' + QString(63, u'c') + u'.' + QString(domainLength - 128, u'd');
    return local + u'@' + domain;
}

QString repeat(const QString &s, int times)
{
    QString out;
    for (int i = 0; i < times; ++i)
        out += s;
    return out;
}

// "field:code" for every message, sorted, so a row also fails on an unexpected extra error.
QStringList flatten(const QMap<QString, QStringList> &errors)
{
    QStringList out;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        for (const QString &code : it.value())
            out << it.key() + u':' + code;
    out.sort();
    return out;
}

} // namespace

class TestSignupValidator : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void shippedLists();
    void validate_data();
    void validate();
    void reservedOnlyForSelfService_data();
    void reservedOnlyForSelfService();
    void configuredReservedNames();
    void resolveApps();
    void displayNameRule_data();
    void displayNameRule();
    void sanitizedDisplayNames_data();
    void sanitizedDisplayNames();
    void reservedAfterNormalisation_data();
    void reservedAfterNormalisation();
    void passwordCharacters_data();
    void passwordCharacters();
    void strictUtf8_data();
    void strictUtf8();

private:
    Config m_config;
};

void TestSignupValidator::initTestCase()
{
    m_config.apps = {u"default"_s, u"shop"_s, u"forum"_s};
}

void TestSignupValidator::shippedLists()
{
    const QSet<QString> reserved = SignupValidator::shippedReservedUsernames();
    QVERIFY(reserved.contains(u"admin"_s));
    QVERIFY(reserved.contains(u"root"_s));
    QVERIFY(!reserved.contains(u"alice_01"_s));
    for (const QString &name : reserved)
        QCOMPARE(name, name.toLower()); // compared case-insensitively

    const QSet<QString> common = SignupValidator::shippedCommonPasswords();
    QVERIFY2(common.size() > 1000, qPrintable(QString::number(common.size())));
    QVERIFY(common.contains(u"password1234"_s));
    QVERIFY(!common.contains(QString::fromUtf16(kPassword).toLower()));
}

void TestSignupValidator::validate_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QVariant>("currentApp"); // invalid QVariant: field absent
    QTest::addColumn<QVariant>("appList");
    QTest::addColumn<QVariant>("language");
    QTest::addColumn<QStringList>("expected");

    const QString u = QString::fromUtf16(kUsername);
    const QString e = QString::fromUtf16(kEmail);
    const QString p = QString::fromUtf16(kPassword);
    const QVariant none;
    auto row = [&](const char *name, const QString &username, const QString &email,
                   const QString &password, const QStringList &expected) {
        QTest::newRow(name) << username << email << password << none << none << none << expected;
    };
    const QStringList ok;

    row("valid", u, e, p, ok);

    // username: 3–32 of [A-Za-z0-9._-]
    row("username empty", QString(), e, p, {u"username:required"_s});
    row("username 2 chars", u"ab"_s, e, p, {u"username:invalid_format"_s});
    row("username 3 chars", u"abc"_s, e, p, ok);
    row("username 32 chars", QString(32, u'k'), e, p, ok);
    row("username 33 chars", QString(33, u'k'), e, p, {u"username:invalid_format"_s});
    row("username every allowed char", u"Az09._-"_s, e, p, ok);
    row("username space", u"al ice"_s, e, p, {u"username:invalid_format"_s});
    row("username bang", u"alice!"_s, e, p, {u"username:invalid_format"_s});
    row("username at", u"alice@x"_s, e, p, {u"username:invalid_format"_s});
    row("username slash", u"al/ice"_s, e, p, {u"username:invalid_format"_s});
    row("username quote", u"al'ice"_s, e, p, {u"username:invalid_format"_s});
    row("username accented", u"álice"_s, e, p, {u"username:invalid_format"_s});
    row("username CJK", u"日本語名"_s, e, p, {u"username:invalid_format"_s});
    row("username emoji", u"alice😀"_s, e, p, {u"username:invalid_format"_s});
    row("username trailing newline", u"alice\n"_s, e, p, {u"username:invalid_format"_s});
    row("username reserved admin", u"admin"_s, e, p, {u"username:reserved"_s});
    row("username reserved ROOT", u"ROOT"_s, e, p, {u"username:reserved"_s});
    row("username reserved Postmaster", u"Postmaster"_s, e, p, {u"username:reserved"_s});
    row("username containing a reserved name", u"admin_alice"_s, e, p, ok);

    // email: a valid addr-spec of at most 254 characters, local part at most 64
    row("email empty", u, QString(), p, {u"email:required"_s});
    row("email plus and subdomains", u, u"a.b+tag@mail.example.co.uk"_s, p, ok);
    row("email no @", u, u"walrus.example.org"_s, p, {u"email:invalid_format"_s});
    row("email two @", u, u"walrus@keeper@example.org"_s, p, {u"email:invalid_format"_s});
    row("email no local part", u, u"@example.org"_s, p, {u"email:invalid_format"_s});
    row("email no domain", u, u"walrus@"_s, p, {u"email:invalid_format"_s});
    row("email 254 chars", u, emailOfLength(254), p, ok);
    row("email 255 chars", u, emailOfLength(255), p, {u"email:invalid_format"_s});
    row("email local part 64 chars", u, QString(64, u'l') + u"@example.org"_s, p, ok);
    row("email local part 65 chars", u, QString(65, u'l') + u"@example.org"_s, p,
        {u"email:invalid_format"_s});
    row("email space inside", u, u"walrus keeper@example.org"_s, p, {u"email:invalid_format"_s});
    row("email leading space", u, u" walrus@example.org"_s, p, {u"email:invalid_format"_s});
    row("email trailing space", u, u"walrus@example.org "_s, p, {u"email:invalid_format"_s});
    row("email NUL", u, u"walrus\u0000x@example.org"_s, p, {u"email:invalid_format"_s});
    row("email control char", u, u"wal\u0001rus@example.org"_s, p, {u"email:invalid_format"_s});
    row("email newline (header injection)", u, u"walrus@example.org\r\nBcc: x@evil.test"_s, p,
        {u"email:invalid_format"_s});
    row("email tab", u, u"walrus\t@example.org"_s, p, {u"email:invalid_format"_s});
    row("email DEL", u, u"walrus\u007f@example.org"_s, p, {u"email:invalid_format"_s});
    row("email line separator", u, u"walrus\u2028@example.org"_s, p, {u"email:invalid_format"_s});
    row("email double dot", u, u"walrus..keeper@example.org"_s, p, {u"email:invalid_format"_s});
    row("email domain label starts with hyphen", u, u"walrus@-example.org"_s, p,
        {u"email:invalid_format"_s});

    // password: 12–256 characters (not UTF-16 units)
    row("password empty", u, e, QString(), {u"password:required"_s});
    row("password 11 chars", u, e, u"Zq8#mWv2$kL"_s, {u"password:too_short"_s});
    row("password 12 chars", u, e, u"Zq8#mWv2$kLx"_s, ok);
    row("password 256 chars", u, e, repeat(u"Zq8#mWv2"_s, 32), ok);
    row("password 257 chars", u, e, repeat(u"Zq8#mWv2"_s, 32) + u'!', {u"password:too_long"_s});
    // 11 emoji are 22 UTF-16 units but 11 characters.
    row("password 11 emoji", u, e, repeat(u"😀"_s, 11), {u"password:too_short"_s});
    row("password 12 emoji", u, e, repeat(u"😀"_s, 12), ok);
    row("password 256 emoji", u, e, repeat(u"😀"_s, 256), ok);
    row("password 257 emoji", u, e, repeat(u"😀"_s, 257), {u"password:too_long"_s});
    row("password 12 accented", u, e, repeat(u"éü"_s, 6), ok);

    // password vs username and email local part
    row("password equals username", u"longusername1"_s, e, u"longusername1"_s,
        {u"password:contains_username_or_email"_s});
    row("password contains username", u, e, u"xx-alice_01-yy-zz"_s,
        {u"password:contains_username_or_email"_s});
    row("password contains username, other case", u, e, u"xx-ALICE_01-yy-zz"_s,
        {u"password:contains_username_or_email"_s});
    row("password equals email local part", u, u"averylongname@example.org"_s, u"averylongname"_s,
        {u"password:contains_username_or_email"_s});
    row("password contains email local part", u, e, u"my walrus.keeper pass"_s,
        {u"password:contains_username_or_email"_s});
    row("password contains email domain only", u, e, u"love-example.org-1"_s, ok);
    row("password both short and equal to username", u"longname"_s, e, u"longname"_s,
        {u"password:contains_username_or_email"_s, u"password:too_short"_s});

    // password vs the shipped common list, case-insensitively
    row("password common", u, e, u"password1234"_s, {u"password:too_common"_s});
    row("password common, capitalised", u, e, u"Password1234"_s, {u"password:too_common"_s});
    row("password common, upper case", u, e, u"PASSWORD1234"_s, {u"password:too_common"_s});
    row("password common, mixed case", u, e, u"pAsSwOrD1234"_s, {u"password:too_common"_s});
    row("password common passphrase", u, e, u"correct horse battery staple"_s,
        {u"password:too_common"_s});
    row("password common with suffix", u, e, u"password1234-but-longer"_s, ok);

    // apps (configured: default, shop, forum) and language
    auto appRow = [&](const char *name, const QVariant &current, const QVariant &list,
                      const QVariant &language, const QStringList &expected) {
        QTest::newRow(name) << u << e << p << current << list << language << expected;
    };
    appRow("current_app known", u"shop"_s, none, none, ok);
    appRow("current_app unknown", u"nope"_s, none, none, {u"current_app:unknown_app"_s});
    appRow("app_list subset with current_app", u"shop"_s, QStringList{u"shop"_s, u"forum"_s}, none,
           ok);
    appRow("app_list all apps, no current_app", none,
           QStringList{u"default"_s, u"shop"_s, u"forum"_s}, none, ok);
    appRow("app_list with unknown app", u"shop"_s, QStringList{u"shop"_s, u"nope"_s}, none,
           {u"app_list:unknown_app"_s});
    appRow("app_list without current_app", u"shop"_s, QStringList{u"forum"_s}, none,
           {u"app_list:must_contain_current_app"_s});
    appRow("app_list app name in other case", none, QStringList{u"Shop"_s}, none,
           {u"app_list:unknown_app"_s});
    appRow("language en", none, none, u"en"_s, ok);
    appRow("language fr", none, none, u"fr"_s, ok);
    appRow("language de", none, none, u"de"_s, ok);
    appRow("language unknown", none, none, u"xx"_s, {u"language:unsupported"_s});
    appRow("language empty", none, none, QString(u""_s), {u"language:unsupported"_s});

    QTest::newRow("several fields at once")
        << u"a"_s << u"nope"_s << u"short"_s << QVariant(u"nope"_s) << none << QVariant(u"xx"_s)
        << QStringList{u"current_app:unknown_app"_s, u"email:invalid_format"_s,
                       u"language:unsupported"_s, u"password:too_short"_s,
                       u"username:invalid_format"_s};
}

void TestSignupValidator::validate()
{
    QFETCH(QString, username);
    QFETCH(QString, email);
    QFETCH(QString, password);
    QFETCH(QVariant, currentApp);
    QFETCH(QVariant, appList);
    QFETCH(QVariant, language);
    QFETCH(QStringList, expected);

    const SignupValidator validator(m_config, SignupValidator::shippedReservedUsernames(),
                                    SignupValidator::shippedCommonPasswords());
    SignupInput input;
    input.username = username;
    input.email = email;
    input.password = password;
    if (currentApp.isValid())
        input.currentApp = currentApp.toString();
    if (appList.isValid())
        input.appList = appList.toStringList();
    if (language.isValid())
        input.language = language.toString();

    QStringList sortedExpected = expected;
    sortedExpected.sort();
    QCOMPARE(flatten(validator.validate(input)), sortedExpected);

    // The helpers agree with validate().
    if (!username.isEmpty() && username.size() <= 64)
        QCOMPARE(SignupValidator::isValidUsername(username),
                 !expected.contains(u"username:invalid_format"_s));
    if (!email.isEmpty())
        QCOMPARE(SignupValidator::isValidEmail(email),
                 !expected.contains(u"email:invalid_format"_s));
}

void TestSignupValidator::reservedOnlyForSelfService_data()
{
    QTest::addColumn<QString>("username");
    QTest::newRow("admin") << u"admin"_s;
    QTest::newRow("ROOT") << u"ROOT"_s;
    QTest::newRow("Administrator") << u"Administrator"_s;
}

void TestSignupValidator::reservedOnlyForSelfService()
{
    QFETCH(QString, username);
    const SignupValidator validator(m_config, SignupValidator::shippedReservedUsernames(), {});
    SignupInput input{
        username, QString::fromUtf16(kPassword), QString::fromUtf16(kEmail), {}, {}, {}, {}};
    QCOMPARE(validator.validate(input, true).value(u"username"_s), QStringList{u"reserved"_s});
    QVERIFY(validator.validate(input, false).isEmpty()); // e.g. admin create-superuser
}

void TestSignupValidator::configuredReservedNames()
{
    Config config = m_config;
    config.reservedUsernames = {u"Billing"_s};
    const SignupValidator validator(config, SignupValidator::shippedReservedUsernames(), {});
    SignupInput input{
        u"BILLING"_s, QString::fromUtf16(kPassword), QString::fromUtf16(kEmail), {}, {}, {}, {}};
    QCOMPARE(validator.validate(input).value(u"username"_s), QStringList{u"reserved"_s});
    input.username = u"admin"_s; // the shipped list still applies
    QCOMPARE(validator.validate(input).value(u"username"_s), QStringList{u"reserved"_s});
}

void TestSignupValidator::resolveApps()
{
    const SignupValidator validator(m_config, {}, {});
    SignupInput input;
    QCOMPARE(validator.resolveApps(input), QStringList{u"default"_s});
    input.currentApp = u"shop"_s;
    QCOMPARE(validator.resolveApps(input), QStringList{u"shop"_s});
    input.appList = QStringList{u"shop"_s, u"forum"_s, u"shop"_s};
    QCOMPARE(validator.resolveApps(input), (QStringList{u"shop"_s, u"forum"_s}));
}

// Issue 18 item 8: the one rule for display names (validation/names.h), and what
// validate() makes of it. `expected`: the stored value, or "!code" when refused.
void TestSignupValidator::displayNameRule_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("only spaces") << u"   "_s << QString();
    QTest::newRow("trimmed") << u"\u3000 Alice \u00A0"_s << u"Alice"_s;
    QTest::newRow("inner no-break space kept") << u"Jean\u00A0Dupont"_s << u"Jean\u00A0Dupont"_s;
    QTest::newRow("NFC") << u"Ame\u0301lie"_s << u"Amélie"_s;
    QTest::newRow("compatibility forms kept (NFC, not NFKC)") << u"ｆｕｌｌ ﬁ"_s << u"ｆｕｌｌ ﬁ"_s;
    QTest::newRow("CJK") << u"山田太郎"_s << u"山田太郎"_s;
    QTest::newRow("Arabic letters (right-to-left, no controls)") << u"محمد"_s << u"محمد"_s;
    QTest::newRow("emoji") << u"Kim 😀"_s << u"Kim 😀"_s;
    QTest::newRow("emoji ZWJ family") << u"👨\u200D👩\u200D👧"_s << u"👨\u200D👩\u200D👧"_s;
    QTest::newRow("rainbow flag (VS16, ZWJ)")
        << u"🏳\uFE0F\u200D🌈"_s << u"🏳\uFE0F\u200D🌈"_s;
    QTest::newRow("heart with VS16") << u"I \u2764\uFE0F NY"_s << u"I \u2764\uFE0F NY"_s;
    QTest::newRow("Persian ZWNJ") << u"می\u200Cخواهم"_s << u"می\u200Cخواهم"_s;
    QTest::newRow("Devanagari virama ZWJ") << u"क्\u200Dष"_s << u"क्\u200Dष"_s;
    QTest::newRow("private use") << u"Apple \uF8FF"_s << u"Apple \uF8FF"_s;
    QTest::newRow("U+FFFD itself") << u"a\uFFFDb"_s << u"a\uFFFDb"_s;
    QTest::newRow("128 characters") << QString(128, u'n') << QString(128, u'n');
    QTest::newRow("129 characters") << QString(129, u'n') << u"!too_long"_s;
    QTest::newRow("128 emoji (256 UTF-16 units)") << repeat(u"😀"_s, 128) << repeat(u"😀"_s, 128);
    QTest::newRow("129 emoji") << repeat(u"😀"_s, 129) << u"!too_long"_s;
    QTest::newRow("128 after NFC (256 before)") << repeat(u"e\u0301"_s, 128) << repeat(u"é"_s, 128);
    QTest::newRow("padded 128") << QString(u"  "_s + QString(128, u'n') + u" "_s)
                                << QString(128, u'n');
    // Refused anywhere: one row per character, in the middle of a name.
    const QList<char32_t> refused = {
        0x0000, 0x0001, 0x0009, 0x000A,  0x000D,  0x001B,   0x007F,  0x0080, 0x0085,
        0x009B, 0x009F,                                                              // C0, C1
        0x202A, 0x202B, 0x202C, 0x202D,  0x202E,  0x2066,   0x2067,  0x2068, 0x2069, // bidi
        0x200E, 0x200F, 0x061C,                                                      // marks
        0x200B, 0xFEFF, 0x00AD, 0x2060,  0x2061,  0x2062,   0x2063,  0x2064, 0x180E,
        0x0600, 0x06DD,                                              // format
        0xFFF9, 0xFFFA, 0xFFFB, 0x1D173, 0xE0001, 0xE0041,  0xE007F, // format
        0x2028, 0x2029,                                              // separators
        0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF,  0x1FFFE, 0x10FFFF,          // noncharacters
        0x034F, 0x115F, 0x1160, 0x3164,  0xFFA0,  0x17B4,   0x2065,  0xFFF0, 0xE0000, // invisible
    };
    for (const char32_t c : refused) // (not QString::fromUcs4: it would drop U+FEFF as a BOM)
        QTest::addRow("U+%04X", unsigned(c))
            << QString(u"Eve"_s + QStringView(QChar::fromUcs4(c)) + u"gnp.exe"_s)
            << u"!invalid_characters"_s;
    QTest::newRow("lone high surrogate")
        << QString(u"Eve"_s + QChar(0xD800) + u"x"_s) << u"!invalid_characters"_s;
    QTest::newRow("lone low surrogate")
        << QString(u"Eve"_s + QChar(0xDFFF)) << u"!invalid_characters"_s;
    QTest::newRow("reversed pair")
        << QString(u"Eve"_s + QChar(0xDE00) + QChar(0xD83D)) << u"!invalid_characters"_s;
    QTest::newRow("leading ZWJ") << u"\u200DEve"_s << u"!invalid_characters"_s;
    QTest::newRow("trailing ZWNJ") << u"Eve\u200C"_s << u"!invalid_characters"_s;
    QTest::newRow("two ZWJ") << u"E\u200D\u200Dve"_s << u"!invalid_characters"_s;
    QTest::newRow("ZWJ next to a space") << u"Eve \u200Dx"_s << u"!invalid_characters"_s;
    QTest::newRow("leading variation selector") << u"\uFE0FEve"_s << u"!invalid_characters"_s;
    QTest::newRow("two variation selectors") << u"\u2764\uFE0F\uFE0F"_s << u"!invalid_characters"_s;
    QTest::newRow("too long and refused")
        << QString(QString(200, u'n') + u"\u202E"_s) << u"!invalid_characters"_s;
}

void TestSignupValidator::displayNameRule()
{
    QFETCH(QString, name);
    QFETCH(QString, expected);
    const auto checked = sd::core::names::checkDisplayName(name);
    if (expected.startsWith(u'!')) {
        QVERIFY(!checked);
        QCOMPARE(checked.error(), expected.mid(1));
    } else {
        QVERIFY2(checked, qPrintable(checked ? QString() : checked.error()));
        QCOMPARE(*checked, expected);
        QCOMPARE(sd::core::names::checkDisplayName(*checked).value_or(u"(refused)"_s),
                 *checked); // stable
    }
    // validate() gives the same answer for the display_name field.
    const SignupValidator validator(m_config, {}, {});
    SignupInput input{QString::fromUtf16(kUsername),
                      QString::fromUtf16(kPassword),
                      QString::fromUtf16(kEmail),
                      name,
                      {},
                      {},
                      {}};
    const QStringList fieldErrors = validator.validate(input).value(u"display_name"_s);
    QCOMPARE(fieldErrors, expected.startsWith(u'!') ? QStringList{expected.mid(1)} : QStringList{});
    // Whatever it is, the cleaned version passes the rule unchanged and is never longer.
    const QString clean = sd::core::names::sanitizedDisplayName(name);
    QCOMPARE(sd::core::names::checkDisplayName(clean).value_or(u"(refused)"_s), clean);
    QVERIFY(clean.toUcs4().size() <= sd::core::names::kMaxDisplayNameLength);
    if (!expected.startsWith(u'!'))
        QCOMPARE(clean, expected);
}

void TestSignupValidator::sanitizedDisplayNames_data()
{
    QTest::addColumn<QString>("foreign");
    QTest::addColumn<QString>("expected");
    QTest::newRow("bidi override dropped") << u"Eve\u202Egnp.exe"_s << u"Evegnp.exe"_s;
    QTest::newRow("line breaks become spaces") << u"Ann\r\nLee\u2028Jr"_s << u"Ann  Lee Jr"_s;
    QTest::newRow("only controls") << u"\u202E\u200B\u0007"_s << QString();
    QTest::newRow("dangling joiners dropped") << u"\u200DEve\u200D \u200D"_s << u"Eve"_s;
    QTest::newRow("joiner losing its neighbour") << u"a\u200D\u202E"_s << u"a"_s;
    QTest::newRow("lone surrogate dropped") << QString(u"Eve"_s + QChar(0xD800)) << u"Eve"_s;
    QTest::newRow("cut to 128 characters") << QString(300, u'n') << QString(128, u'n');
    QTest::newRow("cut leaves no trailing joiner")
        << QString(QString(127, u'n') + u"\u200Dx"_s) << QString(127, u'n');
    QTest::newRow("cut keeps emoji whole") << repeat(u"😀"_s, 200) << repeat(u"😀"_s, 128);
}

void TestSignupValidator::sanitizedDisplayNames()
{
    QFETCH(QString, foreign);
    QFETCH(QString, expected);
    QCOMPARE(sd::core::names::sanitizedDisplayName(foreign), expected);
}

// Reserved usernames match after case folding, compatibility forms and separators (before,
// only exactly: `admin.`, `.admin`, `admin_`, `-admin` and `root.` were accepted).
void TestSignupValidator::reservedAfterNormalisation_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("reserved");
    for (const char *name :
         {"admin",   "ADMIN",     "admin.",      ".admin",     "admin_",   "-admin",     "root.",
          "_root_",  "ad.min",    "a-d-m-i-n",   "Ad__Min",    "r.o.o.t",  "--root--",   "no.reply",
          "noreply", "No_Reply-", "post-master", "web.master", "ｒｏｏｔ", "ＡＤＭＩＮ", "ad－min"})
        QTest::newRow(name) << QString::fromUtf8(name) << true;
    for (const char *name : {"admin_alice", "rooter", "ad.mins", "administrators", "alice", "r00t"})
        QTest::newRow(name) << QString::fromUtf8(name) << false;
}

void TestSignupValidator::reservedAfterNormalisation()
{
    QFETCH(QString, username);
    QFETCH(bool, reserved);
    Config config = m_config;
    config.reservedUsernames = {u"Bil.ling"_s};
    const SignupValidator validator(config, SignupValidator::shippedReservedUsernames(), {});
    QCOMPARE(validator.isReservedUsername(username), reserved);
    QVERIFY(validator.isReservedUsername(u"_billing_"_s));
    SignupInput input{
        username, QString::fromUtf16(kPassword), QString::fromUtf16(kEmail), {}, {}, {}, {}};
    const QStringList errors = validator.validate(input).value(u"username"_s);
    if (SignupValidator::isValidUsername(username))
        QCOMPARE(errors, reserved ? QStringList{u"reserved"_s} : QStringList{});
    else
        QCOMPARE(errors, QStringList{u"invalid_format"_s}); // full-width forms never get this far
}

// New passwords: valid Unicode without control characters; everything else unchanged (no
// normalisation, so stored hashes keep verifying).
void TestSignupValidator::passwordCharacters_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("refused");
    const QString base = u"correct battery staple"_s;
    for (const char16_t c : {u'\u0000', u'\u0001', u'\u0009', u'\u000A', u'\u000D', u'\u001F',
                             u'\u007F', u'\u0080', u'\u0085', u'\u009F'})
        QTest::addRow("U+%04X", unsigned(c)) << QString(base + QChar(c)) << true;
    QTest::newRow("lone high surrogate") << QString(base + QChar(0xD800)) << true;
    QTest::newRow("lone low surrogate") << QString(base + QChar(0xDFFF)) << true;
    QTest::newRow("emoji pair") << QString(base + u"😀"_s) << false;
    QTest::newRow("U+FFFD") << QString(base + u"\uFFFD"_s) << false;
    QTest::newRow("bidi override (valid text)") << QString(base + u"\u202E"_s) << false;
    QTest::newRow("no-break space") << QString(base + u"\u00A0"_s) << false;
    QTest::newRow("decomposed accent") << QString(base + u"e\u0301"_s) << false;
}

void TestSignupValidator::passwordCharacters()
{
    QFETCH(QString, password);
    QFETCH(bool, refused);
    const SignupValidator validator(m_config, {}, {});
    const QStringList problems =
        validator.passwordProblems(password, u"alice_01"_s, u"w@example.org"_s);
    QCOMPARE(problems.contains(u"invalid_characters"_s), refused);
}

void TestSignupValidator::strictUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("text"); // "!" for refused
    QTest::newRow("ascii") << QByteArray("Eve") << u"Eve"_s;
    QTest::newRow("two-byte") << QByteArray("Ren\xc3\xa9"
                                            "e")
                              << u"Renée"_s;
    QTest::newRow("four-byte") << QByteArray("\xf0\x9f\x98\x80") << u"😀"_s;
    QTest::newRow("BOM kept") << QByteArray("\xef\xbb\xbfx") << u"\uFEFFx"_s;
    QTest::newRow("U+FFFD itself") << QByteArray("\xef\xbf\xbd") << u"\uFFFD"_s;
    QTest::newRow("stray byte") << QByteArray("Eve\xff") << u"!"_s;
    QTest::newRow("continuation alone") << QByteArray("\x80") << u"!"_s;
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << u"!"_s;
    QTest::newRow("overlong NUL") << QByteArray("\xc0\x80") << u"!"_s;
    QTest::newRow("encoded high surrogate") << QByteArray("\xed\xa0\x80") << u"!"_s;
    QTest::newRow("encoded low surrogate") << QByteArray("\xed\xbf\xbf") << u"!"_s;
    QTest::newRow("truncated") << QByteArray("\xe2\x82") << u"!"_s;
    QTest::newRow("beyond U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << u"!"_s;
}

void TestSignupValidator::strictUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, text);
    const auto decoded = sd::core::names::decodeUtf8Strictly(bytes);
    if (text == u"!"_s)
        QVERIFY(!decoded);
    else
        QCOMPARE(decoded.value_or(u"(refused)"_s), text);
}

QTEST_GUILESS_MAIN(TestSignupValidator)
#include "tst_signupvalidator.moc"
