#include "console/signupoverview.h"

#include "audit/auditlog.h"
#include "audit/linkhits.h"
#include "context.h"
#include "outbox.h"
#include "sqlquery.h"
#include "vocabulary.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace sd::core {

QString toString(TokenState state)
{
    switch (state) {
    case TokenState::None:
        return u"none"_s;
    case TokenState::Issued:
        return u"issued"_s;
    case TokenState::Expired:
        return u"expired"_s;
    case TokenState::Used:
        return u"used"_s;
    case TokenState::Burned:
        return u"burned"_s;
    case TokenState::Revoked:
        return u"revoked"_s;
    }
    return {};
}

TokenState tokenStateAt(const TokenRow &row, qint64 nowMs)
{
    if (row.id.isEmpty())
        return TokenState::None;
    if (row.usedAt != 0)
        return TokenState::Used;
    if (row.burnedAt != 0)
        return TokenState::Burned;
    if (row.revokedAt != 0)
        return TokenState::Revoked;
    return row.expiresAt > nowMs ? TokenState::Issued : TokenState::Expired;
}

namespace {

// The newest verification token and the newest email of each account are joined through a
// correlated sub-select on their ids: portable to SQLite and PostgreSQL, and served by the
// tokens_user and outbox_user indexes.
const QString kOverviewColumns =
    u"SELECT u.id, u.username, u.email, u.display_name, u.status, u.verified_email, u.apps,"
    " u.groups_list, u.language, u.sign_up_time, u.remote_ip, u.remote_addr,"
    " u.tos_accepted_version,"
    " t.id, t.created_at, t.expires_at, t.used_at, t.revoked_at, t.burned_at, t.code_attempts,"
    " o.id, o.kind, o.status, o.attempts, o.last_error, o.server_reply, o.created_at, o.sent_at"
    " FROM "_s;
const QString kOverviewJoins =
    u" LEFT JOIN tokens t ON t.id = (SELECT t2.id FROM tokens t2 WHERE t2.user_id = u.id"
    "   AND t2.kind = 'verification' ORDER BY t2.created_at DESC, t2.id DESC LIMIT 1)"
    " LEFT JOIN outbox o ON o.id = (SELECT o2.id FROM outbox o2 WHERE o2.user_id = u.id"
    "   ORDER BY o2.created_at DESC, o2.id DESC LIMIT 1)"_s;
const QString kOverviewSql =
    kOverviewColumns + u"users u"_s + kOverviewJoins + u" WHERE u.is_superuser = 0"_s;

// One copy of each repeated value (statuses, kinds, languages, app lists): with 100,000 rows
// in the console, separate copies of the same few strings cost tens of megabytes.
class Interner
{
public:
    QString text(const QString &value)
    {
        if (value.isEmpty())
            return {};
        const auto it = m_texts.constFind(value);
        if (it != m_texts.cend())
            return *it;
        m_texts.insert(value, value);
        return value;
    }
    QStringList list(const QString &commaSeparated)
    {
        if (commaSeparated.isEmpty())
            return {};
        const auto it = m_lists.constFind(commaSeparated);
        if (it != m_lists.cend())
            return *it;
        QStringList parts = commaSeparated.split(u',', Qt::SkipEmptyParts);
        for (QString &part : parts)
            part = text(part);
        m_lists.insert(commaSeparated, parts);
        return parts;
    }

private:
    QHash<QString, QString> m_texts;
    QHash<QString, QStringList> m_lists;
};

// The account's columns, 0-12 of kOverviewSql.
void readAccount(const QSqlQuery &q, Account &a, Interner &interner)
{
    a.id = q.value(0).toString();
    a.username = q.value(1).toString();
    a.email = q.value(2).toString();
    a.displayName = q.value(3).toString();
    a.status = accountStatusFromString(q.value(4).toString()).value_or(AccountStatus::Disabled);
    a.verifiedEmail = q.value(5).toInt() != 0;
    a.apps = interner.list(q.value(6).toString());
    a.groups = interner.list(q.value(7).toString());
    a.language = interner.text(q.value(8).toString());
    a.signUpTimeMs = q.value(9).toLongLong();
    a.remoteIp = q.value(10).toString();
    a.remoteAddr = q.value(11).toString();
    a.tosAcceptedVersion = interner.text(q.value(12).toString());
}

// The token's columns from `first` on: id, created_at, expires_at, used_at, revoked_at,
// burned_at, code_attempts.
void readToken(const QSqlQuery &q, int first, SignupOverviewRow &r, qint64 nowMs)
{
    TokenRow t;
    t.id = q.value(first).toString();
    t.createdAt = q.value(first + 1).toLongLong();
    t.expiresAt = q.value(first + 2).toLongLong();
    t.usedAt = q.value(first + 3).toLongLong();
    t.revokedAt = q.value(first + 4).toLongLong();
    t.burnedAt = q.value(first + 5).toLongLong();
    t.codeAttempts = q.value(first + 6).toInt();
    r.tokenState = tokenStateAt(t, nowMs);
    r.tokenCreatedAt = t.createdAt;
    r.tokenExpiresAt = t.expiresAt;
    r.codeAttempts = t.codeAttempts;
}

// The email's columns from `first` on: id, kind, status, attempts, last_error, server_reply,
// created_at, sent_at.
void readMail(const QSqlQuery &q, int first, SignupOverviewRow &r, Interner &interner)
{
    r.mailId = q.value(first).toString();
    r.mailKind = interner.text(q.value(first + 1).toString());
    r.mailStatus = interner.text(q.value(first + 2).toString());
    r.mailAttempts = q.value(first + 3).toInt();
    r.mailLastError = interner.text(q.value(first + 4).toString());
    r.mailServerReply = q.value(first + 5).toString();
    r.mailCreatedAt = q.value(first + 6).toLongLong();
    r.mailSentAt = q.value(first + 7).toLongLong();
}

SignupOverviewRow fromRow(const QSqlQuery &q, qint64 nowMs, Interner &interner)
{
    SignupOverviewRow r;
    readAccount(q, r.account, interner);
    readToken(q, 13, r, nowMs);
    readMail(q, 20, r, interner);
    return r;
}

// Whether a row is newer than the newest seen so far: a later created_at, then a greater id,
// like kOverviewSql's ORDER BY created_at DESC, id DESC.
bool isNewer(qint64 createdAt, const QString &id, qint64 newestCreatedAt, const QString &newestId)
{
    return newestId.isEmpty() || createdAt > newestCreatedAt ||
           (createdAt == newestCreatedAt && id > newestId);
}

} // namespace

