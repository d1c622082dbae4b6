#include "auditdetails.h"

#include "consoletablemodels.h"

#include <QHash>
#include <QList>
#include <QRegularExpression>

#include <optional>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

// The words core uses for how something was done or who did it: a whole detail, or the part
// before " from <address>" (server/core/flows/… pass them as `how` and `what`).
const char *phraseOf(const QString &english)
{
    static const QHash<QString, const char *> phrases = {
        {u"by the user"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "by the user")},
        {u"by an administrator"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "by an administrator")},
        {u"too many wrong codes"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "too many wrong codes")},
        {u"second factor turned off by an administrator"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "second factor turned off by an administrator")},
        // How an address was verified, a password reset or an email changed.
        {u"token"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with a link")},
        {u"link"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with a link")},
        {u"code"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with a code")},
        {u"confirm_token"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with the confirmation token")},
        {u"signed_link"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with a signed link")},
        // How someone signed in or proved it was them.
        {u"email link"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with an email link")},
        {u"oauth"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "through GitHub or Google")},
        {u"totp"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with an authenticator code")},
        {u"recovery code"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "with a recovery code")},
        {u"login code"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "second-factor code when logging in")},
        {u"login recovery code"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "recovery code when logging in")},
        {u"enrolment"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "setting up the second factor")},
        // What a wrong password or code was given for.
        {u"re-authentication"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "password asked again before a change")},
        {u"second factor enrolment"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "turning the second factor on")},
        {u"second factor removal"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "turning the second factor off")},
        {u"recovery code renewal"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "making new recovery codes")},
        {u"password change"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "changing the password")},
        {u"account deletion"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "deleting the account")},
        {u"email change"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "changing the email address")},
        // An account's state (core::toString(AccountStatus)).
        {u"pending_verification"_s,
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "pending verification")},
        {u"pending_approval"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "pending approval")},
        {u"active"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "active")},
        {u"disabled"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "disabled")},
    };
    return phrases.value(english);
}

// The names core gives the values of a "key=value; key=value" detail.
const char *keyLabelOf(const QString &key)
{
    static const QHash<QString, const char *> labels = {
        {u"username"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "username")},
        {u"reason"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "reason")},
        {u"apps"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "apps")},
        {u"groups"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "groups")},
        {u"sessions"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "sessions ended")},
        {u"sessions_revoked"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "sessions ended")},
        {u"tokens"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "links revoked")},
        {u"was"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "was")},
        {u"provider"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "provider")},
        {u"provider_user_id"_s, QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "provider's user id")},
    };
    return labels.value(key);
}

QString phrase(const QString &english, bool *known)
{
    if (const char *p = phraseOf(english))
        return AuditDetails::tr(p);
    *known = false;
    return english;
}

// One sentence shape of the grammar: the captures go into the translated template, as written
// (Raw: an address, a name, an id, the admin's words) or through phraseOf (Phrase).
enum class Part
{
    Raw,
    Phrase
};
struct Shape
{
    QRegularExpression pattern;
    const char *words;
    QList<Part> parts;
};

