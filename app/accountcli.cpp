#include "accountcli.h"

#include "application.h"

using namespace Qt::StringLiterals;

namespace sd::app {

namespace {

QString isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : u"-"_s;
}

int failed(QTextStream &err, const core::Error &e)
{
    QString message = e.detail;
    switch (e.code) {
    case core::ErrorCode::NotFound:
        message = u"not found"_s;
        break;
    case core::ErrorCode::Exists:
        message = u"an account or a pending invitation has this address"_s;
        break;
    case core::ErrorCode::Validation: {
        QStringList parts;
        for (auto it = e.fields.cbegin(); it != e.fields.cend(); ++it)
            parts << it.key() + u": "_s + it.value().join(u", "_s);
        message = u"invalid input: "_s + parts.join(u"; "_s);
        break;
    }
    default:
        break;
    }
    err << "signupdesk: " << message << Qt::endl;
    return e.code == core::ErrorCode::Unavailable ? 2 : 1;
}

int usage(QTextStream &err, const QString &text)
{
    err << "signupdesk: usage: signupdesk admin " << text << Qt::endl;
    return 2;
}

QStringList commaList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        out << part.trimmed();
    return out;
}

int listUsers(Application &app, const AccountCliOptions &o, QTextStream &out, QTextStream &err)
{
    core::UserSearch search;
    search.query = o.query;
    search.limit = 500;
    if (!o.status.isEmpty()) {
        search.status = core::accountStatusFromString(o.status);
        if (!search.status)
            return usage(err, u"users list [--query Q] [--status pending_verification|"
                              "pending_approval|active|disabled]"_s);
    }
    for (;;) {
        auto page = app.core().userAdmin().search(search);
        if (!page)
            return failed(err, page.error());
        for (const auto &[a, lastLogin] : std::as_const(page->users))
            out << a.id << '\t' << a.username << '\t' << a.email << '\t' << core::toString(a.status)
                << '\t' << isoTime(a.signUpTimeMs) << '\t' << isoTime(lastLogin) << '\n';
        if (page->next.isEmpty())
            break;
        search.after = page->next;
    }
    out.flush();
    return 0;
}

std::optional<int> users(Application &app, const QStringList &args, const AccountCliOptions &o,
                         QTextStream &out, QTextStream &err)
{
    const core::Actor cli{u"cli"_s};
    const QString verb = args.value(1);
    if (verb == u"list"_s && args.size() == 2)
        return listUsers(app, o, out, err);
    if (args.size() != 3)
        return std::nullopt;
    const QString &id = args[2];
    if (verb == u"disable"_s) {
        auto r = app.core().userAdmin().disable(id, cli, o.reason);
        return r ? 0 : failed(err, r.error());
    }
    if (verb == u"enable"_s) {
        auto r = app.core().userAdmin().enable(id, cli);
        return r ? 0 : failed(err, r.error());
    }
    if (verb == u"delete"_s) {
        if (o.reason.trimmed().isEmpty())
            return usage(err, u"users delete USER_ID --reason TEXT"_s);
        auto r = app.core().accountDeletion().deleteByAdmin(id, o.reason, cli);
        return r ? 0 : failed(err, r.error());
    }
    return std::nullopt;
}

std::optional<int> invitations(Application &app, const QStringList &args,
                               const AccountCliOptions &o, QTextStream &out, QTextStream &err)
{
    const core::Actor cli{u"cli"_s};
    if (args.value(0) == u"invite"_s && args.size() == 2) {
        // Queued here and sent by a running instance; its link needs the public address, which
        // only a running server knows unless server/public_url says it (as users reset-password).
        if (app.config().publicUrl.isEmpty()) {
            err << "set server/public_url: the invitation link is built from it" << Qt::endl;
            return 2;
        }
        app.core().setPublicUrl(app.config().publicUrl);
        core::InvitationInput input{args[1], {}, commaList(o.apps), commaList(o.groups), {}};
        auto r = app.core().invitations().invite(input, cli);
        if (!r)
            return failed(err, r.error());
        out << r->id << '\t' << r->email << '\t' << isoTime(r->expiresAtMs) << Qt::endl;
        return 0;
    }
    if (args.value(0) != u"invitations"_s)
        return std::nullopt;
    if (args.value(1) == u"list"_s && args.size() == 2) {
        auto list = app.core().invitations().list();
        if (!list)
            return failed(err, list.error());
        for (const core::InvitationRow &i : *list)
            out << i.id << '\t' << i.email << '\t' << i.status << '\t' << isoTime(i.createdAtMs)
                << '\t' << isoTime(i.expiresAtMs) << '\t' << i.apps.join(u',') << '\t'
                << i.groups.join(u',') << '\n';
        out.flush();
        return 0;
    }
    if (args.value(1) == u"revoke"_s && args.size() == 3) {
        auto r = app.core().invitations().revoke(args[2], cli);
        return r ? 0 : failed(err, r.error());
    }
    return std::nullopt;
}

} // namespace

std::optional<int> runAccountCommand(Application &app, const QStringList &args,
                                     const AccountCliOptions &options, QTextStream &out,
                                     QTextStream &err)
{
    const QString command = args.value(0);
    if (command != u"users"_s && command != u"invite"_s && command != u"invitations"_s)
        return std::nullopt;
    // The recovery flow's and the second factor's commands live with the other admin commands
    // (admincli.cpp).
    if (command == u"users"_s &&
        (args.value(1) == u"reset-password"_s || args.value(1) == u"reset-mfa"_s))
        return std::nullopt;
    if (auto r = app.open(); !r) {
        err << "signupdesk: cannot open the database: " << r.error().detail << Qt::endl;
        return 2;
    }
    // Consoles of running instances see the change, and the sessions a disable or a deletion
    // ended stop there at once (sent before the program exits).
    app.startClusterEvents();
    if (command == u"users"_s) {
        if (auto done = users(app, args, options, out, err))
            return done;
        return usage(err, u"users list [--query Q] [--status S] | users disable|enable USER_ID |"
                          " users delete USER_ID --reason TEXT"_s);
    }
    if (auto done = invitations(app, args, options, out, err))
        return done;
    return usage(err, u"invite EMAIL [--apps A,B] [--groups G,H] | invitations list |"
                      " invitations revoke ID"_s);
}

} // namespace sd::app
