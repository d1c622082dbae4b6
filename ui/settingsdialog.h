#pragma once

#include "console/testmailer.h"
#include "coreservices.h"
#include "settings/settingsrules.h"

#include <QDialog>
#include <QHash>

#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSettings;
class QTabWidget;

namespace sd::ui {

class ConsoleBackend;
class DurationEdit;

// What the settings dialog needs from the composition root: ui/ links neither app/ nor
// server/http, so app/ hands these in.
struct SettingsHooks
{
    // The INI file Save writes: the --config file, else the default one (created if need be).
    QString configFile;
    // The config as the next start would read it (INI < SIGNUPDESK_* < command line); empty:
    // the running config.
    std::function<core::Result<core::Config>()> loadConfig;
    // "section/key" set by the environment or the command line: shown, not editable.
    QStringList overriddenKeys;
    // The mail transport a config names, for "Send a test email". Empty: no test button.
    std::function<std::shared_ptr<core::TestMailer>(const core::Config &)> makeTestMailer;
    // Loads a TLS certificate and key as the server would. Empty: only readability is checked.
    std::function<core::Result<void>(const QString &certFile, const QString &keyFile)> checkTls;
};

// Edits the settings of the INI file: signup (on/off, approval, apps, token lifetimes in
// minutes, hours or days), mail (transport, SMTP, sender, CA file; "Send a test email"), TLS
// files, and the console's language (the user's own settings, key console/language).
// Apply and Save do one thing, save(): check every field by core's rules (errors show beside
// it; nothing is written then), write the INI file in place, and apply the live settings at
// once for every instance sharing the database, saying what waits for a restart. Apply leaves
// the dialog open; Save closes it once that succeeded; Close discards what was not applied.
// The database and the network are used off the GUI thread only.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(core::CoreServices &core, ConsoleBackend *backend, SettingsHooks hooks,
                   QSettings *consoleSettings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Apply: checks, writes the file and starts applying the live part; the dialog stays open.
    // False (nothing written) when a field is invalid or the file cannot be written; the
    // dialog shows why. Then either saved() or saveFailed() follows. The only writer of the
    // file.
    bool save();
    // The line at the bottom: what the last save or check said.
    QString statusText() const;
    // The inline error of a field ("apps", "smtpUrl", "tls", …), empty when none.
    QString fieldError(const QString &field) const;
    bool isSaving() const { return m_saving; }
    // The config file this dialog saves to.
    QString configFile() const { return m_hooks.configFile; }

public slots:
    void accept() override; // Save: save(), then close once it succeeded
    void sendTestEmail();

signals:
    void saved(const QString &summary);
    void saveFailed(const QString &message);
    void testEmailFinished(bool sent, const QString &message);

private:
    void buildUi();
    QWidget *buildSignupTab();
    QWidget *buildMailTab();
    QWidget *buildTlsTab();
    QWidget *buildConsoleTab();
    QLabel *errorLabel(const QString &field, QWidget *parent);
    QWidget *fileField(QLineEdit *edit, const QString &caption, QWidget *parent);
    void load();
    void updateMailFields();
    // "section/key" → text, as the dialog's fields say (the keys it edits).
    QHash<QString, QString> fieldValues() const;
    core::Config mailConfig() const; // the running config with the dialog's mail fields
    void setFieldError(const QString &field, const QString &message);
    void clearErrors();
    bool validate();
    // A broken rule of core's settingsrules, worded for the field beside which it shows.
    static QString issueText(const core::SettingIssue &issue);
    void setStatus(const QString &text, bool error);
    void finishSave(const QString &summary);

    core::CoreServices &m_core;
    ConsoleBackend *m_backend;
    SettingsHooks m_hooks;
    QSettings *m_consoleSettings;
    core::Config m_fileConfig;       // what the next start would read, before the dialog's changes
    QHash<QString, QString> m_shown; // the fields as loaded (live keys: as applied since)

    QTabWidget *m_tabs = nullptr;
    QCheckBox *m_signupEnabled = nullptr;
    QCheckBox *m_approvalRequired = nullptr;
    QListWidget *m_apps = nullptr;
    QLineEdit *m_defaultGroup = nullptr;
    DurationEdit *m_verificationTtl = nullptr;
    DurationEdit *m_loginLinkTtl = nullptr;
    DurationEdit *m_sessionTtl = nullptr;
    DurationEdit *m_sessionIdle = nullptr;
    QComboBox *m_transport = nullptr;
    QLineEdit *m_mailFolder = nullptr;
    QLineEdit *m_smtpUrl = nullptr;
    QLineEdit *m_smtpCaFile = nullptr;
    QLineEdit *m_mailFrom = nullptr;
    QCheckBox *m_mailWelcome = nullptr;
    QCheckBox *m_mailRejection = nullptr;
    QLineEdit *m_testAddress = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_testResult = nullptr;
    QLineEdit *m_tlsCert = nullptr;
    QLineEdit *m_tlsKey = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_status = nullptr;
    QHash<QString, QLabel *> m_errors;
    QHash<QString, QWidget *> m_fieldTabs; // field → its tab, to show the first error
    QList<QPushButton *> m_saveButtons;
    bool m_saving = false;
    bool m_closeAfterSave = false;
    bool m_testRunning = false;
};

} // namespace sd::ui