const QList<Shape> &shapes()
{
    static const QList<Shape> all = {
        {QRegularExpression(u"^from (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "from %1"),
         {Part::Raw}},
        {QRegularExpression(u"^from (\\S+), placeholder (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "from %1; stand-in account %2, not kept"),
         {Part::Raw, Part::Raw}},
        {QRegularExpression(u"^email link from (\\S+), accepted ToS (.+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails",
                           "with an email link from %1; accepted the terms of service %2"),
         {Part::Raw, Part::Raw}},
        {QRegularExpression(u"^via (\\S+) from (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "through %1 from %2"),
         {Part::Raw, Part::Raw}},
        {QRegularExpression(u"^via (\\S+) from (\\S+); (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "through %1 from %2; now %3"),
         {Part::Raw, Part::Raw, Part::Phrase}},
        {QRegularExpression(u"^(\\S+) via (\\S+) from (\\S+): (.*)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "%1 through %2 from %3: %4"),
         {Part::Raw, Part::Raw, Part::Raw, Part::Raw}},
        {QRegularExpression(u"^(\\S+) identity linked by verified email$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "%1 sign-in linked by its verified address"),
         {Part::Raw}},
        {QRegularExpression(u"^username=(.*); verified (\\S+) identity took the address$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails",
                           "username %1; a verified %2 sign-in took the address"),
         {Part::Raw, Part::Raw}},
        {QRegularExpression(u"^(\\d+) s after (\\d+) failures$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "locked for %1 s after %2 failures"),
         {Part::Raw, Part::Raw}},
        {QRegularExpression(u"^invitation (\\S+) from (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "invitation %1, from %2"),
         {Part::Raw, Part::Raw}},
        // "<how> from <address>": last, after the shapes that also end in an address.
        {QRegularExpression(u"^(.+) from (\\S+)$"_s),
         QT_TRANSLATE_NOOP("sd::ui::AuditDetails", "%1 from %2"),
         {Part::Phrase, Part::Raw}},
    };
    return all;
}

// "username=bob; reason=Looks like a bot." and "provider=github provider_user_id=42": the
// known keys in their words, the values as written. The reason is the admin's own text and
// may hold "; " itself, so it runs to the end of the detail.
bool keyValues(const QString &detail, QString *out)
{
    static const QRegularExpression key(
        u"(?:^|; | )(username|reason|apps|groups|sessions|sessions_revoked|tokens|was|provider|"
        "provider_user_id)="_s);
    QList<QRegularExpressionMatch> keys;
    for (auto it = key.globalMatch(detail); it.hasNext();) {
        QRegularExpressionMatch m = it.next();
        if (!keys.isEmpty() && keys.last().captured(1) == u"reason"_s)
            break; // everything after "reason=" is the reason
        keys.append(m);
    }
    if (keys.isEmpty() || keys.first().capturedStart() != 0)
        return false;
    QStringList parts;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const qsizetype from = keys.at(i).capturedEnd();
        const qsizetype to = i + 1 < keys.size() ? keys.at(i + 1).capturedStart() : detail.size();
        parts << AuditDetails::tr("%1: %2").arg(
            AuditDetails::tr(keyLabelOf(keys.at(i).captured(1))), detail.mid(from, to - from));
    }
    *out = parts.join(AuditDetails::tr("; "));
    return true;
}

// A live setting as Settings writes it ("signup/open=false; approval/required=true"): the
// names are the configuration's own, which an admin reads as they are.
bool settingValues(const QString &detail)
{
    static const QRegularExpression setting(
        u"^[a-z_]+/[a-z_]+=[^;]*(?:; [a-z_]+/[a-z_]+=[^;]*)*$"_s);
    return setting.match(detail).hasMatch();
}

// %1, %2, … of a translated template replaced in one pass, so that a value holding "%1" (an
// admin's reason, say) is never read as a place for the next one.
QString fill(const QString &words, const QStringList &values)
{
    QString out;
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (words.at(i) == u'%' && i + 1 < words.size() && words.at(i + 1).isDigit()) {
            const int n = words.at(i + 1).digitValue();
            if (n >= 1 && n <= values.size()) {
                out += values.at(n - 1);
                ++i;
                continue;
            }
        }
        out += words.at(i);
    }
    return out;
}

// The words of the first shape that fits, or nothing.
std::optional<QString> shaped(const QString &detail)
{
    for (const Shape &shape : shapes()) {
        const QRegularExpressionMatch m = shape.pattern.match(detail);
        if (!m.hasMatch())
            continue;
        bool partsKnown = true;
        QStringList values;
        for (qsizetype i = 0; i < shape.parts.size(); ++i) {
            const QString captured = m.captured(int(i) + 1);
            values << (shape.parts.at(i) == Part::Phrase ? phrase(captured, &partsKnown)
                                                         : captured);
        }
        if (partsKnown) // else e.g. "<how> from …" with a how this console has no words for
            return fill(AuditDetails::tr(shape.words), values);
    }
    return std::nullopt;
}

} // namespace

QString AuditDetails::text(const QString &detail, bool *understood)
{
    bool known = true;
    QString out = detail;
    if (detail.isEmpty() || settingValues(detail)) {
        // as written
    } else if (phraseOf(detail)) {
        out = phrase(detail, &known);
    } else if (auto words = shaped(detail)) {
        out = *words;
    } else if (!keyValues(detail, &out)) {
        known = false;
    }
    if (understood)
        *understood = known;
    return out;
}

QString AuditDetails::timelineText(const QString &action, const QString &detail, bool *understood)
{
    // Emails: "<kind>" or "<kind>: <the server's reply or error>" (signupoverview.cpp).
    // (The console's own mail.held and mail.retried entries are audit details: "was=queued".)
    if (action.startsWith(u"mail."_s)) {
        const QString kind = detail.section(u": "_s, 0, 0);
        const QString rest = detail.section(u": "_s, 1);
        if (const QString kindWords = OutboxTableModel::kindText(kind); kindWords != kind) {
            if (understood)
                *understood = true;
            return rest.isEmpty() ? kindWords : tr("%1: %2").arg(kindWords, rest);
        }
    }
    // A page behind an email link: "<method> <token kind> from <address>: <browser>".
    if (action == u"link.visited"_s) {
        static const QRegularExpression visit(u"^(\\S+) (\\S+) from (\\S+): (.*)$"_s);
        if (const auto m = visit.match(detail); m.hasMatch()) {
            const QString kind = OutboxTableModel::kindText(m.captured(2));
            if (understood)
                *understood = kind != m.captured(2);
            return tr("%1 link opened (%2) from %3: %4")
                .arg(kind, m.captured(1), m.captured(3), m.captured(4));
        }
    }
    return text(detail, understood);
}

} // namespace sd::ui
