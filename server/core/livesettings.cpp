#include "livesettings.h"

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

QString text(bool b)
{
    return b ? u"true"_s : u"false"_s;
}

} // namespace

LiveSettings LiveSettings::fromConfig(const Config &c)
{
    LiveSettings s;
    s.signupEnabled = c.signupEnabled;
    s.approvalRequired = c.approvalRequired;
    s.apps = c.apps;
    s.defaultGroup = c.defaultGroup;
    s.verificationTtlSeconds = c.verificationTtlSeconds;
    s.loginLinkTtlSeconds = c.loginLinkTtlSeconds;
    s.sessionTtlSeconds = c.sessionTtlSeconds;
    s.sessionIdleSeconds = c.sessionIdleSeconds;
    s.mailWelcome = c.mailWelcome;
    s.mailRejection = c.mailRejection;
    s.mailFrom = c.mailFrom;
    return s;
}

void LiveSettings::applyTo(Config &c) const
{
    c.signupEnabled = signupEnabled;
    c.approvalRequired = approvalRequired;
    c.apps = apps;
    c.defaultGroup = defaultGroup;
    c.verificationTtlSeconds = verificationTtlSeconds;
    c.loginLinkTtlSeconds = loginLinkTtlSeconds;
    c.sessionTtlSeconds = sessionTtlSeconds;
    c.sessionIdleSeconds = sessionIdleSeconds;
    c.mailWelcome = mailWelcome;
    c.mailRejection = mailRejection;
    c.mailFrom = mailFrom;
}

QHash<QString, QString> LiveSettings::values() const
{
    return {{u"signup/enabled"_s, text(signupEnabled)},
            {u"signup/approval_required"_s, text(approvalRequired)},
            {u"signup/apps"_s, apps.join(u',')},
            {u"signup/default_group"_s, defaultGroup},
            {u"verification/ttl_seconds"_s, QString::number(verificationTtlSeconds)},
            {u"login_link/ttl_seconds"_s, QString::number(loginLinkTtlSeconds)},
            {u"session/ttl_seconds"_s, QString::number(sessionTtlSeconds)},
            {u"session/idle_seconds"_s, QString::number(sessionIdleSeconds)},
            {u"mail/welcome"_s, text(mailWelcome)},
            {u"mail/rejection"_s, text(mailRejection)},
            {u"mail/from"_s, mailFrom}};
}

QStringList LiveSettings::keys()
{
    return {u"signup/enabled"_s,
            u"signup/approval_required"_s,
            u"signup/apps"_s,
            u"signup/default_group"_s,
            u"verification/ttl_seconds"_s,
            u"login_link/ttl_seconds"_s,
            u"session/ttl_seconds"_s,
            u"session/idle_seconds"_s,
            u"mail/welcome"_s,
            u"mail/rejection"_s,
            u"mail/from"_s};
}

Result<LiveSettings> parseLiveSettings(const LiveSettings &base,
                                       const QHash<QString, QString> &values)
{
    // loadConfig is the one place that knows how each key parses and what range it takes.
    ConfigSources sources;
    sources.overrides = base.values();
    const QStringList live = LiveSettings::keys();
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        if (!live.contains(it.key()))
            return fail(ErrorCode::Validation, it.key() + u": cannot change while running"_s);
        sources.overrides.insert(it.key(), it.value());
    }
    auto config = loadConfig(sources);
    if (!config)
        return std::unexpected(config.error());
    return LiveSettings::fromConfig(*config);
}

LiveConfig::LiveConfig(const Config &config)
    : m_startup(LiveSettings::fromConfig(config)),
      m_current(std::make_shared<const LiveSettings>(m_startup))
{
}

std::shared_ptr<const LiveSettings> LiveConfig::current() const
{
    QMutexLocker lock(&m_mutex);
    return m_current;
}

QHash<QString, QString> LiveConfig::stored() const
{
    QMutexLocker lock(&m_mutex);
    return m_stored;
}

quint64 LiveConfig::generation() const
{
    QMutexLocker lock(&m_mutex);
    return m_generation;
}

bool LiveConfig::replaceStored(const QHash<QString, QString> &rows, quint64 seen)
{
    QMutexLocker lock(&m_mutex);
    if (seen != m_generation || rows == m_stored)
        return false;
    m_stored = rows;
    ++m_generation;
    return rebuildLocked();
}

bool LiveConfig::mergeStored(const QHash<QString, QString> &rows)
{
    QMutexLocker lock(&m_mutex);
    m_stored.insert(rows);
    ++m_generation;
    return rebuildLocked();
}

bool LiveConfig::rebuildLocked()
{
    // Key by key, so one row this build cannot read (written by a newer version, say) leaves
    // the others in force.
    LiveSettings next = m_startup;
    const QStringList live = LiveSettings::keys();
    for (auto it = m_stored.cbegin(); it != m_stored.cend(); ++it) {
        if (!live.contains(it.key()))
            continue;
        auto parsed = parseLiveSettings(next, {{it.key(), it.value()}});
        if (parsed)
            next = *parsed;
        else
            qWarning("settings: ignoring the stored %s: %s", qPrintable(it.key()),
                     qPrintable(parsed.error().detail));
    }
    if (next == *m_current)
        return false;
    m_current = std::make_shared<const LiveSettings>(std::move(next));
    return true;
}

} // namespace sd::core
