#pragma once

#include "result.h"
#include "vocabulary.h"

#include <QList>

#include <optional>

namespace sd::core {

struct Context; // context.h: private to core

// One live session of an account as its owner sees it: the public id (`ses_…`), never the
// token. Times are Unix milliseconds.
struct SessionInfo
{
    QString id;
    qint64 createdAtMs = 0;
    qint64 lastUsedAtMs = 0;
    QString ip;
    QString userAgent;
    bool current = false;
};

// A signed-in user's own sessions: list them, end one, end every other. Ending a session
// deletes its row and forgets the account's cached sessions here and, through the
// sessionsEnded event, on every instance sharing the database. Call from a worker thread.
class AccountSessionService
{
public:
    explicit AccountSessionService(const Context &ctx) : m_ctx(ctx) {}

    // The account's live sessions (not past their absolute or idle end), newest first;
    // `currentSessionId` is marked current.
    Result<QList<SessionInfo>> list(const QString &userId, const QString &currentSessionId) const;
    // NotFound alike for an unknown id and for another account's session. Audited as the
    // user's own (`user:<id>`) unless an administrator's `actor` is given (the console's page
    // per user).
    Result<void> end(const QString &userId, const QString &sessionId,
                     const std::optional<Actor> &actor = std::nullopt);
    // Every session of the account but `currentSessionId`; returns how many ended.
    Result<int> endOthers(const QString &userId, const QString &currentSessionId);

private:
    const Context &m_ctx;
};

} // namespace sd::core
