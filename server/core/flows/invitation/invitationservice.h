#pragma once

#include "flows/signup/signupservice.h"
#include "result.h"
#include "validation/signupvalidator.h"
#include "vocabulary.h"

#include <QList>

namespace sd::core {

struct Context; // context.h: private to core

struct InvitationInput
{
    QString email;
    QString displayName;
    QStringList apps;   // ⊆ signup/apps; empty: the first configured app
    QStringList groups; // empty: signup/default_group
    QString language;   // of the invitation email; empty: en
};

// One invitation as the console, the CLI and the admin API list it. Times: Unix milliseconds.
struct InvitationRow
{
    QString id; // inv_…
    QString email;
    QString displayName;
    QStringList apps;
    QStringList groups;
    qint64 createdAtMs = 0;
    qint64 expiresAtMs = 0;
    QString createdBy;
    QString status; // pending, accepted, revoked, expired
};

// Invitations (API.md "Administration of accounts and invitations"): an administrator invites
// an address; the invitation's token (random, stored only as its HMAC, expiring after
// invite/ttl_seconds) is mailed as {public_url}/accept-invite?token=…; accepting it makes an
// active account with that address verified, the invitation's apps and groups, no approval
// step, even while signup/enabled is false. Consumed by one guarded UPDATE: of racing
// accepts exactly one wins. Call from a worker thread.
class InvitationService
{
public:
    explicit InvitationService(const Context &ctx) : m_ctx(ctx) {}

    // Validation (email, apps, display_name); Exists when an account or a pending invitation
    // has the address. Queues the invitation email.
    Result<InvitationRow> invite(const InvitationInput &input, const Actor &actor);
    // Newest first.
    Result<QList<InvitationRow>> list() const;
    // NotFound; Conflict unless pending.
    Result<void> revoke(const QString &invitationId, const Actor &actor);
    // The invitation a token stands for, if it is pending (the accept page shows its address).
    // InvalidToken for an unknown, used, revoked or expired one.
    Result<InvitationRow> pending(const QString &token) const;
    // Makes the account: username, password, display name (and `tosVersion` accepted when not
    // empty) from `input`; its email is the invitation's. Validation for the username and
    // password rules; InvalidToken as pending().
    Result<SignupResult> accept(const QString &token, const SignupInput &input,
                                const QString &tosVersion, const RequestInfo &request);

private:
    const Context &m_ctx;
};

} // namespace sd::core
