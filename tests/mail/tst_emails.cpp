// Every kind of email in every shipped language, delivered to a real SMTP server (aiosmtpd)
// on loopback: headers, both MIME parts, the language, the link from server/public_url, and
// escaping in the HTML part. Then the flows pick the account's language.

#include "httpclient.h"
#include "mailtext.h"
#include "smtpsink.h"
#include "testserver.h"

#include "emails/mailcomposer.h"
#include "smtpmailer.h"

#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray header(const QByteArray &raw, const QByteArray &name)
{
    // Unfolded first (RFC 5322 2.2.3): a long subject spans several lines.
    QByteArray headers = raw.left(raw.indexOf("\r\n\r\n"));
    headers.replace("\r\n ", " ");
    const QRegularExpression re(u"(?m)^%1: (.*)\\r$"_s.arg(QString::fromLatin1(name)));
    return re.match(QString::fromUtf8(headers + "\r\n")).captured(1).toUtf8();
}

// RFC 2047 encoded-words (B encoding, as mime.cpp writes them) back to text.
QString decodeHeader(const QByteArray &value)
{
    static const QRegularExpression word(u"=\\?UTF-8\\?B\\?([^?]*)\\?="_s);
    QString text = QString::fromUtf8(value);
    if (!text.contains(u"=?UTF-8?B?"_s))
        return text;
    QByteArray out;
    auto it = word.globalMatch(text);
    while (it.hasNext())
        out += QByteArray::fromBase64(it.next().captured(1).toLatin1());
    return QString::fromUtf8(out);
}

// The decoded body of the part with this Content-Type.
QString part(const QByteArray &raw, const QByteArray &mimeType)
{
    const qsizetype start = raw.indexOf(QByteArray("Content-Type: " + mimeType));
    if (start < 0)
        return {};
    const qsizetype body = raw.indexOf("\r\n\r\n", start) + 4;
    const qsizetype end = raw.indexOf("\r\n--=_sd_", body);
    return decodeMail(raw.mid(body, end - body));
}

sd::core::Account account(const QString &language, bool verified = true)
{
    sd::core::Account a;
    a.id = u"usr_test"_s;
    a.username = u"alice"_s;
    a.email = u"alice@example.com"_s;
    a.displayName = u"Alice <Ally> & Co"_s;
    a.language = language;
    a.verifiedEmail = verified;
    return a;
}

// Every kind the composer makes, for `a`.
sd::mail::Message composeKind(const sd::core::MailComposer &composer, const QString &kind,
                              const sd::core::Account &a, const QString &reason)
{
    if (kind == u"verification"_s)
        return composer.verification(a, u"TOKEN"_s, u"123456"_s);
    if (kind == u"verification_signed"_s)
        return composer.verificationSigned(a, 1700000000, u"SIG"_s);
    if (kind == u"already_registered"_s)
        return composer.alreadyRegistered(a.email, a.language);
    if (kind == u"welcome"_s)
        return composer.welcome(a);
    if (kind == u"rejection"_s)
        return composer.rejection(a, reason);
    if (kind == u"goodbye"_s)
        return composer.goodbye(a);
    if (kind == u"invitation"_s)
        return composer.invitation(a.email, a.language, u"TOKEN"_s, 604800);
    if (kind.startsWith(u"mfa_"_s))
        return composer.mfaNotice(a, kind);
    if (kind == u"password_reset"_s)
        return composer.passwordReset(a, u"TOKEN"_s, u"654321"_s);
    if (kind == u"password_changed"_s)
        return composer.passwordChanged(a);
    if (kind == u"email_change"_s) { // to the new address: the account's is another
        sd::core::Account moving = a;
        moving.email = u"old.alice@example.com"_s;
        return composer.emailChange(moving, a.email, u"TOKEN"_s, u"654321"_s);
    }
    if (kind == u"email_change_notice"_s)
        return composer.emailChangeNotice(a, u"alice.new@example.net"_s);
    return composer.loginLink(a, u"TOKEN"_s, u"/home"_s);
}

bool isToUnverifiedAddress(const QString &kind)
{
    return kind.startsWith(u"verification"_s);
}

} // namespace

