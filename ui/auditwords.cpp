#include "auditwords.h"

using namespace Qt::StringLiterals;

namespace sd::ui {

QString AuditWords::action(const QString &code)
{
    static const QHash<QString, const char *> names = {
        // An account's life
        {u"signup.created"_s, QT_TR_NOOP("Signed up")},
        {u"oauth.signup"_s, QT_TR_NOOP("Signed up with GitHub or Google")},
        {u"signup.duplicate_email"_s, QT_TR_NOOP("Signup with an address already registered")},
        {u"signup.approved"_s, QT_TR_NOOP("Approved")},
        {u"signup.rejected"_s, QT_TR_NOOP("Rejected")},
        {u"superuser.created"_s, QT_TR_NOOP("Super-user created")},
        {u"user.disabled"_s, QT_TR_NOOP("Account disabled")},
        {u"user.enabled"_s, QT_TR_NOOP("Account enabled")},
        {u"sessions.revoked"_s, QT_TR_NOOP("Sessions ended")},
        {u"user.display_name_changed"_s, QT_TR_NOOP("Display name changed by an admin")},
        {u"account.deleted"_s, QT_TR_NOOP("Account deleted")},
        {u"invitation.created"_s, QT_TR_NOOP("Invitation sent")},
        {u"invitation.revoked"_s, QT_TR_NOOP("Invitation revoked")},
        {u"invitation.accepted"_s, QT_TR_NOOP("Invitation accepted")},
        // Recovery and self-service
        {u"session.ended"_s, QT_TR_NOOP("Session ended")},
        {u"sessions.revoked_others"_s, QT_TR_NOOP("Other sessions ended")},
        {u"password_reset.requested"_s, QT_TR_NOOP("Password reset requested")},
        {u"password_reset.failed"_s, QT_TR_NOOP("Password reset failed")},
        {u"password.reset"_s, QT_TR_NOOP("Password reset")},
        {u"password.changed"_s, QT_TR_NOOP("Password changed")},
        {u"email_change.requested"_s, QT_TR_NOOP("Email change requested")},
        {u"email_change.failed"_s, QT_TR_NOOP("Email change failed")},
        {u"email.changed"_s, QT_TR_NOOP("Email changed")},
        // Verification
        {u"email.verified"_s, QT_TR_NOOP("Email verified")},
        {u"email.verified_by_admin"_s, QT_TR_NOOP("Email marked verified by an admin")},
        {u"verification.resent"_s, QT_TR_NOOP("Verification email resent")},
        {u"verification.revoked"_s, QT_TR_NOOP("Verification revoked by an admin")},
        {u"verification.failed"_s, QT_TR_NOOP("Verification failed")},
        {u"token.issued"_s, QT_TR_NOOP("Verification token issued")},
        {u"token.used"_s, QT_TR_NOOP("Verification token used")},
        {u"token.revoked"_s, QT_TR_NOOP("Verification token revoked")},
        {u"token.burned"_s, QT_TR_NOOP("Verification token burned")},
        {u"token.expired"_s, QT_TR_NOOP("Verification token expired")},
        {u"link.visited"_s, QT_TR_NOOP("Email link page visited")},
        // Signing in
        {u"login.succeeded"_s, QT_TR_NOOP("Logged in")},
        {u"login.failed"_s, QT_TR_NOOP("Login failed")},
        {u"login.lockout"_s, QT_TR_NOOP("Locked out after failed logins")},
        {u"login.locked_out"_s, QT_TR_NOOP("Login refused: locked out")},
        {u"login_link.sent"_s, QT_TR_NOOP("Login link sent")},
        {u"login.mfa_required"_s, QT_TR_NOOP("Password correct, second factor asked")},
        {u"mfa.enrolment_started"_s, QT_TR_NOOP("Second factor setup started")},
        {u"mfa.enabled"_s, QT_TR_NOOP("Second factor turned on")},
        {u"mfa.disabled"_s, QT_TR_NOOP("Second factor turned off")},
        {u"mfa.reset"_s, QT_TR_NOOP("Second factor reset by an admin")},
        {u"mfa.code_failed"_s, QT_TR_NOOP("Wrong second-factor code")},
        {u"mfa.recovery_code_used"_s, QT_TR_NOOP("Recovery code used")},
        {u"mfa.recovery_codes_renewed"_s, QT_TR_NOOP("New recovery codes made")},
        {u"oauth.linked"_s, QT_TR_NOOP("GitHub or Google sign-in linked")},
        {u"oauth.unlinked"_s, QT_TR_NOOP("GitHub or Google sign-in unlinked")},
        {u"oauth.confirmed"_s, QT_TR_NOOP("GitHub or Google sign-in confirmed")},
        {u"oauth.failed"_s, QT_TR_NOOP("GitHub or Google sign-in failed")},
        {u"oauth.login_refused"_s, QT_TR_NOOP("GitHub or Google sign-in refused")},
        {u"oauth.replaced_unverified"_s,
         QT_TR_NOOP("Unverified account replaced by a GitHub or Google sign-in")},
        // Email
        {u"mail.queued"_s, QT_TR_NOOP("Email queued")},
        {u"mail.sent"_s, QT_TR_NOOP("Email sent")},
        {u"mail.retrying"_s, QT_TR_NOOP("Email delivery failed, will retry")},
        {u"mail.failed"_s, QT_TR_NOOP("Email delivery failed for good")},
        {u"mail.held"_s, QT_TR_NOOP("Email held")},
        {u"mail.retried"_s, QT_TR_NOOP("Email retried")},
        // Settings
        {u"signup.closed"_s, QT_TR_NOOP("Signup closed")},
        {u"signup.reopened"_s, QT_TR_NOOP("Signup reopened")},
        {u"approval.forced"_s, QT_TR_NOOP("Approval required")},
        {u"approval.relaxed"_s, QT_TR_NOOP("Approval no longer required")},
        {u"settings.changed"_s, QT_TR_NOOP("Settings changed")},
    };
    if (const char *name = names.value(code))
        return tr(name);
    return code;
}

QString AuditWords::actor(const QString &actor, const QHash<QString, QString> &names)
{
    if (actor == u"system"_s)
        return tr("system");
    // "console:<os user>", "cli:<os user>"; "console" and "cli" alone before they were persons.
    const QString program = actor.section(u':', 0, 0);
    const QString who = actor.section(u':', 1);
    if (program == u"console"_s)
        return who.isEmpty() ? tr("console") : tr("%1 (console)").arg(who);
    if (program == u"cli"_s)
        return who.isEmpty() ? tr("command line") : tr("%1 (command line)").arg(who);
    if (program == u"user"_s) {
        const QString name = names.value(who);
        return name.isEmpty() ? tr("the user") : tr("%1 (the user)").arg(name);
    }
    if (program == u"admin"_s)
        return tr("admin %1").arg(names.value(who, who));
    return actor;
}

} // namespace sd::ui
