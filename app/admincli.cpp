#include "admincli.h"

#include "application.h"

#include "audit/auditchain.h"
#include "localactor.h"
#include "validation/names.h"

using namespace Qt::StringLiterals;

namespace sd::app {

namespace {

QString describe(const core::Error &e)
{
    switch (e.code) {
    case core::ErrorCode::NotFound:
        return u"no such signup"_s;
    case core::ErrorCode::Conflict:
        return u"not possible in its current state ("_s + e.detail + u")"_s;
    case core::ErrorCode::Validation: {
        QStringList parts;
        for (auto it = e.fields.cbegin(); it != e.fields.cend(); ++it)
            parts << it.key() + u": "_s + it.value().join(u", "_s);
        return u"invalid input: "_s + (parts.isEmpty() ? e.detail : parts.join(u"; "_s));
    }
    case core::ErrorCode::Unavailable:
        return u"database unavailable: "_s + e.detail;
    default:
        return e.detail;
    }
}

int failWith(QTextStream &err, const QString &message, int status = 1)
{
    err << "signupdesk: " << message << Qt::endl;
    return status;
}

} // namespace

int runAdminCommand(Application &app, const QStringList &args, const QString &statusOption,
                    const QString &reasonOption, QTextStream &in, QTextStream &out,
                    QTextStream &err)
{
    const QString usage =
        u"usage: signupdesk admin create-superuser USERNAME EMAIL | signups list [--status S] |"
        " signups approve USER_ID | signups reject USER_ID --reason TEXT | audit verify |"
        " signup close|open|status | approval force|relax |"
        " users list [--query Q] [--status S] | users disable USER_ID [--reason TEXT] |"
        " users enable USER_ID | users delete USER_ID --reason TEXT |"
        " users reset-password USER_ID | users reset-mfa USER_ID |"
        " invite EMAIL [--apps A,B] [--groups G,H] |"
        " invitations list | invitations revoke ID"_s;
    if (auto r = app.open(); !r)
        return failWith(err, u"cannot open the database: "_s + r.error().detail, 2);
    const core::Actor cli = core::localActor(u"cli"_s); // "cli:<os user>"
    // Consoles of running instances see what these change (sent before the program exits).
    // So do the panic switches: running instances re-read the live settings at once.
    const QString command = args.value(0) + u' ' + args.value(1);
    if (QStringList{u"signups approve"_s, u"signups reject"_s, u"signup close"_s, u"signup open"_s,
                    u"approval force"_s, u"approval relax"_s, u"users reset-mfa"_s}
            .contains(command))
        app.startClusterEvents();

    if (args.value(0) == u"create-superuser"_s && args.size() == 3) {
        // Read as bytes and decoded strictly: a line that is not UTF-8 is refused, never hashed
        // with U+FFFD in place of what was typed (SECURITY.md "Names and text").
        QByteArray line = in.device() ? in.device()->readLine() : in.readLine().toUtf8();
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        const auto password = core::names::decodeUtf8Strictly(line);
        if (!password)
            return failWith(err, u"the password is not valid UTF-8"_s, 2);
        if (password->isEmpty())
            return failWith(err, u"give the password as the first line of standard input"_s, 2);
        auto r = app.core().signup().createSuperuser(args[1], args[2], *password, cli);
        if (!r)
            return failWith(err, describe(r.error()));
        out << r->id << Qt::endl;
        return 0;
    }
    if (args.value(0) == u"signups"_s && args.value(1) == u"list"_s && args.size() == 2) {
        const auto filter = core::signupFilterFromString(
            statusOption.isEmpty() ? u"pending_approval"_s : statusOption);
        if (!filter)
            return failWith(
                err, u"--status: use pending_approval, to-confirm, pending_verification or all"_s,
                2);
        auto list = app.core().approval().list(*filter);
        if (!list)
            return failWith(err, describe(list.error()));
        for (const core::Account &a : *list)
            out << a.id << '\t' << a.username << '\t' << a.email << '\t' << core::toString(a.status)
                << '\t'
                << QDateTime::fromMSecsSinceEpoch(a.signUpTimeMs, Qt::UTC).toString(Qt::ISODate)
                << '\n';
        out.flush();
        return 0;
    }
    if (args.value(0) == u"signups"_s && args.value(1) == u"approve"_s && args.size() == 3) {
        auto r = app.core().approval().approve(args[2], cli);
        if (!r)
            return failWith(err, describe(r.error()));
        return 0;
    }
    if (args.value(0) == u"signups"_s && args.value(1) == u"reject"_s && args.size() == 3) {
        if (reasonOption.trimmed().isEmpty())
            return failWith(err, u"signups reject needs --reason TEXT"_s, 2);
        auto r = app.core().approval().reject(args[2], reasonOption, cli);
        if (!r)
            return failWith(err, describe(r.error()));
        return 0;
    }
    if (args.value(0) == u"users"_s && args.value(1) == u"reset-password"_s && args.size() == 3) {
        // The mail is queued here and sent by a running instance; its link needs the public
        // address, which only a running server knows unless server/public_url says it.
        if (app.config().publicUrl.isEmpty())
            return failWith(err, u"set server/public_url: the reset link is built from it"_s, 2);
        app.core().setPublicUrl(app.config().publicUrl);
        auto r = app.core().recovery().adminReset(args[2], cli);
        if (!r)
            return failWith(err, r.error().code == core::ErrorCode::NotFound ? u"no such user"_s
                                                                             : describe(r.error()));
        return 0;
    }
    if (args.value(0) == u"users"_s && args.value(1) == u"reset-mfa"_s && args.size() == 3) {
        // The second factor goes off at once; the notice mail is queued for a running instance.
        auto r = app.core().mfa().adminReset(args[2], cli);
        if (!r)
            return failWith(err, r.error().code == core::ErrorCode::NotFound ? u"no such user"_s
                                                                             : describe(r.error()));
        return 0;
    }
    // The console's panic switches, on the same live settings (stored in the database: running
    // instances re-read them at once over NOTIFY on PostgreSQL, within a second on SQLite).
    auto printSwitches = [&out](const core::LiveSettings &s) {
        out << "signup: " << (s.signupEnabled ? "open" : "closed") << '\n'
            << "approval: " << (s.approvalRequired ? "required" : "not required") << Qt::endl;
    };
    if (args.value(0) == u"signup"_s && args.size() == 2 &&
        (args[1] == u"close"_s || args[1] == u"open"_s || args[1] == u"status"_s)) {
        if (auto r = app.core().settings().refresh(); !r)
            return failWith(err, describe(r.error()));
        if (args[1] == u"status"_s) {
            printSwitches(*app.core().settings().current());
            return 0;
        }
        auto r = app.core().settings().setSignupOpen(args[1] == u"open"_s, cli);
        if (!r)
            return failWith(err, describe(r.error()));
        printSwitches(*r);
        return 0;
    }
    if (args.value(0) == u"approval"_s && args.size() == 2 &&
        (args[1] == u"force"_s || args[1] == u"relax"_s)) {
        if (auto r = app.core().settings().refresh(); !r)
            return failWith(err, describe(r.error()));
        auto r = app.core().settings().setApprovalRequired(args[1] == u"force"_s, cli);
        if (!r)
            return failWith(err, describe(r.error()));
        printSwitches(*r);
        return 0;
    }
    if (args.value(0) == u"audit"_s && args.value(1) == u"verify"_s && args.size() == 2) {
        // Seal what was written since the last seal, then walk the whole chain.
        if (auto sealed = core::auditchain::seal(app.database()); !sealed)
            return failWith(err, u"database unavailable: "_s + sealed.error().message);
        auto v = core::auditchain::verify(app.database());
        if (!v)
            return failWith(err, u"database unavailable: "_s + v.error().message);
        if (!v->intact)
            return failWith(err, u"audit chain broken at entry %1 (%2): %3"_s.arg(v->brokenSeq)
                                     .arg(v->brokenId, v->problem));
        out << "audit chain intact: " << v->entries << " entries, head " << v->headHash << Qt::endl;
        return 0;
    }
    return failWith(err, usage, 2);
}

} // namespace sd::app
