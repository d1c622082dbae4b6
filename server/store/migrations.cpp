#include "migrations.h"

#include "sqlquery.h"
#include "transaction.h"

#include <QDateTime>

using namespace Qt::StringLiterals;

namespace sd::store {

namespace {

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
    };
    return list;
}

DbResult<void> ensureVersionTable(Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    auto r = runQuery(*db, u"CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)"_s);
    if (!r)
        return std::unexpected(r.error());
    return {};
}

} // namespace

int latestSchemaVersion()
{
    return migrations().constLast().version;
}

DbResult<int> applyMigrations(Database &database)
{
    if (auto r = ensureVersionTable(database); !r) {
        // Two instances may race to create the table on PostgreSQL; the loser sees it exist.
        if (auto again = ensureVersionTable(database); !again)
            return std::unexpected(again.error());
    }
    int current = 0;
    for (const Migration &m : migrations()) {
        auto tx = Transaction::begin(database);
        if (!tx)
            return std::unexpected(tx.error());
        if (database.dialect() == Dialect::Postgres) {
            // Serialize migrating instances; released at commit.
            if (auto r = runQuery(tx->db(), u"SELECT pg_advisory_xact_lock(7310013)"_s); !r)
                return std::unexpected(r.error());
        }
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
