#include "migrations.h"

#include "sqlquery.h"
#include "transaction.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace sd::store {

namespace {

// The advisory lock key of migrations (PostgreSQL).
constexpr qint64 kMigrationLock = 7310013;

// Portable SQL only: TEXT, INTEGER, BIGINT; times are Unix milliseconds (BIGINT, UTC);
// booleans are INTEGER 0/1; ids are opaque TEXT made by the application.
struct Migration
{
    int version;
    QStringList statements;
};

const QList<Migration> &migrations()
{
    static const QList<Migration> list = {
        {1,
         {
             u"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_s,
             u"CREATE TABLE users ("
             " id TEXT PRIMARY KEY,"
             " username TEXT NOT NULL,"
             " username_key TEXT NOT NULL UNIQUE,"
             " email TEXT NOT NULL,"
             " email_key TEXT NOT NULL UNIQUE,"
             " display_name TEXT NOT NULL DEFAULT '',"
             " password_hash TEXT,"
             " status TEXT NOT NULL,"
             " verified_email INTEGER NOT NULL DEFAULT 0,"
             " is_superuser INTEGER NOT NULL DEFAULT 0,"
             " apps TEXT NOT NULL DEFAULT '',"
             " groups_list TEXT NOT NULL DEFAULT '',"
             " language TEXT NOT NULL DEFAULT 'en',"
             " sign_up_time BIGINT NOT NULL,"
             " remote_ip TEXT NOT NULL DEFAULT '',"
             " remote_addr TEXT NOT NULL DEFAULT '',"
             " tos_accepted_version TEXT NOT NULL DEFAULT '',"
             " approved_at BIGINT,"
             " approved_by TEXT)"_s,
             u"CREATE INDEX users_status ON users(status, sign_up_time)"_s,
             // One row per secret handed out: verification links and codes, session tokens,
             // login links. Only the HMAC of a token is stored.
             u"CREATE TABLE tokens ("
             " id TEXT PRIMARY KEY,"
             " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
             " kind TEXT NOT NULL,"
             " token_hash TEXT NOT NULL UNIQUE,"
             " code_hash TEXT,"
             " code_attempts INTEGER NOT NULL DEFAULT 0,"
             " created_at BIGINT NOT NULL,"
             " expires_at BIGINT NOT NULL,"
             " used_at BIGINT,"
             " revoked_at BIGINT,"
             " burned_at BIGINT,"
             " last_used_at BIGINT)"_s,
             u"CREATE INDEX tokens_user ON tokens(user_id, kind)"_s,
             u"CREATE TABLE outbox ("
             " id TEXT PRIMARY KEY,"
             " message_id TEXT NOT NULL UNIQUE,"
             " user_id TEXT,"
             " kind TEXT NOT NULL,"
             " sender TEXT NOT NULL,"
             " recipient TEXT NOT NULL,"
             " subject TEXT NOT NULL,"
             " body_text TEXT NOT NULL,"
             " body_html TEXT NOT NULL,"
             " status TEXT NOT NULL,"
             " attempts INTEGER NOT NULL DEFAULT 0,"
             " last_error TEXT NOT NULL DEFAULT '',"
             " server_reply TEXT NOT NULL DEFAULT '',"
             " created_at BIGINT NOT NULL,"
             " next_attempt_at BIGINT NOT NULL,"
             " lease_until BIGINT,"
             " lease_owner TEXT,"
             " sent_at BIGINT)"_s,
             u"CREATE INDEX outbox_due ON outbox(status, next_attempt_at)"_s,
             u"CREATE INDEX outbox_user ON outbox(user_id)"_s,
             u"CREATE TABLE audit_log ("
             " id TEXT PRIMARY KEY,"
             " at BIGINT NOT NULL,"
             " actor TEXT NOT NULL,"
             " action TEXT NOT NULL,"
             " subject_id TEXT NOT NULL DEFAULT '',"
             " detail TEXT NOT NULL DEFAULT '')"_s,
             u"CREATE INDEX audit_subject ON audit_log(subject_id, at)"_s,
         }},
        {2,
         {
             // Every request that reached a page behind an email link, for the console (link
             // scanners show up here). Never the token itself; no foreign key, so the hits of a
             // rejected (deleted) account stay.
             u"CREATE TABLE link_hits ("
             " id TEXT PRIMARY KEY,"
             " at BIGINT NOT NULL,"
             " user_id TEXT,"
             " token_kind TEXT NOT NULL,"
             " method TEXT NOT NULL,"
             " remote_ip TEXT NOT NULL DEFAULT '',"
             " user_agent TEXT NOT NULL DEFAULT '')"_s,
             u"CREATE INDEX link_hits_user ON link_hits(user_id, at)"_s,
         }},
        {3,
         {
             // Sign-in with GitHub or Google. A state row lives 10 minutes and holds only the
             // HMAC of the state; the PKCE verifier is not stored at all (it is derived from the
             // state with the server secret, see flows/oauth/oauthservice.cpp).
             u"CREATE TABLE oauth_states ("
             " state_hash TEXT PRIMARY KEY,"
             " provider TEXT NOT NULL,"
             " language TEXT NOT NULL DEFAULT 'en',"
             " created_at BIGINT NOT NULL,"
             " expires_at BIGINT NOT NULL,"
             " used_at BIGINT)"_s,
             u"CREATE INDEX oauth_states_expiry ON oauth_states(expires_at)"_s,
             // Which provider account signs in as which user: keyed on the provider's user id,
             // never on the email.
             u"CREATE TABLE oauth_identities ("
             " id TEXT PRIMARY KEY,"
             " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
             " provider TEXT NOT NULL,"
             " provider_user_id TEXT NOT NULL,"
             " email TEXT NOT NULL,"
             " created_at BIGINT NOT NULL,"
             " UNIQUE (provider, provider_user_id))"_s,
             u"CREATE INDEX oauth_identities_user ON oauth_identities(user_id)"_s,
         }},
        {4,
         {
             // The audit log becomes a hash chain: each sealed entry carries its place (seq),
             // the hash of the entry before it and its own hash. See core/audit/auditchain.
             u"ALTER TABLE audit_log ADD COLUMN seq BIGINT"_s,
             u"ALTER TABLE audit_log ADD COLUMN prev_hash TEXT"_s,
             u"ALTER TABLE audit_log ADD COLUMN entry_hash TEXT"_s,
             u"CREATE UNIQUE INDEX audit_seq ON audit_log(seq)"_s,
         }},
        {5,
         {
             // The live settings a console changed (signup/enabled, …), shared by every
             // instance on the database and taking precedence over each one's INI file. See
             // core/settings/settingsservice.
             u"CREATE TABLE settings ("
             " key TEXT PRIMARY KEY,"
             " value TEXT NOT NULL,"
             " updated_at BIGINT NOT NULL,"
             " updated_by TEXT NOT NULL)"_s,
         }},
        {6,
         {
             // Account recovery and self-service (core/flows/recovery): an email-change token
             // carries the address it proves, which becomes the account's only when confirmed.
             u"ALTER TABLE tokens ADD COLUMN payload TEXT"_s,
         }},
        {7,
         {
             // Issue 13, accounts: where and with what a session was started (the user's
             // session list), the last login (the admin's user list), audit entries emptied of
             // a deleted account's personal data (core/audit/auditchain), and invitations.
             u"ALTER TABLE tokens ADD COLUMN ip TEXT NOT NULL DEFAULT ''"_s,
             u"ALTER TABLE tokens ADD COLUMN user_agent TEXT NOT NULL DEFAULT ''"_s,
             u"ALTER TABLE users ADD COLUMN last_login_at BIGINT"_s,
             u"ALTER TABLE audit_log ADD COLUMN redacted_at BIGINT"_s,
             // Only the HMAC of an invitation token is stored; email_key is the lower-case
             // address, for the "a live invitation has the address" rule.
             u"CREATE TABLE invitations ("
             " id TEXT PRIMARY KEY,"
             " email TEXT NOT NULL,"
             " email_key TEXT NOT NULL,"
             " display_name TEXT NOT NULL DEFAULT '',"
             " apps TEXT NOT NULL DEFAULT '',"
             " groups_list TEXT NOT NULL DEFAULT '',"
             " language TEXT NOT NULL DEFAULT 'en',"
             " token_hash TEXT NOT NULL UNIQUE,"
             " created_by TEXT NOT NULL,"
             " created_at BIGINT NOT NULL,"
             " expires_at BIGINT NOT NULL,"
             " accepted_at BIGINT,"
             " accepted_user_id TEXT,"
             " revoked_at BIGINT)"_s,
             u"CREATE INDEX invitations_email ON invitations(email_key, created_at)"_s,
         }},
        {8,
         {
             // Webhook deliveries (API.md "Webhooks"): one row per event and URL, written in
             // the transaction of the change, sent later by the webhook sender like the outbox.
             u"CREATE TABLE webhook_deliveries ("
             " id TEXT PRIMARY KEY,"
             " message_id TEXT NOT NULL,"
             " event_type TEXT NOT NULL,"
             " url TEXT NOT NULL,"
             " payload TEXT NOT NULL,"
             " status TEXT NOT NULL,"
             " attempts INTEGER NOT NULL DEFAULT 0,"
             " last_status INTEGER NOT NULL DEFAULT 0,"
             " last_error TEXT NOT NULL DEFAULT '',"
             " created_at BIGINT NOT NULL,"
             " next_attempt_at BIGINT NOT NULL,"
             " lease_until BIGINT,"
             " lease_owner TEXT,"
             " delivered_at BIGINT)"_s,
             u"CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)"_s,
         }},
        {9,
         {
             // What the console shows of an email: the text with its tokens and codes masked
             // (mail::Message::previewText), kept after sending redacts the bodies.
             u"ALTER TABLE outbox ADD COLUMN body_preview TEXT NOT NULL DEFAULT ''"_s,
             // The subject's username when the entry was written, so that an account deleted
             // since (rejected, say) still reads as a name in the console's audit view.
             u"ALTER TABLE audit_log ADD COLUMN subject_name TEXT NOT NULL DEFAULT ''"_s,
         }},
        {10,
         {
             // The order emails were queued in, for sending them in that order when their due
             // times tie (two mails to one person within a millisecond: a verification, then a
             // login link). PostgreSQL's UPDATE … RETURNING keeps no order of its own.
             u"ALTER TABLE outbox ADD COLUMN seq BIGINT NOT NULL DEFAULT 0"_s,
             u"CREATE INDEX outbox_seq ON outbox(seq)"_s,
             // Likewise for webhook deliveries: one change can queue two events at once
             // (user.email_verified, then user.activated), and a receiver gets them in order.
             u"ALTER TABLE webhook_deliveries ADD COLUMN seq BIGINT NOT NULL DEFAULT 0"_s,
             u"CREATE INDEX webhook_deliveries_seq ON webhook_deliveries(seq)"_s,
         }},
        {11,
         {
             // Issue 14, the second factor (core/flows/mfa). users.mfa_enabled mirrors an
             // enabled mfa_totp row (set in the same transaction) so the user object needs no
             // join. The TOTP secret is sealed (AES-256-GCM, the account id as associated data);
             // last_step is the newest 30-second step whose code was accepted, moved only
             // forward by a guarded UPDATE, so a code works once even across instances.
             u"ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0"_s,
             u"CREATE TABLE mfa_totp ("
             " user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
             " secret_sealed TEXT NOT NULL,"
             " created_at BIGINT NOT NULL,"
             " enabled_at BIGINT,"
             " last_step BIGINT NOT NULL DEFAULT 0)"_s,
             // Only the HMAC of a recovery code; used_at set once by a guarded UPDATE.
             u"CREATE TABLE mfa_recovery_codes ("
             " id TEXT PRIMARY KEY,"
             " user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
             " code_hash TEXT NOT NULL UNIQUE,"
             " created_at BIGINT NOT NULL,"
             " used_at BIGINT)"_s,
             u"CREATE INDEX mfa_recovery_codes_user ON mfa_recovery_codes(user_id)"_s,
         }},
        {12,
         {
             // SEC-26: a state made by GET /oauth/start is bound to the browser that asked, by
             // the digest of the value of a cookie set there; '' for the states of the JSON
             // flow (POST /oauth/init), which a frontend keeps itself.
             u"ALTER TABLE oauth_states ADD COLUMN binding_hash TEXT NOT NULL DEFAULT ''"_s,
         }},
        {13,
         {
             // Issue 16: the rate limits and lockouts of every instance sharing a PostgreSQL
             // database (core/sharedlimits.cpp); SQLite counts in memory and leaves them empty.
             // A fixed window per key: its start, length and count (limit + 1 means full).
             u"CREATE TABLE rate_windows ("
             " key TEXT PRIMARY KEY,"
             " start_ms BIGINT NOT NULL,"
             " window_ms BIGINT NOT NULL,"
             " count INTEGER NOT NULL,"
             " expires_at BIGINT NOT NULL)"_s,
             u"CREATE INDEX rate_windows_expires ON rate_windows(expires_at)"_s,
             // The progressive lockout per login identifier (SEC-15).
             u"CREATE TABLE login_failures ("
             " key TEXT PRIMARY KEY,"
             " count INTEGER NOT NULL,"
             " last_failure_at BIGINT NOT NULL,"
             " not_before BIGINT NOT NULL,"
             " forget_at BIGINT NOT NULL)"_s,
             u"CREATE INDEX login_failures_forget ON login_failures(forget_at)"_s,
         }},
        {14,
         {
             // Issue 16: the console's paged Signups list (SignupOverview::page) sorts, filters
             // and searches in the database. Its default order, with the columns its filter
             // reads, so paging and counting read only the index; the other sort orders and the
             // prefix searches (username_key and email_key have their UNIQUE indexes).
             u"CREATE INDEX users_signup_order ON users(sign_up_time, id, status, is_superuser)"_s,
             u"CREATE INDEX users_display_name_lower ON users(lower(display_name))"_s,
             u"CREATE INDEX users_remote_ip ON users(remote_ip)"_s,
             // The counts per status (SignupOverview::counts) from the index alone.
             u"CREATE INDEX users_status_super ON users(status, is_superuser)"_s,
         }},
        {15,
         {
             // Issue 16: the console's paged Users list (UserAdminService::page) sorts by last
             // login in the database; never signed in counts as 0 on both databases.
             u"CREATE INDEX users_last_login ON users((COALESCE(last_login_at, 0)), id)"_s,
         }},
        {16,
         {
             // Issue 16: a login no longer rewrites its account's row. An update of
             // users.last_login_at could not be HOT on PostgreSQL (users_last_login indexes
             // it), so each one wrote a new entry into every index of users: at a million
             // accounts those are pages untouched since the last checkpoint, logged whole
             // (tests/bench/README.md). The last login now lives in a narrow table, one row
             // per account (0: never signed in), made with the account; the Users tab sorts
             // by its index.
             u"CREATE TABLE user_last_login ("
             " user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,"
             " at BIGINT NOT NULL)"_s,
             u"INSERT INTO user_last_login (user_id, at)"
             " SELECT id, COALESCE(last_login_at, 0) FROM users"_s,
             u"CREATE INDEX user_last_login_at ON user_last_login(at, user_id)"_s,
             u"DROP INDEX users_last_login"_s,
             u"ALTER TABLE users DROP COLUMN last_login_at"_s,
         }},
    };
    return list;
}

// The version table, made once. On PostgreSQL under the migration lock and only when missing:
// two instances starting on an empty database do not race on CREATE TABLE (duplicate-key
// errors in the server's log), and no start prints "NOTICE: relation already exists".
DbResult<void> ensureVersionTable(Database &database)
{
    const QString columns = u" schema_migrations ("
                            " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"_s;
    if (database.dialect() == Dialect::Sqlite) {
        auto db = database.connection();
        if (!db)
            return std::unexpected(db.error());
        if (auto r = runQuery(*db, u"CREATE TABLE IF NOT EXISTS"_s + columns); !r)
            return std::unexpected(r.error());
        return {};
    }
    auto tx = Transaction::beginExclusive(database, kMigrationLock);
    if (!tx)
        return std::unexpected(tx.error());
    auto exists = runQuery(tx->db(), u"SELECT to_regclass('schema_migrations') IS NOT NULL"_s);
    if (!exists)
        return std::unexpected(exists.error());
    if (!exists->next())
        return std::unexpected(DbError{u"to_regclass answered no row"_s});
    if (!exists->value(0).toBool()) {
        if (auto r = runQuery(tx->db(), u"CREATE TABLE"_s + columns); !r)
            return std::unexpected(r.error());
    }
    return tx->commit();
}

} // namespace