Result<QList<SignupOverviewRow>> SignupOverview::query(const QString &where,
                                                       const QVariantList &params) const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q =
        store::runQuery(*db, kOverviewSql + where + u" ORDER BY u.sign_up_time, u.id"_s, params);
    if (!q)
        return dbFail(q.error());
    const qint64 now = m_ctx.clock.nowMs();
    Interner interner;
    QList<SignupOverviewRow> out;
    while (q->next())
        out.append(fromRow(*q, now, interner));
    return out;
}

Result<QList<SignupOverviewRow>> SignupOverview::list(SignupFilter filter) const
{
    // Three tables read straight through and merged here, rather than kOverviewSql: its two
    // correlated sub-selects cost an index probe and a row fetch per account and table, about
    // ten times the time once there are 100,000 accounts (SQLite, tests/bench/bench_console).
    // find() keeps kOverviewSql for one account.
    QString where;
    QVariantList params;
    switch (filter) {
    case SignupFilter::PendingApproval:
        where = u" AND u.status = ?"_s;
        params = {toString(AccountStatus::PendingApproval)};
        break;
    case SignupFilter::PendingVerification:
        where = u" AND u.status = ?"_s;
        params = {toString(AccountStatus::PendingVerification)};
        break;
    case SignupFilter::All:
        break;
    }
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    const qint64 now = m_ctx.clock.nowMs();
    Interner interner;

    auto users = store::runQuery(
        *db,
        u"SELECT u.id, u.username, u.email, u.display_name, u.status, u.verified_email, u.apps,"
        " u.groups_list, u.language, u.sign_up_time, u.remote_ip, u.remote_addr,"
        " u.tos_accepted_version FROM users u WHERE u.is_superuser = 0"_s +
            where + u" ORDER BY u.sign_up_time, u.id"_s,
        params);
    if (!users)
        return dbFail(users.error());
    QList<SignupOverviewRow> out;
    QHash<QString, qsizetype> rowOf;
    while (users->next()) {
        SignupOverviewRow &r = out.emplace_back();
        readAccount(*users, r.account, interner);
        rowOf.insert(r.account.id, out.size() - 1);
    }
    users->finish();
    if (out.isEmpty())
        return out;

    // The newest verification token of each account: a newer row overwrites an older one.
    QList<QString> tokenIds(out.size());
    auto tokens = store::runQuery(
        *db, u"SELECT t.user_id, t.id, t.created_at, t.expires_at, t.used_at, t.revoked_at,"
             " t.burned_at, t.code_attempts FROM tokens t WHERE t.kind = 'verification'"_s);
    if (!tokens)
        return dbFail(tokens.error());
    while (tokens->next()) {
        const qsizetype at = rowOf.value(tokens->value(0).toString(), -1);
        if (at < 0)
            continue;
        const QString id = tokens->value(1).toString();
        if (!isNewer(tokens->value(2).toLongLong(), id, out.at(at).tokenCreatedAt, tokenIds.at(at)))
            continue;
        tokenIds[at] = id;
        readToken(*tokens, 1, out[at], now);
    }
    tokens->finish();

    // The newest email of each account, any kind.
    auto mails = store::runQuery(
        *db, u"SELECT o.user_id, o.id, o.kind, o.status, o.attempts, o.last_error, o.server_reply,"
             " o.created_at, o.sent_at FROM outbox o WHERE o.user_id IS NOT NULL"_s);
    if (!mails)
        return dbFail(mails.error());
    while (mails->next()) {
        const qsizetype at = rowOf.value(mails->value(0).toString(), -1);
        if (at < 0)
            continue;
        if (!isNewer(mails->value(7).toLongLong(), mails->value(1).toString(),
                     out.at(at).mailCreatedAt, out.at(at).mailId))
            continue;
        readMail(*mails, 1, out[at], interner);
    }
    return out;
}

