#include "settingssave.h"

#include "consolebackend.h"
#include "errormessages.h"
#include "settingsdialog.h"

#include "livesettings.h"
#include "settings/inifile.h"
#include "settings/settingsrules.h"

#include "localactor.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>

using namespace Qt::StringLiterals;

namespace sd::ui::settingssave {

namespace {

const QStringList &restartKeys()
{
    static const QStringList keys{u"mail/transport"_s,  u"mail/folder"_s,
                                  u"mail/smtp_url"_s,   u"mail/smtp_ca_file"_s,
                                  u"server/tls_cert"_s, u"server/tls_key"_s};
    return keys;
}

} // namespace

QHash<QString, QString> configValues(const core::Config &c)
{
    QHash<QString, QString> v = core::LiveSettings::fromConfig(c).values();
    v.insert(u"mail/transport"_s, c.mailTransport);
    v.insert(u"mail/folder"_s, c.mailFolder);
    v.insert(u"mail/smtp_url"_s, c.smtpUrl);
    v.insert(u"mail/smtp_ca_file"_s, c.smtpCaFile);
    v.insert(u"server/tls_cert"_s, c.tlsCert);
    v.insert(u"server/tls_key"_s, c.tlsKey);
    return v;
}

void setConfigValue(core::Config &c, const QString &key, const QString &value)
{
    if (core::LiveSettings::keys().contains(key)) {
        if (auto parsed =
                core::parseLiveSettings(core::LiveSettings::fromConfig(c), {{key, value}}))
            parsed->applyTo(c);
    } else if (key == u"mail/transport"_s) {
        c.mailTransport = value;
    } else if (key == u"mail/folder"_s) {
        c.mailFolder = value;
    } else if (key == u"mail/smtp_url"_s) {
        c.smtpUrl = value;
    } else if (key == u"mail/smtp_ca_file"_s) {
        c.smtpCaFile = value;
    } else if (key == u"server/tls_cert"_s) {
        c.tlsCert = value;
    } else if (key == u"server/tls_key"_s) {
        c.tlsKey = value;
    }
}

SettingsSave plan(const QHash<QString, QString> &fields, const core::Config &fileConfig,
                  const core::Config &running, const QHash<QString, QString> &shown,
                  const QStringList &overriddenKeys)
{
    SettingsSave out;
    const QHash<QString, QString> file = configValues(fileConfig);
    const QHash<QString, QString> now = configValues(running);
    // The file gets what differs from what it (with the environment) says now; keys the
    // environment or the command line set are left alone, since there the file does not count.
    QStringList keys = fields.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys))
        if (fields.value(key) != file.value(key) && !overriddenKeys.contains(key))
            out.toWrite.append({key, fields.value(key)});
    // Live: only what was changed here, so a change another console made meanwhile (the panic
    // switch, say) is not undone by values this dialog merely showed.
    for (const QString &key : core::LiveSettings::keys())
        if (fields.value(key) != shown.value(key))
            out.liveChanges.insert(key, fields.value(key));
    const QHash<QString, QString> names{
        {u"mail/transport"_s, SettingsDialog::tr("mail transport")},
        {u"mail/folder"_s, SettingsDialog::tr("mail folder")},
        {u"mail/smtp_url"_s, SettingsDialog::tr("SMTP URL")},
        {u"mail/smtp_ca_file"_s, SettingsDialog::tr("SMTP CA file")},
        {u"server/tls_cert"_s, SettingsDialog::tr("TLS certificate")},
        {u"server/tls_key"_s, SettingsDialog::tr("TLS key")}};
    for (const QString &key : restartKeys())
        if (fields.value(key) != now.value(key))
            out.restart << names.value(key);
    return out;
}