int latestSchemaVersion()
{
    return migrations().constLast().version;
}

DbResult<int> applyMigrations(Database &database, int upTo)
{
    if (auto r = ensureVersionTable(database); !r)
        return std::unexpected(r.error());
    int current = 0;
    for (const Migration &m : migrations()) {
        if (m.version > upTo)
            break;
        // Serializes migrating instances on PostgreSQL; released at commit.
        auto tx = Transaction::beginExclusive(database, kMigrationLock);
        if (!tx)
            return std::unexpected(tx.error());
        auto seen =
            runQuery(tx->db(), u"SELECT 1 FROM schema_migrations WHERE version = ?"_s, {m.version});
        if (!seen)
            return std::unexpected(seen.error());
        if (seen->next()) {
            current = m.version;
            continue; // rolled back: nothing was written
        }
        for (const QString &sql : m.statements) {
            if (auto r = runQuery(tx->db(), sql); !r)
                return std::unexpected(r.error());
        }
        if (auto r = runQuery(
                tx->db(), u"INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"_s,
                {m.version, QDateTime::currentMSecsSinceEpoch()});
            !r)
            return std::unexpected(r.error());
        if (auto r = tx->commit(); !r)
            return std::unexpected(r.error());
        current = m.version;
    }
    return current;
}

} // namespace sd::store
