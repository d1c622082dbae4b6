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
    const QString domain = QString(63, u'b') + u'.' + QString(63, u'c') + u'.' +
                           QString(domainLength - 128, u'd');
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
    row("password equals email local part", u, u"averylongname@example.org"_s,
        u"averylongname"_s, {u"password:contains_username_or_email"_s});
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
    appRow("app_list subset with current_app", u"shop"_s,
           QStringList{u"shop"_s, u"forum"_s}, none, ok);
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
        QCOMPARE(SignupValidator::isValidEmail(email), !expected.contains(u"email:invalid_format"_s));
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
    SignupInput input{username, QString::fromUtf16(kPassword), QString::fromUtf16(kEmail), {}, {}, {}, {}};
    QCOMPARE(validator.validate(input, true).value(u"username"_s), QStringList{u"reserved"_s});
    QVERIFY(validator.validate(input, false).isEmpty()); // e.g. admin create-superuser
}

void TestSignupValidator::configuredReservedNames()
{
    Config config = m_config;
    config.reservedUsernames = {u"Billing"_s};
    const SignupValidator validator(config, SignupValidator::shippedReservedUsernames(), {});
    SignupInput input{u"BILLING"_s, QString::fromUtf16(kPassword), QString::fromUtf16(kEmail), {}, {}, {}, {}};
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

QTEST_GUILESS_MAIN(TestSignupValidator)
#include "tst_signupvalidator.moc"
