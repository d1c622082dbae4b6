// SignupsPage's admin actions over the selection, by the console's rule for actions that
// change accounts (docs/CONSOLE.md): approve and reject wait out the undo window; resend and
// revoke ask first, naming the accounts; mark verified asks for a reason, naming them too.

#include "signupspage.h"

#include "bulkrunner.h"
#include "confirmaction.h"
#include "consolebackend.h"
#include "errormessages.h"
#include "pagedfilterproxy.h"
#include "reasondialog.h"
#include "signuptablemodel.h"

#include "localactor.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QTableView>

using namespace Qt::StringLiterals;
using sd::core::AccountStatus;
using sd::core::SignupOverviewRow;

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

} // namespace

void SignupsPage::flushPendingDecisions()
{
    // Decisions still in their window go through: the admin made them.
    const auto due = m_pending->takeAll();
    core::CoreServices *core = &m_core;
    for (const PendingDecision &d : due) {
        m_backend->run(
            this,
            [core, d]() -> core::Result<void> {
                if (d.kind == PendingDecision::Approve)
                    return asVoid(core->approval().approve(d.userId, kConsole));
                return core->approval().reject(d.userId, d.reason, kConsole);
            },
            [](const core::Result<void> &) {});
    }
}

QStringList SignupsPage::selectedUserIds() const
{
    // Rows outside the window held in memory have no account yet: they are not acted on.
    return selectedHeldTexts(*m_view->selectionModel(), SignupTableModel::UserIdRole);
}

QStringList SignupsPage::usernames(const QStringList &userIds) const
{
    QStringList names;
    for (const QString &id : userIds)
        if (const SignupOverviewRow *row = m_model->signup(id))
            names << row->account.username;
    return names;
}

QStringList SignupsPage::selectedWhere(const std::function<bool(AccountStatus)> &allowed,
                                       const char *refusal)
{
    QStringList ids;
    int refused = 0;
    for (const QString &id : selectedUserIds()) {
        const SignupOverviewRow *row = m_model->signup(id);
        if (!row || m_pending->contains(id) || !allowed(row->account.status))
            ++refused;
        else
            ids << id;
    }
    if (refused > 0)
        showError(tr(refusal, nullptr, refused));
    return ids;
}

void SignupsPage::runItems(
    const QString &label, const QStringList &userIds,
    std::function<core::Result<void>(core::CoreServices &, const QString &)> job,
    const char *doneText)
{
    const QString names = ConfirmAction::names(usernames(userIds));
    m_bulk->run(
        label, userIds, std::move(job), &errorMessage,
        [this](const QString &userId) { requestRowReload(userId); },
        [this, doneText, names](const BulkOutcome &op) {
            if (op.failed > 0)
                showError(op.total == 1
                              ? op.firstError
                              : tr("%1: %n of %2 failed. %3", nullptr, op.failed)
                                    .arg(op.label, QString::number(op.total), op.firstError));
            QString summary = tr(doneText, nullptr, op.succeeded);
            if (op.succeeded == op.total)
                summary += u' ' + tr("(%1)").arg(names); // who, when it is everyone asked
            if (op.cancelled > 0)
                summary += u' ' + tr("(%n cancelled)", nullptr, op.cancelled);
            emit info(summary);
            emit operationFinished(op.succeeded, op.failed, op.cancelled);
        });
}

void SignupsPage::cancelOperations()
{
    m_bulk->cancelAll();
}

void SignupsPage::decide(PendingDecision::Kind kind, const QStringList &userIds,
                         const QString &reason)
{
    QList<PendingDecision> decisions;
    for (const QString &id : userIds)
        if (const SignupOverviewRow *row = m_model->signup(id))
            decisions.append({id, reason, kind, row->account.username});
    m_pending->add(decisions);
    updatePendingUi();
    updateActions();
}

void SignupsPage::approveSelected()
{
    const QStringList ids = selectedWhere(
        core::canApprove,
        QT_TR_N_NOOP("%n selected signup(s) are not pending approval and were skipped."));
    if (!ids.isEmpty())
        decide(PendingDecision::Approve, ids, {});
}

void SignupsPage::rejectSelected()
{
    const QStringList ids = selectedWhere(
        core::canReject,
        QT_TR_N_NOOP(
            "%n selected signup(s) cannot be rejected (already active, or being rejected)."));
    if (ids.isEmpty())
        return;
    askReason(tr("Reject %1").arg(ConfirmAction::names(usernames(ids))),
              tr("Reason (sent to the applicant):"), u"console/reject_presets"_s,
              {tr("We could not verify your identity."), tr("This service is for members only."),
               tr("Duplicate account.")},
              [this, ids](const QString &reason) { decide(PendingDecision::Reject, ids, reason); });
}

void SignupsPage::confirmThenRun(
    const ConfirmText &text, const QStringList &userIds, const QString &label,
    std::function<core::Result<void>(core::CoreServices &, const QString &)> job,
    const char *doneText)
{
    if (userIds.isEmpty())
        return;
    ConfirmAction::ask(
        this, {text.title, text.question, text.action, usernames(userIds)},
        [this, userIds, label, job = std::move(job), doneText] {
            runItems(label, userIds, job, doneText);
        },
        [this] { m_view->setFocus(); });
}

