#include "flows/codecheck.h"

#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "transaction.h"
#include "vocabulary.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {
constexpr int kMaxCodeAttempts = 5;
} // namespace

Result<CodedToken> issueCodedToken(const Context &ctx, const QSqlDatabase &db,
                                   const QString &userId, TokenKind kind, qint64 ttlSeconds,
                                   const QString &payload)
{
    const qint64 now = ctx.clock.nowMs();
    CodedToken t{crypto::newId(u"tok_"), crypto::newToken(), crypto::newSixDigitCode()};
    TokenRow row;
    row.id = t.id;
    row.userId = userId;
    row.kind = toString(kind);
    row.codeHash = ctx.digest.codeDigest(t.id, t.code);
    row.createdAt = now;
    row.expiresAt = now + ttlSeconds * 1000;
    row.payload = payload;
    if (auto r = tokenstore::insert(db, row, ctx.digest.digest(t.token)); !r)
        return dbFail(r.error());
    return t;
}

void countWrongCode(const Context &ctx, const QString &tokenId, const QString &userId,
                    const QString &auditAction)
{
    const qint64 now = ctx.clock.nowMs();
    auto tx = store::Transaction::begin(ctx.database);
    if (!tx)
        return qWarning("wrong code: %s", qPrintable(tx.error().message));
    if (!tokenId.isEmpty()) {
        auto attempts = tokenstore::countWrongCode(tx->db(), tokenId, kMaxCodeAttempts, now);
        if (!attempts)
            return qWarning("wrong code: %s", qPrintable(attempts.error().message));
        if (*attempts >= kMaxCodeAttempts) {
            if (auto r = auditlog::record(tx->db(), now, u"system"_s, u"token.burned"_s, userId,
                                          u"too many wrong codes"_s);
                !r)
                return qWarning("wrong code: audit: %s", qPrintable(r.error().message));
        }
    }
    if (auto r = auditlog::record(tx->db(), now, u"system"_s, auditAction, userId, u"code"_s); !r)
        return qWarning("wrong code: %s", qPrintable(r.error().message));
    if (auto r = tx->commit(); !r)
        qWarning("wrong code: %s", qPrintable(r.error().message));
}

Result<std::optional<TokenRow>> matchCode(const Context &ctx, const QSqlDatabase &db,
                                          const QString &userId, TokenKind kind,
                                          const QString &code, const QString &auditAction)
{
    static const QRegularExpression sixDigits(u"^[0-9]{6}\\z"_s);
    const qint64 now = ctx.clock.nowMs();
    auto row = tokenstore::findLive(db, userId, kind, now);
    if (!row)
        return dbFail(row.error());
    const QString tokenId = *row ? (*row)->id : u"tok_none"_s;
    const QByteArray expected = *row ? (*row)->codeHash.toLatin1() : QByteArray();
    const bool right =
        sixDigits.match(code).hasMatch() &
        crypto::constantTimeEquals(ctx.digest.codeDigest(tokenId, code).toLatin1(), expected);
    const QString codeKey = u"wrong-code:"_s + tokenId;
    const qint64 window = ctx.config.recoveryTtlSeconds;
    const bool burned = ctx.limiter.blockedFor(codeKey, kMaxCodeAttempts, window) > 0;
    if (*row && right && !burned)
        return *row;
    const bool counts = *row && !burned;
    // Counted in memory for every wrong code, a real token's or "tok_none": the same work
    // before the answer whether or not the address has a live token (SEC-42). Only a real
    // token's count matters; the fifth makes `burned` above true at once.
    (void)ctx.limiter.hit(codeKey, kMaxCodeAttempts, window);
    const Context *c = &ctx;
    const QString countedToken = counts ? tokenId : QString();
    ctx.afterAnswer.post([c, countedToken, userId, auditAction] {
        countWrongCode(*c, countedToken, userId, auditAction);
    });
    return std::optional<TokenRow>();
}

Result<void> failureBudget(const Context &ctx, const QStringList &keys)
{
    const Config &cfg = ctx.config;
    if (!cfg.rateLimitEnabled)
        return {};
    int wait = 0;
    for (const QString &key : keys)
        wait = qMax(wait, ctx.limiter.blockedFor(key, cfg.verifyFailuresPerWindow,
                                                 cfg.verifyFailureWindowSeconds));
    if (wait > 0)
        return std::unexpected(Error{ErrorCode::RateLimited, u"too many failed codes"_s, {}, wait});
    return {};
}

void countFailure(const Context &ctx, const QStringList &keys)
{
    const Config &cfg = ctx.config;
    if (!cfg.rateLimitEnabled)
        return;
    for (const QString &key : keys)
        (void)ctx.limiter.hit(key, cfg.verifyFailuresPerWindow, cfg.verifyFailureWindowSeconds);
}

} // namespace sd::core
