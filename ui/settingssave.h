#pragma once

#include "config.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <utility>

namespace sd::ui {

// What one Save of the Settings dialog does, worked out before anything is written.
struct SettingsSave
{
    QList<std::pair<QString, QString>> toWrite; // "section/key" → value, for the INI file
    QHash<QString, QString> liveChanges;        // live settings changed in the dialog
    QStringList restart;                        // what applies only after a restart (names)
};

// The Settings dialog's save policy, apart from its widgets: what goes to the file, what
// applies live, what waits for a restart, and how the outcome reads.
namespace settingssave {

// The keys the dialog edits, as a config says them.
QHash<QString, QString> configValues(const core::Config &config);
// One of those keys, already checked, into a config.
void setConfigValue(core::Config &config, const QString &key, const QString &value);
// `fields`: the dialog's values; `fileConfig`: what the next start would read before the
// changes; `running`: the config in force; `shown`: the live values as the dialog showed them.
SettingsSave plan(const QHash<QString, QString> &fields, const core::Config &fileConfig,
                  const core::Config &running, const QHash<QString, QString> &shown,
                  const QStringList &overriddenKeys);
// The status line after a save.
QString summary(const SettingsSave &plan, const QString &configFile, bool languageChanged);

} // namespace settingssave

} // namespace sd::ui
