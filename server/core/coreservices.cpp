#include "coreservices.h"

#include "console/externalchanges.h"

#include "context.h"
#include "crypto/crypto.h"
#include "flows/login/sessionreader.h"
#include "sqlquery.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Reader threads of the session checks (SessionReader). One: the checks that arrive during a
// round trip go together in the next, which costs the least CPU per check (measured on two
// cores: one reader 12.5k / 15.4k req/s at 16 / 64 connections, two 10.7k / 14.2k, four
// 8.9k / 11.1k; docs/SCALING.md). A lone check still goes at once.
constexpr int kSessionReaderThreads = 1;

// The HMAC key of every stored token digest. Kept in the database so that several instances
// sharing it agree; security/secret in the config overrides it.
store::DbResult<QByteArray> loadOrCreateSecret(store::Database &database)
{
    auto db = database.connection();
    if (!db)
        return std::unexpected(db.error());
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto q = store::runQuery(*db, u"SELECT value FROM meta WHERE key = 'token_secret'"_s);
        if (!q)
            return std::unexpected(q.error());
        if (q->next())
            return QByteArray::fromBase64(q->value(0).toString().toLatin1());
        // Two instances may race here: the loser's INSERT fails and it reads the winner's.
        if (auto r =
                store::runQuery(*db, u"INSERT INTO meta (key, value) VALUES ('token_secret', ?)"_s,
                                {QString::fromLatin1(crypto::randomBytes(32).toBase64())});
            !r)
            qInfo("token secret: insert lost (another instance made it?): %s",
                  qPrintable(r.error().message));
    }
    return std::unexpected(store::DbError{u"cannot create the token secret"_s});
}

} // namespace

CoreServices::CoreServices(const Config &config, store::Database &database, const Clock &clock,
                           QByteArray secret)
    : m_hasher(config.password), m_digest(secret), m_secrets(secret, "totp"), m_limiter(clock),
      m_validator(config, SignupValidator::shippedReservedUsernames(),
                  SignupValidator::shippedCommonPasswords()),
      m_sessionCache(config.sessionCacheMs), m_live(config)
{
    m_context.reset(new Context{config,
                                database,
                                clock,
                                m_hasher,
                                m_digest,
                                m_limiter,
                                m_validator,
                                m_events,
                                m_sessionCache,
                                m_live,
                                m_afterAnswer,
                                m_secrets,
                                {}});
    // Several instances share a PostgreSQL database: they share their limits there too.
    if (database.dialect() == store::Dialect::Postgres)
        m_limiter.shareThrough(database);
    // Session checks that miss the cache wait on a round trip with PostgreSQL: batched on
    // threads of their own, never on a server thread (issue 16).
    if (database.dialect() == store::Dialect::Postgres) {
        m_sessionReader = std::make_unique<SessionReader>(database, kSessionReaderThreads,
                                                          qMax(1, config.maxInflight));
        m_context->sessionReader = m_sessionReader.get();
    }
    // Sessions another instance ended stop here at once too (ClusterEvents re-emits its
    // sessionsEnded here); a direct connection: the cache is thread-safe.
    QObject::connect(
        &m_events, &Events::sessionsEnded, &m_events,
        [cache = &m_sessionCache](const QString &userId) { cache->forgetUser(userId); },
        Qt::DirectConnection);
}

CoreServices::~CoreServices() = default;

void CoreServices::watchExternalChanges(std::chrono::milliseconds interval)
{
    if (m_externalChanges || m_context->database.dialect() != store::Dialect::Sqlite)
        return;
    m_externalChanges = std::make_unique<ExternalChanges>(m_context->database, m_events, interval);
    m_externalChanges->start();
}

void CoreServices::setPublicUrl(const QString &url)
{
    m_context->publicUrl = url;
}

const QString &CoreServices::publicUrl() const
{
    return m_context->publicUrl;
}

const Config &CoreServices::config() const
{
    return m_context->config;
}

const Clock &CoreServices::clock() const
{
    return m_context->clock;
}

LinkHitLog CoreServices::linkHits() const
{
    return LinkHitLog(m_context->database, m_context->clock, m_digest);
}

Result<void> CoreServices::limitAddress(const QString &bucket, const RequestInfo &request) const
{
    const Config &cfg = m_context->config;
    if (!cfg.rateLimitEnabled)
        return {};
    if (int wait = m_context->limiter.hit(u"address-"_s + bucket + u':' + request.remoteIp,
                                          cfg.requestsPerAddressPerMinute, 60))
        return std::unexpected(
            Error{ErrorCode::RateLimited, bucket + u" limit for this address"_s, {}, wait});
    return {};
}

Result<void> CoreServices::checkHealth() const
{
    if (!m_context->database.ping())
        return std::unexpected(
            Error{ErrorCode::Unavailable, u"health check: no database"_s, {}, 5});
    return {};
}

QString CoreServices::csrfToken(const QString &cookieValue) const
{
    return m_digest.sign(u"csrf|"_s + cookieValue);
}

bool CoreServices::csrfTokenMatches(const QString &cookieValue, const QString &token) const
{
    return m_digest.verifySignature(u"csrf|"_s + cookieValue, token);
}

Result<std::unique_ptr<CoreServices>>
CoreServices::create(const Config &config, store::Database &database, const Clock &clock)
{
    if (auto r = database.migrate(); !r)
        return fail(ErrorCode::Unavailable, u"migration failed: "_s + r.error().message);
    QByteArray secret;
    if (!config.secret.isEmpty()) {
        secret = config.secret.toUtf8();
    } else {
        auto s = loadOrCreateSecret(database);
        if (!s)
            return fail(ErrorCode::Unavailable, s.error().message);
        secret = *s;
    }
    std::unique_ptr<CoreServices> core(new CoreServices(config, database, clock, secret));
    // Live settings a console stored in the database win over the config from the start.
    if (auto r = core->settings().refresh(); !r)
        return fail(ErrorCode::Unavailable,
                    u"cannot read the live settings: "_s + r.error().detail);
    return core;
}

bool CoreServices::pingDatabase() const
{
    return m_context->database.ping();
}

QString CoreServices::databaseName() const
{
    return m_context->database.dialect() == store::Dialect::Postgres ? u"PostgreSQL"_s
                                                                     : u"SQLite"_s;
}

bool CoreServices::databaseAcrossNetwork() const
{
    return m_context->database.dialect() == store::Dialect::Postgres;
}

} // namespace sd::core