class TestEmails : public QObject
{
    Q_OBJECT

private slots:
    void everyKindInEveryLanguage_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("subject");
        QTest::addColumn<QString>("phrase"); // in both parts
        QTest::addColumn<QString>("link");   // in both parts; empty: none
        const QString verify =
            u"https://signup.example.org/verify-email?email=alice%40example.com&token=TOKEN"_s;
        const QString signedLink =
            u"https://signup.example.org/verify-registration?user_id=usr_test&timestamp=1700000000&signature=SIG"_s;
        const QString login =
            u"https://signup.example.org/login/confirm?token=TOKEN&next_page=%2Fhome"_s;
        const QString invite = u"https://signup.example.org/accept-invite?token=TOKEN"_s;
        const QString reset = u"https://signup.example.org/reset-password?token=TOKEN"_s;
        const QString change = u"https://signup.example.org/confirm-email-change?token=TOKEN"_s;
        struct Row
        {
            const char *kind;
            const char *lang;
            QString subject, phrase, link;
        };
        const QList<Row> rows = {
            {"verification", "en", u"Confirm your email address"_s, u"Or enter this code"_s,
             verify},
            {"verification", "fr", u"Confirmez votre adresse e-mail"_s,
             u"Vous pouvez aussi saisir ce code"_s, verify},
            {"verification", "de", u"Bestätigen Sie Ihre E-Mail-Adresse"_s,
             u"Oder geben Sie diesen Code ein"_s, verify},
            {"verification_signed", "en", u"Confirm your email address"_s,
             u"The link expires in 48 hours"_s, signedLink},
            {"verification_signed", "fr", u"Confirmez votre adresse e-mail"_s,
             u"Le lien expire dans 48 heures"_s, signedLink},
            {"verification_signed", "de", u"Bestätigen Sie Ihre E-Mail-Adresse"_s,
             u"Der Link verfällt in 48 Stunden"_s, signedLink},
            {"already_registered",
             "en",
             u"You already have an account"_s,
             u"already has an account"_s,
             {}},
            {"already_registered",
             "fr",
             u"Vous avez déjà un compte"_s,
             u"déjà associée à un compte"_s,
             {}},
            {"already_registered",
             "de",
             u"Sie haben bereits ein Konto"_s,
             u"bereits ein Konto besteht"_s,
             {}},
            {"welcome",
             "en",
             u"Welcome, your account is ready"_s,
             u"is active. You can log in now."_s,
             {}},
            {"welcome",
             "fr",
             u"Bienvenue, votre compte est prêt"_s,
             u"Vous pouvez vous connecter dès maintenant."_s,
             {}},
            {"welcome",
             "de",
             u"Willkommen, Ihr Konto ist bereit"_s,
             u"Sie können sich jetzt anmelden."_s,
             {}},
            {"rejection", "en", u"Your signup was not approved"_s, u"was not approved"_s, {}},
            {"rejection", "fr", u"Votre inscription n'a pas été acceptée"_s, u"Motif"_s, {}},
            {"rejection",
             "de",
             u"Ihre Registrierung wurde nicht angenommen"_s,
             u"Begründung"_s,
             {}},
            {"login_link", "en", u"Your login link"_s, u"expires in 15 minutes"_s, login},
            {"login_link", "fr", u"Votre lien de connexion"_s, u"expire dans 15 minutes"_s, login},
            {"login_link", "de", u"Ihr Anmeldelink"_s, u"verfällt in 15 Minuten"_s, login},
            {"goodbye",
             "en",
             u"Your account was deleted"_s,
             u"and everything that belonged to it have been deleted"_s,
             {}},
            {"goodbye",
             "fr",
             u"Votre compte a été supprimé"_s,
             u"et tout ce qui lui appartenait ont été supprimés"_s,
             {}},
            {"goodbye",
             "de",
             u"Ihr Konto wurde gelöscht"_s,
             u"und alles, was dazu gehörte, wurde gelöscht"_s,
             {}},
            {"invitation", "en", u"You are invited to SignupDesk"_s,
             u"The invitation is valid for 7 days"_s, invite},
            {"invitation", "fr", u"Vous êtes invité(e) sur SignupDesk"_s,
             u"L'invitation est valable 7 jours"_s, invite},
            {"invitation", "de", u"Sie sind zu SignupDesk eingeladen"_s,
             u"Die Einladung gilt 7 Tage"_s, invite},
            {"password_reset", "en", u"Reset your password"_s, u"Or enter this code"_s, reset},
            {"password_reset", "fr", u"Réinitialisez votre mot de passe"_s,
             u"Vous pouvez aussi saisir ce code"_s, reset},
            {"password_reset", "de", u"Setzen Sie Ihr Passwort zurück"_s,
             u"Oder geben Sie diesen Code ein"_s, reset},
            {"password_changed",
             "en",
             u"Your password was changed"_s,
             u"every other session of the account was ended"_s,
             {}},
            {"password_changed",
             "fr",
             u"Votre mot de passe a été changé"_s,
             u"toutes les autres sessions du compte ont été fermées"_s,
             {}},
            {"password_changed",
             "de",
             u"Ihr Passwort wurde geändert"_s,
             u"alle anderen Sitzungen des Kontos wurden beendet"_s,
             {}},
            {"email_change", "en", u"Confirm your new email address"_s, u"Or enter this code"_s,
             change},
            {"email_change", "fr", u"Confirmez votre nouvelle adresse e-mail"_s,
             u"Vous pouvez aussi saisir ce code"_s, change},
            {"email_change", "de", u"Bestätigen Sie Ihre neue E-Mail-Adresse"_s,
             u"Oder geben Sie diesen Code ein"_s, change},
            {"email_change_notice",
             "en",
             u"A new email address was requested for your account"_s,
             u"to alice.new@example.net. Nothing changes"_s,
             {}},
            {"email_change_notice",
             "fr",
             u"Une nouvelle adresse e-mail a été demandée pour votre compte"_s,
             u"par alice.new@example.net. Rien ne change"_s,
             {}},
            {"email_change_notice",
             "de",
             u"Für Ihr Konto wurde eine neue E-Mail-Adresse angefordert"_s,
             u"in alice.new@example.net ändern"_s,
             {}},
            {"verification", "es", u"Confirm your email address"_s, u"Or enter this code"_s,
             verify},
            {"mfa_enabled",
             "en",
             u"A second factor is now on for your account"_s,
             u"Keep your recovery codes somewhere safe"_s,
             {}},
            {"mfa_enabled",
             "fr",
             u"Un second facteur protège désormais votre compte"_s,
             u"Gardez vos codes de secours en lieu sûr"_s,
             {}},
            {"mfa_enabled",
             "de",
             u"Ein zweiter Faktor schützt jetzt Ihr Konto"_s,
             u"Bewahren Sie Ihre Wiederherstellungscodes sicher auf"_s,
             {}},
            {"mfa_disabled",
             "en",
             u"The second factor of your account was turned off"_s,
             u"asks only for your password"_s,
             {}},
            {"mfa_disabled",
             "fr",
             u"Le second facteur de votre compte a été désactivé"_s,
             u"ne demande plus que votre mot de passe"_s,
             {}},
            {"mfa_disabled",
             "de",
             u"Der zweite Faktor Ihres Kontos wurde ausgeschaltet"_s,
             u"nur noch nach Ihrem Passwort"_s,
             {}},
            {"mfa_recovery_codes",
             "en",
             u"New recovery codes for your account"_s,
             u"the old ones no longer work"_s,
             {}},
            {"mfa_recovery_codes",
             "fr",
             u"Nouveaux codes de secours pour votre compte"_s,
             u"les anciens ne fonctionnent plus"_s,
             {}},
            {"mfa_recovery_codes",
             "de",
             u"Neue Wiederherstellungscodes für Ihr Konto"_s,
             u"die alten gelten nicht mehr"_s,
             {}},
            {"mfa_recovery_code_used",
             "en",
             u"A recovery code of your account was used"_s,
             u"It will not work again"_s,
             {}},
            {"mfa_recovery_code_used",
             "fr",
             u"Un code de secours de votre compte a été utilisé"_s,
             u"Il ne fonctionnera plus"_s,
             {}},
            {"mfa_recovery_code_used",
             "de",
             u"Ein Wiederherstellungscode Ihres Kontos wurde verwendet"_s,
             u"Er gilt nicht noch einmal"_s,
             {}},
            {"mfa_reset",
             "en",
             u"An administrator turned off your second factor"_s,
             u"an administrator just turned off the second factor"_s,
             {}},
            {"mfa_reset",
             "fr",
             u"Un administrateur a désactivé votre second facteur"_s,
             u"un administrateur vient de désactiver le second facteur"_s,
             {}},
            {"mfa_reset",
             "de",
             u"Ein Administrator hat Ihren zweiten Faktor ausgeschaltet"_s,
             u"ein Administrator hat soeben den zweiten Faktor"_s,
             {}},
        };
        for (const Row &r : rows)
            QTest::addRow("%s %s", r.kind, r.lang)
                << QString::fromLatin1(r.kind) << QString::fromLatin1(r.lang) << r.subject
                << r.phrase << r.link;
    }
    void everyKindInEveryLanguage()
    {
        QFETCH(QString, kind);
        QFETCH(QString, language);
        QFETCH(QString, subject);
        QFETCH(QString, phrase);
        QFETCH(QString, link);

        TestServer server(TestServer::Backend::Sqlite, [](sd::core::Config &c) {
            c.publicUrl = u"https://signup.example.org"_s;
        });
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));

        const sd::core::MailComposer composer(server.app().core().context());
        // Verification mails go to an address not yet proven; the others to a verified one.
        const sd::core::Account a = account(language, !isToUnverifiedAddress(kind));
        const QString reason = u"Spam <b>\"bot\"</b> & co"_s;
        const sd::mail::Message m = composeKind(composer, kind, a, reason);

        sd::mail::SmtpMailer mailer(sink.url());
        const auto sent = mailer.send(m);
        QVERIFY2(sent.isSent(), qPrintable(sent.reply));
        QTRY_COMPARE(sink.messages().size(), 1);
        const QByteArray raw = sink.messages().first();

        QCOMPARE(header(raw, "To"), "alice@example.com");
        QCOMPARE(header(raw, "From"), "SignupDesk <noreply@localhost>");
        QCOMPARE(decodeHeader(header(raw, "Subject")), subject);
        QVERIFY(header(raw, "Message-ID").endsWith("@signup.example.org>"));
        QVERIFY(raw.contains("Content-Type: multipart/alternative"));
        const QString text = part(raw, "text/plain; charset=utf-8");
        const QString html = part(raw, "text/html; charset=utf-8");
        QVERIFY2(text.contains(phrase), qPrintable(text));
        QVERIFY2(html.contains(phrase.toHtmlEscaped()), qPrintable(html));
        const QString expectedLang = language == u"es"_s ? u"en"_s : language;
        QVERIFY(html.startsWith(u"<!DOCTYPE html><html lang=\""_s + expectedLang + u"\">"_s));
        QVERIFY(!text.contains(u"{{"_s));
        QVERIFY(!html.contains(u"{{"_s));
        if (!link.isEmpty()) {
            QVERIFY2(text.contains(link), qPrintable(text));
            QVERIFY2(html.contains(u"href=\""_s + link.toHtmlEscaped() + u'"'), qPrintable(html));
        } else {
            QVERIFY(!text.contains(u"http"_s));
        }
        // Greeted by name only at a proven address (not a new one nobody has confirmed yet).
        if (kind != u"already_registered"_s && kind != u"invitation"_s &&
            kind != u"email_change"_s && !isToUnverifiedAddress(kind)) {
            QVERIFY(text.contains(u"Alice <Ally> & Co"_s));
            QVERIFY(html.contains(u"Alice &lt;Ally&gt; &amp; Co"_s));
            QVERIFY(!html.contains(u"<Ally>"_s));
        }
        if (kind == u"rejection"_s) {
            QVERIFY(text.contains(reason));
            QVERIFY(html.contains(u"Spam &lt;b&gt;&quot;bot&quot;&lt;/b&gt; &amp; co"_s));
            QVERIFY(!html.contains(u"<b>\"bot\""_s));
        }
        if (kind == u"verification"_s)
            QVERIFY(text.contains(u"123456"_s) && html.contains(u"<b>123456</b>"_s));
        if (kind == u"password_reset"_s || kind == u"email_change"_s)
            QVERIFY2(text.contains(u"654321"_s) && html.contains(u"<b>654321</b>"_s),
                     qPrintable(html));
        if (kind == u"email_change"_s) // greeted generically, and no name of the requester
            QVERIFY(!text.contains(u"Alice"_s) && !html.contains(u"Alice"_s));
    }

    // Issue 18 item 8: a mail to an address nobody has proven carries no text the requester
    // chose. Every kind, every language, composed for an unverified account whose display name
    // and username are markers: neither appears in the subject, either part, or any header.
    void noChosenTextToUnverifiedAddresses_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("greeting");
        const QList<std::pair<const char *, const char *>> languages = {
            {"en", "Hello,"}, {"fr", "Bonjour,"}, {"de", "Hallo,"}};
        for (const char *kind :
             {"verification", "verification_signed", "already_registered", "welcome", "rejection",
              "login_link", "goodbye", "invitation", "mfa_enabled", "mfa_disabled",
              "mfa_recovery_codes", "mfa_recovery_code_used", "mfa_reset", "password_reset",
              "password_changed", "email_change", "email_change_notice"})
            for (const auto &[language, greeting] : languages)
                QTest::addRow("%s %s", kind, language)
                    << QString::fromLatin1(kind) << QString::fromLatin1(language)
                    << QString::fromUtf8(greeting);
    }
    void noChosenTextToUnverifiedAddresses()
    {
        QFETCH(QString, kind);
        QFETCH(QString, language);
        QFETCH(QString, greeting);
        TestServer server(TestServer::Backend::Sqlite);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        const sd::core::MailComposer composer(server.app().core().context());
        for (const QString &displayName : {u"Visit evil.example NOW"_s, QString()}) {
            sd::core::Account a = account(language, false);
            a.username = u"evil.example.now"_s;
            a.displayName = displayName;
            const sd::mail::Message m = composeKind(composer, kind, a, u"unknown"_s);
            const QString all = m.subject + m.textBody + m.htmlBody + m.from;
            QVERIFY2(!all.contains(u"evil"_s, Qt::CaseInsensitive), qPrintable(all));
            QVERIFY2(m.textBody.startsWith(QString(greeting + u'\n')), qPrintable(m.textBody));
            QVERIFY2(m.htmlBody.contains(QString(u"<p>"_s + greeting + u"</p>"_s)),
                     qPrintable(m.htmlBody));
        }
        // Once the address is verified, the mails that greet by name do so.
        if (kind == u"welcome"_s || kind == u"rejection"_s || kind == u"login_link"_s) {
            const sd::mail::Message m =
                composeKind(composer, kind, account(language, true), u"unknown"_s);
            QVERIFY2(
                m.textBody.startsWith(QString(greeting.chopped(1) + u" Alice <Ally> & Co,\n"_s)),
                qPrintable(m.textBody));
        }
    }

    // The flows choose the account's language: signup in French, login link in German.
    void flowsUseTheAccountsLanguage()
    {
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        TestServer server(TestServer::Backend::Sqlite, [&](sd::core::Config &c) {
            c.mailTransport = u"smtp"_s;
            c.smtpUrl = sink.url();
            c.publicUrl = u"https://signup.example.org"_s;
            c.approvalRequired = false;
            c.returnConfirmToken = true;
        });
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        const auto signup = [&](const QString &name, const QString &language) {
            return postJson(server.port(), "/api/v1/signup",
                            {{u"username"_s, name},
                             {u"password"_s, u"correct battery staple horse"_s},
                             {u"email"_s, QString(name + u"@example.com"_s)},
                             {u"language"_s, language}});
        };
        const HttpResult fr = signup(u"jeanne"_s, u"fr"_s);
        QCOMPARE(fr.status, 201);
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 1, 15000);
        QCOMPARE(decodeHeader(header(sink.messages().at(0), "Subject")),
                 u"Confirmez votre adresse e-mail"_s);
        QVERIFY(
            part(sink.messages().at(0), "text/plain; charset=utf-8")
                .contains(
                    u"https://signup.example.org/verify-email?email=jeanne%40example.com&token="_s));

        const HttpResult de = signup(u"jonas"_s, u"de"_s);
        QCOMPARE(de.status, 201);
        QCOMPARE(postJson(server.port(), "/api/v1/signup/confirm",
                          {{u"confirm_token"_s, de.json().value(u"confirm_token"_s).toString()}})
                     .status,
                 200);
        QCOMPARE(postJson(server.port(), "/api/v1/login/email-link",
                          {{u"email"_s, u"jonas@example.com"_s}})
                     .status,
                 202);
        // verification (de), welcome (de), login link (de)
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 4, 15000);
        QStringList subjects;
        for (const QByteArray &m : sink.messages().mid(1))
            subjects << decodeHeader(header(m, "Subject"));
        QCOMPARE(subjects,
                 (QStringList{u"Bestätigen Sie Ihre E-Mail-Adresse"_s,
                              u"Willkommen, Ihr Konto ist bereit"_s, u"Ihr Anmeldelink"_s}));
        QVERIFY(part(sink.messages().at(3), "text/plain; charset=utf-8")
                    .contains(u"https://signup.example.org/login/confirm?token="_s));

        // A second signup with a known address: the notice in the language asked for.
        QCOMPARE(postJson(server.port(), "/api/v1/signup",
                          {{u"username"_s, u"other"_s},
                           {u"password"_s, u"correct battery staple horse"_s},
                           {u"email"_s, u"jeanne@example.com"_s},
                           {u"language"_s, u"de"_s}})
                     .status,
                 201);
        QTRY_COMPARE_WITH_TIMEOUT(sink.messages().size(), 5, 15000);
        QCOMPARE(decodeHeader(header(sink.messages().at(4), "Subject")),
                 u"Sie haben bereits ein Konto"_s);
    }
};

QTEST_GUILESS_MAIN(TestEmails)
#include "tst_emails.moc"
