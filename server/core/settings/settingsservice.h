#pragma once

#include "livesettings.h"
#include "vocabulary.h"

namespace sd::core {

struct Context; // context.h: private to core

// Changes the live settings for every instance sharing the database, and picks up what other
// instances changed. A change is one transaction (the settings rows and an audit entry), then
// takes effect on this instance at once; other instances see it at their next refresh (the
// composition root refreshes every second). Stored rows take precedence over the INI file,
// the environment and the command line. Emits Events::settingsChanged. Stateless: call it from
// any worker thread, never from the GUI thread (it uses the database).
class SettingsService
{
public:
    explicit SettingsService(const Context &ctx) : m_ctx(ctx) {}

    std::shared_ptr<const LiveSettings> current() const;

    // Re-reads the settings table; true when the live settings changed.
    Result<bool> refresh() const;

    // Stores the values of `changes` ("section/key" → text, live keys only) that differ from
    // the current ones, with one audit entry `auditAction` by `actor` naming each key and its
    // new value. Returns the live settings after the change.
    Result<LiveSettings>
    change(const QHash<QString, QString> &changes, const Actor &actor,
           const QString &auditAction = QStringLiteral("settings.changed")) const;

    // The panic switches: close (or reopen) signup, force approval (or let verified signups in
    // at once). Audit actions signup.closed / signup.reopened, approval.forced / approval.relaxed.
    Result<LiveSettings> setSignupOpen(bool open, const Actor &actor) const;
    Result<LiveSettings> setApprovalRequired(bool required, const Actor &actor) const;

private:
    const Context &m_ctx;
};

} // namespace sd::core