Result<QList<SignupOverviewRow>> SignupOverview::listFirst(const QList<AccountStatus> &statuses,
                                                           int limit) const
{
    // The accounts are picked first, in a sub-select, so the per-account sub-selects of the
    // joins run only for the rows returned.
    QString where;
    QVariantList params;
    if (!statuses.isEmpty()) {
        QStringList marks;
        for (AccountStatus s : statuses) {
            marks << u"?"_s;
            params << toString(s);
        }
        where = u" AND status IN ("_s + marks.join(u", "_s) + u')';
    }
    params << limit;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    auto q = store::runQuery(*db,
                             kOverviewColumns + u"(SELECT * FROM users WHERE is_superuser = 0"_s +
                                 where + u" ORDER BY sign_up_time, id LIMIT ?) u"_s +
                                 kOverviewJoins + u" ORDER BY u.sign_up_time, u.id"_s,
                             params);
    if (!q)
        return dbFail(q.error());
    const qint64 now = m_ctx.clock.nowMs();
    Interner interner;
    QList<SignupOverviewRow> out;
    while (q->next())
        out.append(fromRow(*q, now, interner));
    return out;
}

namespace {

// The range [word, word + U+10FFFF) of `column`, which byte order (SQLite's BINARY collation,
// PostgreSQL's "C") makes exactly the values that start with the word; its two parameters.
QString prefixRange(const QString &column, const QString &word, QVariantList &params)
{
    static const QString highest =
        QString(QChar::highSurrogate(0x10FFFF)) + QChar(QChar::lowSurrogate(0x10FFFF));
    const QString from = word.toLower();
    params << from << QString(from + highest);
    return u"("_s + column + u" >= ? AND "_s + column + u" < ?)"_s;
}

// A word as one OR of ranges over `users u`. Indexed, the database may read the index ranges
// (and stream: a capped count stops early). Not indexed (`column || ''`: the same values, no
// index), it can only walk the index of the list's order and test each row, which stops once
// the window is full when the matches are dense; SQLite's planner otherwise prefers reading
// every match and sorting them (0.4 s for 50,000).
QString wordAsRanges(const QStringList &columns, const QString &word, bool indexed,
                     QVariantList &params)
{
    QStringList ranges;
    for (const QString &column : columns) {
        const QString qualified = column.arg(u"u."_s);
        ranges << prefixRange(indexed ? qualified : u"("_s + qualified + u" || '')"_s, word,
                              params);
    }
    return u"("_s + ranges.join(u" OR "_s) + u')';
}

// The row keys (`key`: rowid, or 1 to count) of the accounts a word matches: one index range
// per column, read from SQLite's indexes alone (the rowid is in every index; duplicates are
// harmless where it is used: in IN and in the upper bound of a count).
QString wordAsKeys(const QStringList &columns, const QString &key, const QString &word,
                   QVariantList &params)
{
    QStringList parts;
    for (const QString &column : columns)
        parts << u"SELECT "_s + key + u" FROM users WHERE "_s +
                     prefixRange(column.arg(QString()), word, params);
    return parts.join(u" UNION ALL "_s);
}

} // namespace

