#pragma once

#include "clock.h"
#include "crypto/tokendigest.h"
#include "database.h"
#include "result.h"
#include "vocabulary.h"

#include <QList>

namespace sd::core {

// One request that reached a page behind an email link (GET, HEAD or POST), for the console:
// link scanners show up here. Never the raw token: only whose link it was.
struct LinkHit
{
    QString id;
    qint64 atMs = 0;
    QString userId;    // empty when the link matched no account
    QString tokenKind; // verification, signed_verification, login_link
    QString method;
    QString remoteIp;
    QString userAgent;
};

namespace linkhits {
store::DbResult<void> record(const QSqlDatabase &db, const LinkHit &hit);
// Newest first; all accounts when userId is empty.
store::DbResult<QList<LinkHit>> list(const QSqlDatabase &db, const QString &userId = {},
                                     int limit = 500);
} // namespace linkhits

// Records link hits. The only write a GET or HEAD of a link page does: call it from a worker.
class LinkHitLog
{
public:
    static constexpr qsizetype kMaxUserAgent = 512;

    LinkHitLog(store::Database &database, const Clock &clock, const TokenDigest &digest)
        : m_database(database), m_clock(clock), m_digest(digest)
    {
    }

    // `token` (raw, may be empty) is looked up by digest to find the account; `userId` is used
    // when the link names its account itself (signed links) and that account exists.
    Result<void> record(const QString &tokenKind, const QString &token, const QString &userId,
                        const QByteArray &method, const RequestInfo &request,
                        const QString &userAgent);

private:
    store::Database &m_database;
    const Clock &m_clock;
    const TokenDigest &m_digest;
};

} // namespace sd::core
