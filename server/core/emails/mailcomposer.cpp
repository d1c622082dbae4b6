#include "emails/mailcomposer.h"

#include "context.h"
#include "crypto/crypto.h"
#include "emails/placeholders.h"

#include <QFile>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

QString pct(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// verification/url uses single braces ({email}, {token}, …): values are percent-encoded.
QString fillUrlTemplate(QString tpl, const QList<std::pair<QString, QString>> &values)
{
    for (const auto &[key, value] : values)
        tpl.replace(u'{' + key + u'}', pct(value));
    return tpl;
}

QString readResource(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

// The names the requester chose (display name, username) go only to an address that was proven
// (verified_email): before that, anyone can type a stranger's address, and every word they chose
// would be text this server mails to that stranger. So mail to an unproven address greets
// generically and carries no username, whatever its kind (SECURITY.md "Names and text").
QHash<QString, QString> personalValues(const Account &a, const QString &language)
{
    // resources/emails/<language>/greeting.txt: line 1 by name, line 2 generic.
    const QStringList lines =
        readResource(u":/emails/"_s + supportedLanguage(language) + u"/greeting.txt"_s)
            .split(u'\n');
    if (!a.verifiedEmail)
        return {{u"greeting"_s, lines.value(1).trimmed()}};
    const QString name = a.displayName.isEmpty() ? a.username : a.displayName;
    return {{u"greeting"_s,
             fillPlaceholders(lines.value(0).trimmed(), {{u"name"_s, name}}, Escaping::None)},
            {u"username"_s, a.username}};
}

QHash<QString, QString> with(QHash<QString, QString> values, const QHash<QString, QString> &more)
{
    values.insert(more);
    return values;
}

struct Template
{
    QString subject, text, html;
};

// resources/emails/<language>/<kind>.{txt,html}; English when a language lacks the kind.
Template loadTemplate(const QString &language, const QString &kind)
{
    for (const QString &lang : {language, u"en"_s}) {
        const QString base = u":/emails/"_s + lang + u'/' + kind;
        const QString text = readResource(base + u".txt"_s);
        const QString html = readResource(base + u".html"_s);
        if (text.isEmpty() || html.isEmpty())
            continue;
        const qsizetype firstBreak = text.indexOf(u'\n');
        Template t;
        t.subject = text.left(firstBreak).trimmed();
        t.text = text.mid(firstBreak + 1);
        while (t.text.startsWith(u'\n'))
            t.text.remove(0, 1);
        t.html = html;
        return t;
    }
    qWarning("email template %s missing", qPrintable(kind));
    return {};
}

// The values a reader of the outbox must not see: a link holds a token (or a signature), a code
// is one. By name: `link`, `code`, and names ending in _link, _code or token.
QHash<QString, QString> maskSecrets(QHash<QString, QString> values)
{
    for (auto it = values.begin(); it != values.end(); ++it) {
        const QString &key = it.key();
        if (key == u"link"_s || key.endsWith(u"_link"_s))
            it.value() = u"[link with a token: hidden]"_s;
        else if (key == u"code"_s || key.endsWith(u"_code"_s) || key.endsWith(u"token"_s))
            it.value() = u"[code: hidden]"_s;
    }
    return values;
}

QString htmlDocument(const QString &language, const QString &bodyHtml)
{
    return u"<!DOCTYPE html><html lang=\""_s + language +
           u"\"><head><meta charset=\"utf-8\"></head><body>\n"_s + bodyHtml + u"</body></html>"_s;
}

} // namespace

mail::Message MailComposer::compose(const QString &to, const QString &language, const QString &kind,
                                    const QHash<QString, QString> &values) const
{
    const QString lang = supportedLanguage(language);
    const Template t = loadTemplate(lang, kind);
    mail::Message m;
    QString host = QUrl(m_ctx.publicUrl).host();
    if (host.isEmpty())
        host = u"localhost"_s;
    m.messageId = crypto::newId(u"") + u'@' + host;
    m.from = m_ctx.live.current()->mailFrom;
    m.to = to;
    // A subject is a header: no value may bring a line break into it.
    m.subject = fillPlaceholders(t.subject, values, Escaping::None)
                    .replace(u'\r', u' ')
                    .replace(u'\n', u' ');
    m.textBody = fillPlaceholders(t.text, values, Escaping::None);
    m.previewText = fillPlaceholders(t.text, maskSecrets(values), Escaping::None);
    m.htmlBody = htmlDocument(lang, fillPlaceholders(t.html, values, Escaping::Html));
    m.date = m_ctx.clock.now();
    return m;
}

QString MailComposer::verificationLink(const Account &account, const QString &token) const
{
    const QString tpl = m_ctx.config.verificationUrl.isEmpty()
                            ? m_ctx.publicUrl + u"/verify-email?email={email}&token={token}"_s
                            : m_ctx.config.verificationUrl;
    return fillUrlTemplate(tpl, {{u"email"_s, account.email}, {u"token"_s, token}});
}

QString MailComposer::signedVerificationLink(const Account &account, qint64 timestamp,
                                             const QString &signature) const
{
    const QString tpl =
        m_ctx.config.verificationUrl.isEmpty()
            ? m_ctx.publicUrl +
                  u"/verify-registration?user_id={user_id}&timestamp={timestamp}&signature={signature}"_s
            : m_ctx.config.verificationUrl;
    return fillUrlTemplate(tpl, {{u"user_id"_s, account.id},
                                 {u"timestamp"_s, QString::number(timestamp)},
                                 {u"signature"_s, signature},
                                 {u"email"_s, account.email}});
}

QString MailComposer::loginLinkUrl(const QString &token, const QString &nextPage) const
{
    QString url = m_ctx.publicUrl + u"/login/confirm?token="_s + pct(token);
    if (!nextPage.isEmpty())
        url += u"&next_page="_s + pct(nextPage);
    return url;
}

mail::Message MailComposer::verification(const Account &a, const QString &token,
                                         const QString &code) const
{
    return compose(
        a.email, a.language, u"verification"_s,
        with(personalValues(a, a.language),
             {{u"link"_s, verificationLink(a, token)},
              {u"code"_s, code},
              {u"hours"_s, QString::number(m_ctx.live.current()->verificationTtlSeconds / 3600)}}));
}

mail::Message MailComposer::verificationSigned(const Account &a, qint64 timestamp,
                                               const QString &signature) const
{
    return compose(
        a.email, a.language, u"verification_signed"_s,
        with(personalValues(a, a.language),
             {{u"link"_s, signedVerificationLink(a, timestamp, signature)},
              {u"hours"_s, QString::number(m_ctx.live.current()->verificationTtlSeconds / 3600)}}));
}

mail::Message MailComposer::alreadyRegistered(const QString &email, const QString &language) const
{
    return compose(email, language, u"already_registered"_s, {});
}

mail::Message MailComposer::welcome(const Account &a) const
{
    return compose(a.email, a.language, u"welcome"_s, personalValues(a, a.language));
}

mail::Message MailComposer::rejection(const Account &a, const QString &reason) const
{
    return compose(a.email, a.language, u"rejection"_s,
                   with(personalValues(a, a.language), {{u"reason"_s, reason}}));
}

mail::Message MailComposer::loginLink(const Account &a, const QString &token,
                                      const QString &nextPage) const
{
    return compose(a.email, a.language, u"login_link"_s,
                   with(personalValues(a, a.language),
                        {{u"link"_s, loginLinkUrl(token, nextPage)},
                         {u"minutes"_s, QString::number(qMax<qint64>(
                                            1, m_ctx.live.current()->loginLinkTtlSeconds / 60))}}));
}

QString MailComposer::recoveryMinutes() const
{
    return QString::number(qMax<qint64>(1, m_ctx.config.recoveryTtlSeconds / 60));
}

mail::Message MailComposer::passwordReset(const Account &a, const QString &token,
                                          const QString &code) const
{
    return compose(a.email, a.language, u"password_reset"_s,
                   with(personalValues(a, a.language),
                        {{u"link"_s, m_ctx.publicUrl + u"/reset-password?token="_s + pct(token)},
                         {u"code"_s, code},
                         {u"minutes"_s, recoveryMinutes()}}));
}

mail::Message MailComposer::passwordChanged(const Account &a) const
{
    return compose(a.email, a.language, u"password_changed"_s, personalValues(a, a.language));
}

mail::Message MailComposer::emailChange(const Account &a, const QString &newEmail,
                                        const QString &token, const QString &code) const
{
    // The new address is not proven yet: no name the account chose goes to it.
    Account unproven = a;
    unproven.email = newEmail;
    unproven.verifiedEmail = false;
    return compose(
        newEmail, a.language, u"email_change"_s,
        with(personalValues(unproven, a.language),
             {{u"link"_s, m_ctx.publicUrl + u"/confirm-email-change?token="_s + pct(token)},
              {u"code"_s, code},
              {u"minutes"_s, recoveryMinutes()}}));
}

mail::Message MailComposer::emailChangeNotice(const Account &a, const QString &newEmail) const
{
    return compose(a.email, a.language, u"email_change_notice"_s,
                   with(personalValues(a, a.language), {{u"new_email"_s, newEmail}}));
}

mail::Message MailComposer::goodbye(const Account &a) const
{
    return compose(a.email, a.language, u"goodbye"_s, personalValues(a, a.language));
}

mail::Message MailComposer::mfaNotice(const Account &a, const QString &kind) const
{
    return compose(a.email, a.language, kind, personalValues(a, a.language));
}

mail::Message MailComposer::invitation(const QString &email, const QString &language,
                                       const QString &token, qint64 ttlSeconds) const
{
    return compose(email, language, u"invitation"_s,
                   {{u"link"_s, m_ctx.publicUrl + u"/accept-invite?token="_s + pct(token)},
                    {u"days"_s, QString::number(qMax<qint64>(1, ttlSeconds / 86400))}});
}

} // namespace sd::core