Result<ConsoleListPlan> planConsoleList(const Context &ctx, const ConsoleListFilter &filter,
                                        qint64 cap)
{
    auto db = ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    ConsoleListPlan plan{filter.base, filter.baseParams, 0, true};
    if (!filter.statuses.isEmpty()) {
        for (AccountStatus s : filter.statuses)
            plan.params << toString(s);
        plan.where += u" AND u.status IN ("_s +
                      QStringList(filter.statuses.size(), u"?"_s).join(u", "_s) + u')';
    }
    if (filter.words.isEmpty()) {
        auto count =
            store::runQuery(*db, u"SELECT COUNT(*) FROM users u"_s + plan.where, plan.params);
        if (!count)
            return dbFail(count.error());
        plan.total = count->next() ? count->value(0).toLongLong() : 0;
        return plan;
    }
    // The matches of the search words, counted up to the cap: past it the list is dense
    // (matches are common enough), and its window is read by walking the index of the list's
    // order with the words not indexed, which stops once the window is full; under it the
    // count is exact and the window is read from the words' indexes. tests/bench/README.md,
    // "Console with a million signups".
    //
    // PostgreSQL combines the words' index ranges itself (BitmapOr, BitmapAnd), so both read
    // through the OR of indexed ranges. SQLite's planner reads every row of a broad word to
    // test a narrow one ("chloé dubois": 50,000 rows for none), so on SQLite each word's
    // matches are first counted from its indexes alone (one statement; a word with none ends
    // the search), and when the narrowest word is under the cap the words are sets of row
    // keys, narrowest first ("u.rowid IN (…)"): the database reads that word's few keys and
    // probes the others.
    const QStringList &columns = filter.columns;
    QStringList words = filter.words; // on SQLite, narrowest first
    bool readByKeys = false;          // the window's words as sets of row keys
    bool countByKeys = false;         // and the count's
    if (ctx.database.dialect() == store::Dialect::Sqlite) {
        QStringList sizes;
        QVariantList sizeParams;
        for (int i = 0; i < words.size(); ++i) {
            sizes << u"(SELECT COUNT(*) FROM ("_s +
                         wordAsKeys(columns, u"1"_s, words.at(i), sizeParams) +
                         u" LIMIT ?) w%1)"_s.arg(i);
            sizeParams << cap + 1;
        }
        auto sized = store::runQuery(*db, u"SELECT "_s + sizes.join(u", "_s), sizeParams);
        if (!sized)
            return dbFail(sized.error());
        QList<std::pair<qint64, QString>> bySize;
        if (sized->next())
            for (int i = 0; i < words.size(); ++i)
                bySize.append({sized->value(i).toLongLong(), words.at(i)});
        sized->finish();
        std::stable_sort(bySize.begin(), bySize.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        if (bySize.isEmpty() || bySize.constFirst().first == 0)
            return plan; // a word no account starts with: nothing to count or read
        words.clear();
        for (const auto &[size, word] : std::as_const(bySize))
            words << word;
        readByKeys = true;
        countByKeys = bySize.constFirst().first <= cap;
    }
    // `where` with every word, as key sets or as indexed ranges.
    const auto withWords = [&](bool byKeys, QString &where, QVariantList &params) {
        for (const QString &word : std::as_const(words)) {
            if (byKeys)
                where +=
                    u" AND u.rowid IN ("_s + wordAsKeys(columns, u"rowid"_s, word, params) + u')';
            else
                where += u" AND "_s + wordAsRanges(columns, word, /*indexed=*/true, params);
        }
    };
    QString counting = plan.where;
    QVariantList countParams = plan.params;
    withWords(countByKeys, counting, countParams);
    countParams << cap + 1;
    auto count = store::runQuery(
        *db, u"SELECT COUNT(*) FROM (SELECT 1 FROM users u"_s + counting + u" LIMIT ?) m"_s,
        countParams);
    if (!count)
        return dbFail(count.error());
    const qint64 counted = count->next() ? count->value(0).toLongLong() : 0;
    count->finish();
    plan.totalIsExact = counted <= cap;
    plan.total = std::min(counted, cap);
    if (plan.totalIsExact) {
        withWords(readByKeys, plan.where, plan.params);
    } else {
        for (const QString &word : filter.words)
            plan.where += u" AND "_s + wordAsRanges(columns, word, /*indexed=*/false, plan.params);
    }
    return plan;
}

namespace {

// The ORDER BY keys of a query's order, every one in its direction; the id last, so equal keys
// still have one order and pages neither repeat nor skip rows.
QString orderBy(const SignupQuery &query)
{
    QStringList keys;
    switch (query.order) {
    case SignupQuery::Order::SignedUp:
        keys = {u"u.sign_up_time"_s};
        break;
    case SignupQuery::Order::Username:
        keys = {u"u.username_key"_s};
        break;
    case SignupQuery::Order::Email:
        keys = {u"u.email_key"_s};
        break;
    case SignupQuery::Order::DisplayName:
        keys = {u"lower(u.display_name)"_s};
        break;
    case SignupQuery::Order::Status:
        keys = {u"u.status"_s, u"u.sign_up_time"_s};
        break;
    case SignupQuery::Order::ClientAddress:
        keys = {u"u.remote_ip"_s};
        break;
    }
    keys << u"u.id"_s;
    const QString direction = query.descending ? u" DESC"_s : u" ASC"_s;
    for (QString &key : keys)
        key += direction;
    return u" ORDER BY "_s + keys.join(u", "_s);
}

} // namespace

Result<SignupPage> SignupOverview::page(const SignupQuery &query, int offset, int limit,
                                        int countAhead) const
{
    // Every word must start the username, the email address, the display name or the client
    // IP, each with an index (the UNIQUE ones of username_key and email_key, migration 14's for
    // the others).
    static const QStringList columns = {u"%1username_key"_s, u"%1email_key"_s,
                                        u"lower(%1display_name)"_s, u"%1remote_ip"_s};
    SignupPage out;
    out.offset = std::max(0, offset);
    const qint64 cap = qint64(out.offset) + std::max(0, limit) + std::max(0, countAhead);
    auto plan = planConsoleList(
        m_ctx, {u" WHERE u.is_superuser = 0"_s, {}, query.statuses, query.words, columns}, cap);
    if (!plan)
        return std::unexpected(plan.error());
    out.total = int(plan->total);
    out.totalIsExact = plan->totalIsExact;
    if (limit <= 0 || out.offset >= out.total)
        return out;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    // The page's accounts are picked first, in a sub-select, so the per-account sub-selects of
    // the joins run only for the rows returned.
    const QString order = orderBy(query);
    QVariantList pageParams = plan->params;
    pageParams << limit << out.offset;
    auto q = store::runQuery(*db,
                             kOverviewColumns + u"(SELECT * FROM users u"_s + plan->where + order +
                                 u" LIMIT ? OFFSET ?) u"_s + kOverviewJoins + order,
                             pageParams);
    if (!q)
        return dbFail(q.error());
    const qint64 now = m_ctx.clock.nowMs();
    Interner interner;
    while (q->next())
        out.rows.append(fromRow(*q, now, interner));
    return out;
}

Result<SignupCounts> SignupOverview::counts() const
{
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    // From the users_status_super index alone (migration 14).
    auto q = store::runQuery(
        *db, u"SELECT status, COUNT(*) FROM users WHERE is_superuser = 0 GROUP BY status"_s);
    if (!q)
        return dbFail(q.error());
    SignupCounts out;
    while (q->next()) {
        const int n = q->value(1).toInt();
        switch (accountStatusFromString(q->value(0).toString()).value_or(AccountStatus::Disabled)) {
        case AccountStatus::PendingApproval:
            out.pendingApproval += n;
            break;
        case AccountStatus::PendingVerification:
            out.pendingVerification += n;
            break;
        case AccountStatus::Active:
            out.active += n;
            break;
        case AccountStatus::Disabled:
            out.disabled += n;
            break;
        }
    }
    return out;
}

Result<std::optional<SignupOverviewRow>> SignupOverview::find(const QString &userId) const
{
    auto rows = query(u" AND u.id = ?"_s, {userId});
    if (!rows)
        return std::unexpected(rows.error());
    if (rows->isEmpty())
        return std::optional<SignupOverviewRow>();
    return std::optional<SignupOverviewRow>(rows->constFirst());
}

Result<QList<TimelineEntry>> SignupOverview::timeline(const QString &userId) const
{
    using Source = TimelineEntry::Source;
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    const qint64 now = m_ctx.clock.nowMs();
    QList<TimelineEntry> out;

    auto audit = auditlog::list(*db, userId);
    if (!audit)
        return dbFail(audit.error());
    for (const AuditEntry &e : std::as_const(*audit))
        out.append({e.atMs, Source::Audit, e.action, e.actor, e.detail});

    auto mails = mail::Outbox::list(m_ctx.database, userId);
    if (!mails)
        return dbFail(mails.error());
    for (const mail::OutboxEntry &m : std::as_const(*mails)) {
        out.append({m.createdAt, Source::Mail, u"mail.queued"_s, {}, m.kind});
        if (m.sentAt != 0)
            out.append(
                {m.sentAt, Source::Mail, u"mail.sent"_s, {}, m.kind + u": "_s + m.serverReply});
        else if (m.status == mail::toString(mail::OutboxStatus::Dead))
            out.append({m.nextAttemptAt,
                        Source::Mail,
                        u"mail.failed"_s,
                        {},
                        m.kind + u": "_s + m.lastError});
        else if (!m.lastError.isEmpty())
            out.append({m.nextAttemptAt,
                        Source::Mail,
                        u"mail.retrying"_s,
                        {},
                        m.kind + u": "_s + m.lastError});
    }

    auto hits = linkhits::list(*db, userId);
    if (!hits)
        return dbFail(hits.error());
    for (const LinkHit &h : std::as_const(*hits))
        out.append({h.atMs,
                    Source::Link,
                    u"link.visited"_s,
                    {},
                    u"%1 %2 from %3: %4"_s.arg(h.method, h.tokenKind, h.remoteIp, h.userAgent)});

    auto tokens = tokenstore::listForUser(*db, userId);
    if (!tokens)
        return dbFail(tokens.error());
    for (const TokenRow &t : std::as_const(*tokens)) {
        if (t.kind != toString(TokenKind::Verification))
            continue;
        out.append({t.createdAt, Source::Token, u"token.issued"_s, {}, {}});
        switch (tokenStateAt(t, now)) {
        case TokenState::Used:
            out.append({t.usedAt, Source::Token, u"token.used"_s, {}, {}});
            break;
        case TokenState::Burned:
            out.append({t.burnedAt, Source::Token, u"token.burned"_s, {}, {}});
            break;
        case TokenState::Revoked:
            out.append({t.revokedAt, Source::Token, u"token.revoked"_s, {}, {}});
            break;
        case TokenState::Expired:
            out.append({t.expiresAt, Source::Token, u"token.expired"_s, {}, {}});
            break;
        case TokenState::Issued:
        case TokenState::None:
            break;
        }
    }
    // Stable: at equal times the audit entry (the cause) comes before what it queued.
    std::stable_sort(out.begin(), out.end(), [](const TimelineEntry &a, const TimelineEntry &b) {
        return a.atMs < b.atMs;
    });
    return out;
}

} // namespace sd::core
