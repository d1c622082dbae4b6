#include "emails/mailcomposer.h"

#include "context.h"
#include "crypto/crypto.h"

#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

QString pct(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

QString fillTemplate(QString tpl, const QList<std::pair<QString, QString>> &values)
{
    for (const auto &[key, value] : values)
        tpl.replace(u'{' + key + u'}', pct(value));
    return tpl;
}

QString greeting(const Account &a)
{
    return a.displayName.isEmpty() ? a.username : a.displayName;
}

QString htmlPage(const QString &bodyHtml)
{
    return u"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"_s + bodyHtml +
           u"</body></html>"_s;
}

} // namespace

mail::Message MailComposer::make(const QString &to, const QString &subject, const QString &text,
                                 const QString &html) const
{
    mail::Message m;
    QString host = QUrl(m_ctx.publicUrl).host();
    if (host.isEmpty())
        host = u"localhost"_s;
    m.messageId = crypto::newId(u"") + u'@' + host;
    m.from = m_ctx.config.mailFrom;
    m.to = to;
    m.subject = subject;
    m.textBody = text;
    m.htmlBody = htmlPage(html);
    m.date = m_ctx.clock.now();
    return m;
}

QString MailComposer::verificationLink(const Account &account, const QString &token) const
{
    const QString tpl = m_ctx.config.verificationUrl.isEmpty()
                            ? m_ctx.publicUrl + u"/verify-email?email={email}&token={token}"_s
                            : m_ctx.config.verificationUrl;
    return fillTemplate(tpl, {{u"email"_s, account.email}, {u"token"_s, token}});
}

QString MailComposer::signedVerificationLink(const Account &account, qint64 timestamp,
                                             const QString &signature) const
{
    const QString tpl =
        m_ctx.config.verificationUrl.isEmpty()
            ? m_ctx.publicUrl +
                  u"/verify-registration?user_id={user_id}&timestamp={timestamp}&signature={signature}"_s
            : m_ctx.config.verificationUrl;
    return fillTemplate(tpl, {{u"user_id"_s, account.id},
                              {u"timestamp"_s, QString::number(timestamp)},
                              {u"signature"_s, signature},
                              {u"email"_s, account.email}});
}

mail::Message MailComposer::verification(const Account &a, const QString &token,
                                         const QString &code) const
{
    const QString link = verificationLink(a, token);
    const QString hours = QString::number(m_ctx.config.verificationTtlSeconds / 3600);
    return make(a.email, u"Confirm your email address"_s,
                u"Hello %1,\n\nplease confirm your email address by opening this link:\n\n%2\n\n"
                "Or enter this code: %3\n\nThe link and the code expire in %4 hours. If you did not "
                "sign up, ignore this email.\n"_s.arg(greeting(a), link, code, hours),
                u"<p>Hello %1,</p><p>please confirm your email address:</p>"
                "<p><a href=\"%2\">Confirm my email</a></p><p>Or enter this code: <b>%3</b></p>"
                "<p>The link and the code expire in %4 hours. If you did not sign up, ignore this "
                "email.</p>"_s.arg(greeting(a).toHtmlEscaped(), link.toHtmlEscaped(), code, hours));
}

mail::Message MailComposer::verificationSigned(const Account &a, qint64 timestamp,
                                               const QString &signature) const
{
    const QString link = signedVerificationLink(a, timestamp, signature);
    return make(a.email, u"Confirm your email address"_s,
                u"Hello %1,\n\nplease confirm your email address by opening this link:\n\n%2\n\n"
                "If you did not sign up, ignore this email.\n"_s.arg(greeting(a), link),
                u"<p>Hello %1,</p><p>please confirm your email address:</p>"
                "<p><a href=\"%2\">Confirm my email</a></p>"
                "<p>If you did not sign up, ignore this email.</p>"_s.arg(greeting(a).toHtmlEscaped(),
                                                                          link.toHtmlEscaped()));
}

mail::Message MailComposer::alreadyRegistered(const QString &email, const QString &) const
{
    return make(email, u"You already have an account"_s,
                u"Hello,\n\nsomeone (perhaps you) tried to sign up with this email address, which "
                "already has an account. You can log in as usual. If this was not you, you can "
                "ignore this email.\n"_s,
                u"<p>Hello,</p><p>someone (perhaps you) tried to sign up with this email address, "
                "which already has an account. You can log in as usual.</p><p>If this was not "
                "you, you can ignore this email.</p>"_s);
}

mail::Message MailComposer::welcome(const Account &a) const
{
    return make(a.email, u"Welcome, your account is ready"_s,
                u"Hello %1,\n\nyour account %2 is active. You can log in now.\n"_s.arg(greeting(a), a.username),
                u"<p>Hello %1,</p><p>your account <b>%2</b> is active. You can log in now.</p>"_s.arg(
                    greeting(a).toHtmlEscaped(), a.username.toHtmlEscaped()));
}

mail::Message MailComposer::rejection(const Account &a, const QString &reason) const
{
    return make(a.email, u"Your signup was not approved"_s,
                u"Hello %1,\n\nyour signup as %2 was not approved.\n\nReason: %3\n"_s.arg(
                    greeting(a), a.username, reason),
                u"<p>Hello %1,</p><p>your signup as <b>%2</b> was not approved.</p><p>Reason: %3</p>"_s.arg(
                    greeting(a).toHtmlEscaped(), a.username.toHtmlEscaped(), reason.toHtmlEscaped()));
}

} // namespace sd::core