QString summary(const SettingsSave &plan, const QString &configFile, bool languageChanged)
{
    QStringList summary;
    if (!plan.toWrite.isEmpty())
        summary << SettingsDialog::tr("Saved to %1.").arg(configFile);
    else if (plan.liveChanges.isEmpty() && !languageChanged)
        summary << SettingsDialog::tr("Nothing to save: no setting changed.");
    if (!plan.liveChanges.isEmpty())
        summary << SettingsDialog::tr(
            "Signup and email changes apply now, on every instance sharing the database.");
    if (!plan.restart.isEmpty())
        summary
            << SettingsDialog::tr("Applies after a restart: %1.").arg(plan.restart.join(u", "_s));
    if (languageChanged)
        summary << SettingsDialog::tr("The console language applies at its next start.");
    return summary.join(u' ');
}

} // namespace sd::ui::settingssave

// ---- The dialog's save half: checks (core's rules, worded per field) and Save.

namespace sd::ui {

namespace {

// The person at this console, as the audit log records it ("console:alice").
const core::Actor kConsole = core::localActor(u"console"_s);

} // namespace

// A broken rule of core's settingsrules, worded for the field beside which it shows.
QString SettingsDialog::issueText(const core::SettingIssue &issue)
{
    using core::SettingProblem;
    switch (issue.problem) {
    case SettingProblem::AppNotCodeName:
        return SettingsDialog::tr(
                   "“%1” is not an app code name: use 1 to 64 letters, digits, dots, "
                   "dashes or underscores.")
            .arg(issue.subject);
    case SettingProblem::AppListedTwice:
        return SettingsDialog::tr("“%1” is listed twice.").arg(issue.subject);
    case SettingProblem::NoApp:
        return SettingsDialog::tr("Name at least one app.");
    case SettingProblem::GroupEmpty:
        return SettingsDialog::tr("Name the group that new accounts join.");
    case SettingProblem::GroupBadCharacter:
        return SettingsDialog::tr("A group name cannot hold a comma or a control character.");
    case SettingProblem::SmtpUrlInvalid:
        return SettingsDialog::tr("Give an SMTP URL like smtp://host:587 or "
                                  "smtps://user:password@host:465.");
    case SettingProblem::SenderInvalid:
        return SettingsDialog::tr("Give a sender like SignupDesk <noreply@example.org>.");
    case SettingProblem::TlsOnlyOne:
        return SettingsDialog::tr("Give both the certificate and the key, or neither.");
    }
    return issue.message();
}

bool SettingsDialog::validate()
{
    clearErrors();
    QStringList invalid; // fields in the order of the tabs

    // The value rules are core's (settingsrules), the same that config loading applies.
    const auto broken = [&](const QString &field, const std::optional<core::SettingIssue> &issue) {
        if (!issue)
            return false;
        setFieldError(field, issueText(*issue));
        invalid << field;
        return true;
    };
    QStringList apps;
    for (int i = 0; i < m_apps->count(); ++i)
        apps << m_apps->item(i)->text().trimmed();
    broken(u"apps"_s, core::settingsrules::checkApps(apps));
    broken(u"defaultGroup"_s, core::settingsrules::checkDefaultGroup(m_defaultGroup->text()));

    const bool smtp = m_transport->currentData().toString() == u"smtp"_s;
    if (smtp && m_smtpUrl->isEnabled())
        broken(u"smtpUrl"_s, core::settingsrules::checkSmtpUrl(m_smtpUrl->text().trimmed()));
    const QString caFile = m_smtpCaFile->text().trimmed();
    if (smtp && !caFile.isEmpty() && m_smtpCaFile->isEnabled()) {
        QFile file(caFile);
        if (!file.open(QIODevice::ReadOnly)) {
            setFieldError(u"smtpCaFile"_s, tr("Cannot read %1.").arg(caFile));
            invalid << u"smtpCaFile"_s;
        } else if (!file.read(1024 * 1024).contains("-----BEGIN CERTIFICATE-----")) {
            setFieldError(u"smtpCaFile"_s, tr("%1 holds no PEM certificate.").arg(caFile));
            invalid << u"smtpCaFile"_s;
        }
    }
    broken(u"mailFrom"_s, core::settingsrules::checkSender(m_mailFrom->text().trimmed()));

    const QString cert = m_tlsCert->text().trimmed(), key = m_tlsKey->text().trimmed();
    QString tlsError;
    if (const auto pair = core::settingsrules::checkTlsPair(cert, key)) {
        tlsError = issueText(*pair);
    } else if (!cert.isEmpty()) {
        for (const QString &path : {cert, key}) {
            const QFileInfo info(path);
            if (tlsError.isEmpty() && (!info.isFile() || !info.isReadable()))
                tlsError = tr("Cannot read %1.").arg(path);
        }
        if (tlsError.isEmpty() && m_hooks.checkTls) {
            if (auto r = m_hooks.checkTls(cert, key); !r)
                tlsError = tr("The server could not use these files: %1").arg(r.error().detail);
        }
    }
    if (!tlsError.isEmpty()) {
        setFieldError(u"tls"_s, tlsError);
        invalid << u"tls"_s;
    }

    if (invalid.isEmpty())
        return true;
    m_tabs->setCurrentWidget(m_fieldTabs.value(invalid.first()));
    setStatus(tr("Nothing was saved: correct the fields marked in red."), true);
    return false;
}

bool SettingsDialog::save()
{
    if (m_saving)
        return false;
    if (!validate())
        return false;

    const SettingsSave plan = settingssave::plan(fieldValues(), m_fileConfig, m_core.config(),
                                                 m_shown, m_hooks.overriddenKeys);
    const auto &toWrite = plan.toWrite;
    const auto &liveChanges = plan.liveChanges;
    const QString language = m_language->currentData().toString();
    const bool languageChanged =
        m_consoleSettings && m_consoleSettings->value(u"console/language"_s).toString() != language;

    if (!toWrite.isEmpty()) {
        if (auto r = core::writeIniValues(m_hooks.configFile, toWrite); !r) {
            const QString message = tr("Cannot save to %1: %2. Nothing was changed.")
                                        .arg(m_hooks.configFile, r.error().detail);
            setStatus(message, true);
            emit saveFailed(message);
            return false;
        }
        for (const auto &[key, value] : std::as_const(toWrite)) // the file now says so
            settingssave::setConfigValue(m_fileConfig, key, value);
    }
    if (languageChanged) {
        m_consoleSettings->setValue(u"console/language"_s, language);
        m_consoleSettings->sync();
    }

    const QString text = settingssave::summary(plan, m_hooks.configFile, languageChanged);

    if (liveChanges.isEmpty()) {
        finishSave(text);
        return true;
    }
    m_saving = true;
    for (QPushButton *b : std::as_const(m_saveButtons))
        b->setEnabled(false);
    setStatus(tr("Applying…"), false);
    core::CoreServices *core = &m_core;
    m_backend->run(
        this, [core, liveChanges] { return core->settings().change(liveChanges, kConsole); },
        [this, text, liveChanges](const core::Result<core::LiveSettings> &r) {
            m_saving = false;
            for (QPushButton *b : std::as_const(m_saveButtons))
                b->setEnabled(true);
            if (!r) {
                const QString message =
                    tr("Saved to the file, but the live settings could not be applied: "
                       "%1")
                        .arg(errorMessage(r.error()));
                m_closeAfterSave = false;
                setStatus(message, true);
                emit saveFailed(message);
                return;
            }
            m_shown.insert(liveChanges);
            finishSave(text);
        });
    return true;
}

void SettingsDialog::finishSave(const QString &summary)
{
    setStatus(summary, false);
    emit saved(summary);
    if (m_closeAfterSave) {
        m_closeAfterSave = false;
        QDialog::accept();
    }
}

void SettingsDialog::accept()
{
    m_closeAfterSave = true;
    if (!save())
        m_closeAfterSave = false;
}

} // namespace sd::ui
