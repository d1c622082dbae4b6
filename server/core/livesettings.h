#pragma once

#include "config.h"
#include "result.h"

#include <QHash>
#include <QMutex>

#include <memory>

namespace sd::core {

// The settings that may change while the server runs (a console's settings dialog, its panic
// switch). Every other Config field is fixed at start-up. Flows read these from
// Context::live, never from Context::config, whose copies are only the start-up values.
struct LiveSettings
{
    bool signupEnabled = true;
    bool approvalRequired = true;
    QStringList apps;
    QString defaultGroup;
    qint64 verificationTtlSeconds = 0;
    qint64 loginLinkTtlSeconds = 0;
    qint64 sessionTtlSeconds = 0;
    qint64 sessionIdleSeconds = 0;
    bool mailWelcome = true;
    bool mailRejection = true;
    QString mailFrom;

    static LiveSettings fromConfig(const Config &config);
    void applyTo(Config &config) const;
    // "section/key" → text, as the INI file and the settings table spell it ("true", "a,b", "900").
    QHash<QString, QString> values() const;
    // The live keys, "section/key".
    static QStringList keys();
    bool operator==(const LiveSettings &) const = default;
};

// `base` with `values` ("section/key" → text) laid over it, each checked as loadConfig checks
// it. A key that is not live, or a value that does not parse, is a Validation error naming it.
Result<LiveSettings> parseLiveSettings(const LiveSettings &base,
                                       const QHash<QString, QString> &values);

// Holds the live settings: the start-up config's values with the stored rows of the settings
// table (shared by every instance on the database) laid over them. Readers get a pointer to an
// immutable snapshot, so a request never sees half a change; taking it is one short lock and
// a reference count. Thread-safe.
class LiveConfig
{
public:
    explicit LiveConfig(const Config &config);
    LiveConfig(const LiveConfig &) = delete;
    LiveConfig &operator=(const LiveConfig &) = delete;

    std::shared_ptr<const LiveSettings> current() const;
    // The start-up values (INI < environment < command line), before any stored row.
    const LiveSettings &startup() const { return m_startup; }
    // The stored rows as last read or written ("section/key" → text).
    QHash<QString, QString> stored() const;

    // Bumped by every replace and merge: a refresh that read the table at generation `seen`
    // must not overwrite a change written since.
    quint64 generation() const;
    // Replaces all stored rows with `rows` (read from the table at generation `seen`). Returns
    // whether the snapshot changed; false without effect when the generation moved on.
    bool replaceStored(const QHash<QString, QString> &rows, quint64 seen);
    // Lays rows just written over the stored ones. Returns whether the snapshot changed.
    bool mergeStored(const QHash<QString, QString> &rows);

private:
    bool rebuildLocked(); // m_current from m_startup and m_stored; under m_mutex

    const LiveSettings m_startup;
    mutable QMutex m_mutex;
    QHash<QString, QString> m_stored;
    quint64 m_generation = 0;
    std::shared_ptr<const LiveSettings> m_current;
};

} // namespace sd::core