void SignupsPage::resendSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    confirmThenRun(
        {tr("Resend verification"),
         tr("Send %1 a new verification email? The link sent before stops working."), tr("Resend")},
        ids, tr("Resending"),
        [](core::CoreServices &core, const QString &id) {
            return core.signupAdmin().resendVerification(id, kConsole);
        },
        QT_TR_N_NOOP("Verification resent for %n signup(s)."));
}

void SignupsPage::revokeSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    confirmThenRun(
        {tr("Revoke verification"),
         tr("Revoke the verification link of %1? The link stops working at once; only a "
            "resend gives a new one."),
         tr("Revoke")},
        ids, tr("Revoking"),
        [](core::CoreServices &core, const QString &id) {
            return asVoid(core.signupAdmin().revokeVerification(id, kConsole));
        },
        QT_TR_N_NOOP("Verification revoked for %n signup(s)."));
}

void SignupsPage::markVerifiedSelected()
{
    const QStringList ids = selectedWhere(
        [](AccountStatus s) { return s == AccountStatus::PendingVerification; },
        QT_TR_N_NOOP("%n selected signup(s) are not pending verification and were skipped."));
    if (ids.isEmpty())
        return;
    askReason(tr("Mark %1 verified").arg(ConfirmAction::names(usernames(ids))),
              tr("Why is the email known to be good? (recorded in the audit log)"),
              u"console/verify_presets"_s, {tr("Confirmed by phone."), tr("Known colleague.")},
              [this, ids](const QString &reason) {
                  runItems(
                      tr("Marking verified"), ids,
                      [reason](core::CoreServices &core, const QString &id) {
                          return asVoid(core.signupAdmin().markVerified(id, reason, kConsole));
                      },
                      QT_TR_N_NOOP("%n signup(s) marked verified."));
              });
}

void SignupsPage::askReason(const QString &title, const QString &prompt, const QString &presetsKey,
                            const QStringList &defaults,
                            std::function<void(const QString &)> accepted)
{
    ReasonDialog::ask(this, m_settings, {title, prompt, presetsKey, defaults}, std::move(accepted),
                      [this] { m_view->setFocus(); });
}

void SignupsPage::onDecisionsDue(const QList<PendingDecision> &decisions)
{
    QHash<QString, QString> reasons;
    QStringList approve, reject;
    for (const PendingDecision &d : decisions) {
        m_model->setCountdown(d.userId, -1);
        if (d.kind == PendingDecision::Approve) {
            approve << d.userId;
        } else {
            reasons.insert(d.userId, d.reason);
            reject << d.userId;
        }
    }
    runItems(
        tr("Approving"), approve,
        [](core::CoreServices &core, const QString &id) {
            return asVoid(core.approval().approve(id, kConsole));
        },
        QT_TR_N_NOOP("%n signup(s) approved."));
    runItems(
        tr("Rejecting"), reject,
        [reasons](core::CoreServices &core, const QString &id) {
            return core.approval().reject(id, reasons.value(id), kConsole);
        },
        QT_TR_N_NOOP("%n signup(s) rejected."));
    updateActions();
}

void SignupsPage::undoDecisions()
{
    const QStringList approving = m_pending->usernames(PendingDecision::Approve);
    const QStringList rejecting = m_pending->usernames(PendingDecision::Reject);
    const QStringList restored = m_pending->undoAll();
    for (const QString &id : restored)
        m_model->setCountdown(id, -1);
    if (!approving.isEmpty())
        emit info(tr("Approval undone: %1.").arg(ConfirmAction::names(approving)));
    if (!rejecting.isEmpty())
        emit info(tr("Reject undone: %1.").arg(ConfirmAction::names(rejecting)));
    updateActions();
}

void SignupsPage::updatePendingUi()
{
    for (const QString &id : m_pending->userIds())
        m_model->setCountdown(id, m_pending->secondsLeft(id),
                              m_pending->kindOf(id) == PendingDecision::Approve);
    m_undo->setEnabled(!m_pending->isEmpty());
}

void SignupsPage::updateActions()
{
    bool approvable = false, rejectable = false, unverified = false;
    for (const QString &id : selectedUserIds()) {
        const SignupOverviewRow *r = m_model->signup(id);
        if (!r || m_pending->contains(id))
            continue;
        approvable |= core::canApprove(r->account.status);
        rejectable |= core::canReject(r->account.status);
        unverified |= r->account.status == AccountStatus::PendingVerification;
    }
    m_approve->setEnabled(approvable);
    m_reject->setEnabled(rejectable);
    m_resend->setEnabled(unverified);
    m_revoke->setEnabled(unverified);
    m_markVerified->setEnabled(unverified);
    m_undo->setEnabled(!m_pending->isEmpty());
}

} // namespace sd::ui
