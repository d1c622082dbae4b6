#include "settingsdialog.h"

#include "consolebackend.h"
#include "durationedit.h"
#include "errormessages.h"
#include "settingssave.h"

#include "livesettings.h"
#include "settings/inifile.h"
#include "settings/settingsrules.h"
#include "validation/signupvalidator.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sd::ui {

namespace {

constexpr int kMaxSeconds = 10 * 365 * 24 * 3600; // as loadConfig allows

QString boolText(bool b)
{
    return b ? u"true"_s : u"false"_s;
}

DurationEdit *durationBox(const QString &name, QWidget *parent)
{
    return new DurationEdit(name, kMaxSeconds, parent);
}

} // namespace

SettingsDialog::SettingsDialog(core::CoreServices &core, ConsoleBackend *backend,
                               SettingsHooks hooks, QSettings *consoleSettings, QWidget *parent)
    : QDialog(parent), m_core(core), m_backend(backend), m_hooks(std::move(hooks)),
      m_consoleSettings(consoleSettings)
{
    setObjectName(u"settingsDialog"_s);
    setWindowTitle(tr("Settings"));
    buildUi();
    load();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *file = new QLabel(this);
    file->setObjectName(u"configFileLabel"_s);
    file->setTextFormat(Qt::PlainText);
    file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    file->setWordWrap(true);
    file->setText(QFileInfo::exists(m_hooks.configFile)
                      ? tr("Settings file: %1").arg(m_hooks.configFile)
                      : tr("Settings file: %1 (made on the first save)").arg(m_hooks.configFile));
    layout->addWidget(file);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"settingsTabs"_s);
    m_tabs->addTab(buildSignupTab(), tr("&Signup"));
    m_tabs->addTab(buildMailTab(), tr("&Mail"));
    m_tabs->addTab(buildTlsTab(), tr("&TLS"));
    m_tabs->addTab(buildConsoleTab(), tr("&Console"));
    layout->addWidget(m_tabs, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(u"settingsStatus"_s);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(
        QDialogButtonBox::Save | QDialogButtonBox::Apply | QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Save)->setObjectName(u"saveButton"_s);
    buttons->button(QDialogButtonBox::Apply)->setObjectName(u"applyButton"_s);
    // One action, save(), behind both buttons: they differ only in closing the dialog.
    buttons->button(QDialogButtonBox::Apply)
        ->setToolTip(tr("Check the fields, write them to the settings file and apply the live "
                        "settings now; the dialog stays open."));
    buttons->button(QDialogButtonBox::Save)
        ->setToolTip(tr("As Apply, then close the dialog (it stays open if a field is wrong)."));
    buttons->button(QDialogButtonBox::Close)
        ->setToolTip(tr("Close without applying what was changed since the last Apply."));
    m_saveButtons = {buttons->button(QDialogButtonBox::Save),
                     buttons->button(QDialogButtonBox::Apply)};
    connect(buttons->button(QDialogButtonBox::Save), &QPushButton::clicked, this,
            &SettingsDialog::accept);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this,
            [this] { save(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 560);
}

QLabel *SettingsDialog::errorLabel(const QString &field, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(field + u"Error"_s);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(u"color: #b00020;"_s);
    label->hide();
    m_errors.insert(field, label);
    m_fieldTabs.insert(field, parent);
    return label;
}

QWidget *SettingsDialog::fileField(QLineEdit *edit, const QString &caption, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    edit->setParent(box);
    auto *browse = new QPushButton(tr("Browse…"), box);
    browse->setObjectName(edit->objectName() + u"Browse"_s);
    connect(browse, &QPushButton::clicked, this, [this, edit, caption] {
        const QString chosen =
            QFileDialog::getOpenFileName(this, caption, QFileInfo(edit->text()).absolutePath(),
                                         tr("PEM files (*.pem *.crt *.key *.cer);;All files (*)"));
        if (!chosen.isEmpty())
            edit->setText(chosen);
    });
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return box;
}

QWidget *SettingsDialog::buildSignupTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *note = new QLabel(tr("These apply at once, on every instance sharing the database, and "
                               "are saved to the settings file."),
                            tab);
    note->setWordWrap(true);
    layout->addWidget(note);

    auto *form = new QFormLayout;
    m_signupEnabled = new QCheckBox(tr("Accept new signups"), tab);
    m_signupEnabled->setObjectName(u"signupEnabled"_s);
    m_approvalRequired = new QCheckBox(tr("New accounts wait for an admin's approval"), tab);
    m_approvalRequired->setObjectName(u"approvalRequired"_s);
    form->addRow(m_signupEnabled);
    form->addRow(m_approvalRequired);

    auto *apps = new QWidget(tab);
    auto *appsLayout = new QHBoxLayout(apps);
    appsLayout->setContentsMargins(0, 0, 0, 0);
    m_apps = new QListWidget(apps);
    m_apps->setObjectName(u"apps"_s);
    m_apps->setMaximumHeight(110);
    m_apps->setToolTip(tr("App code names a signup may ask for; the first is the default. "
                          "Double-click a name to edit it."));
    auto *appButtons = new QVBoxLayout;
    auto *add = new QPushButton(tr("&Add"), apps);
    add->setObjectName(u"addAppButton"_s);
    auto *remove = new QPushButton(tr("&Remove"), apps);
    remove->setObjectName(u"removeAppButton"_s);
    connect(add, &QPushButton::clicked, this, [this] {
        auto *item = new QListWidgetItem(tr("new-app"), m_apps);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        m_apps->setCurrentItem(item);
        m_apps->editItem(item);
    });
    connect(remove, &QPushButton::clicked, this, [this] { delete m_apps->currentItem(); });
    appButtons->addWidget(add);
    appButtons->addWidget(remove);
    appButtons->addStretch();
    appsLayout->addWidget(m_apps, 1);
    appsLayout->addLayout(appButtons);
    form->addRow(tr("Apps:"), apps);
    form->addRow(errorLabel(u"apps"_s, tab));
    m_defaultGroup = new QLineEdit(tab);
    m_defaultGroup->setObjectName(u"defaultGroup"_s);
    form->addRow(tr("Group of new accounts:"), m_defaultGroup);
    form->addRow(errorLabel(u"defaultGroup"_s, tab));
    m_verificationTtl = durationBox(u"verificationTtl"_s, tab);
    m_loginLinkTtl = durationBox(u"loginLinkTtl"_s, tab);
    m_sessionTtl = durationBox(u"sessionTtl"_s, tab);
    m_sessionIdle = durationBox(u"sessionIdle"_s, tab);
    form->addRow(tr("Verification link valid for:"), m_verificationTtl);
    form->addRow(tr("Login link valid for:"), m_loginLinkTtl);
    form->addRow(tr("Session lasts at most:"), m_sessionTtl);
    form->addRow(tr("Session ends after idle:"), m_sessionIdle);
    layout->addLayout(form);
    layout->addStretch();
    return tab;
}

QWidget *SettingsDialog::buildMailTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);

    auto *transport = new QGroupBox(tr("Transport (applies after a restart)"), tab);
    auto *form = new QFormLayout(transport);
    m_transport = new QComboBox(transport);
    m_transport->setObjectName(u"mailTransport"_s);
    m_transport->addItem(tr("Files in a folder"), u"file"_s);
    m_transport->addItem(tr("SMTP server"), u"smtp"_s);
    connect(m_transport, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateMailFields);
    form->addRow(tr("Send email as:"), m_transport);
    m_mailFolder = new QLineEdit(transport);
    m_mailFolder->setObjectName(u"mailFolder"_s);
    form->addRow(tr("Folder:"), m_mailFolder);
    m_smtpUrl = new QLineEdit(transport);
    m_smtpUrl->setObjectName(u"smtpUrl"_s);
    m_smtpUrl->setPlaceholderText(u"smtp://user:password@host:587"_s);
    m_smtpUrl->setToolTip(tr("smtp:// (STARTTLS when offered) or smtps://, with user and password "
                             "if the server wants them"));
    form->addRow(tr("SMTP URL:"), m_smtpUrl);
    form->addRow(errorLabel(u"smtpUrl"_s, tab));
    m_smtpCaFile = new QLineEdit;
    m_smtpCaFile->setObjectName(u"smtpCaFile"_s);
    m_smtpCaFile->setPlaceholderText(tr("the system's certificate authorities"));
    form->addRow(tr("Trust CA file:"), fileField(m_smtpCaFile, tr("CA certificates"), transport));
    form->addRow(errorLabel(u"smtpCaFile"_s, tab));
    layout->addWidget(transport);

    auto *content = new QGroupBox(tr("Sender and emails (apply at once)"), tab);
    auto *contentForm = new QFormLayout(content);
    m_mailFrom = new QLineEdit(content);
    m_mailFrom->setObjectName(u"mailFrom"_s);
    contentForm->addRow(tr("From:"), m_mailFrom);
    contentForm->addRow(errorLabel(u"mailFrom"_s, tab));
    m_mailWelcome =
        new QCheckBox(tr("Send a welcome email when an account becomes active"), content);
    m_mailWelcome->setObjectName(u"mailWelcome"_s);
    m_mailRejection = new QCheckBox(tr("Send an email when a signup is rejected"), content);
    m_mailRejection->setObjectName(u"mailRejection"_s);
    contentForm->addRow(m_mailWelcome);
    contentForm->addRow(m_mailRejection);
    layout->addWidget(content);

    auto *test = new QGroupBox(tr("Test"), tab);
    auto *testLayout = new QVBoxLayout(test);
    auto *testRow = new QHBoxLayout;
    m_testAddress = new QLineEdit(test);
    m_testAddress->setObjectName(u"testAddress"_s);
    m_testAddress->setPlaceholderText(tr("address to send a test email to"));
    m_testButton = new QPushButton(tr("Send a test &email"), test);
    m_testButton->setObjectName(u"sendTestButton"_s);
    m_testButton->setEnabled(bool(m_hooks.makeTestMailer));
    m_testButton->setToolTip(tr("Sends through the transport, sender and CA file shown above, "
                                "saved or not."));
    connect(m_testButton, &QPushButton::clicked, this, &SettingsDialog::sendTestEmail);
    testRow->addWidget(m_testAddress, 1);
    testRow->addWidget(m_testButton);
    testLayout->addLayout(testRow);
    testLayout->addWidget(errorLabel(u"testAddress"_s, tab));
    m_testResult = new QLabel(test);
    m_testResult->setObjectName(u"testResult"_s);
    m_testResult->setWordWrap(true);
    m_testResult->setTextFormat(Qt::PlainText);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    testLayout->addWidget(m_testResult);
    layout->addWidget(test);
    layout->addStretch();
    return tab;
}

QWidget *SettingsDialog::buildTlsTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *note = new QLabel(tr("PEM files for HTTPS. With both set the server speaks HTTPS only; "
                               "with neither, plain HTTP. Applies after a restart."),
                            tab);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto *form = new QFormLayout;
    m_tlsCert = new QLineEdit;
    m_tlsCert->setObjectName(u"tlsCert"_s);
    m_tlsKey = new QLineEdit;
    m_tlsKey->setObjectName(u"tlsKey"_s);
    form->addRow(tr("Certificate (chain):"), fileField(m_tlsCert, tr("TLS certificate"), tab));
    form->addRow(tr("Private key:"), fileField(m_tlsKey, tr("TLS private key"), tab));
    form->addRow(errorLabel(u"tls"_s, tab));
    layout->addLayout(form);
    layout->addStretch();
    return tab;
}

QWidget *SettingsDialog::buildConsoleTab()
{
    auto *tab = new QWidget(this);
    auto *layout = new QVBoxLayout(tab);
    auto *form = new QFormLayout;
    m_language = new QComboBox(tab);
    m_language->setObjectName(u"consoleLanguage"_s);
    m_language->addItem(tr("System"), QString());
    // Each language in its own name, so it can be found whatever the console shows now.
    m_language->addItem(u"English"_s, u"en"_s);
    m_language->addItem(u"Français"_s, u"fr"_s);
    m_language->addItem(u"Deutsch"_s, u"de"_s);
    form->addRow(tr("Console language:"), m_language);
    layout->addLayout(form);
    auto *note = new QLabel(tr("The console's language applies at its next start. It is kept for "
                               "you alone, not in the settings file."),
                            tab);
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addStretch();
    return tab;
}

void SettingsDialog::load()
{
    m_fileConfig = m_core.config();
    if (m_hooks.loadConfig) {
        if (auto loaded = m_hooks.loadConfig())
            m_fileConfig = *loaded;
        else
            setStatus(tr("The settings file does not read cleanly (%1); the running settings are "
                         "shown.")
                          .arg(loaded.error().detail),
                      true);
    }
    // The live settings as they are now (a panic switch, another console) win over the file.
    core::Config shown = m_fileConfig;
    m_core.settings().current()->applyTo(shown);

    m_signupEnabled->setChecked(shown.signupEnabled);
    m_approvalRequired->setChecked(shown.approvalRequired);
    m_apps->clear();
    for (const QString &app : std::as_const(shown.apps)) {
        auto *item = new QListWidgetItem(app, m_apps);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
    }
    m_defaultGroup->setText(shown.defaultGroup);
    m_verificationTtl->setSeconds(shown.verificationTtlSeconds);
    m_loginLinkTtl->setSeconds(shown.loginLinkTtlSeconds);
    m_sessionTtl->setSeconds(shown.sessionTtlSeconds);
    m_sessionIdle->setSeconds(shown.sessionIdleSeconds);
    m_transport->setCurrentIndex(qMax(0, m_transport->findData(shown.mailTransport)));
    m_mailFolder->setText(shown.mailFolder);
    m_smtpUrl->setText(shown.smtpUrl);
    m_smtpCaFile->setText(shown.smtpCaFile);
    m_mailFrom->setText(shown.mailFrom);
    m_mailWelcome->setChecked(shown.mailWelcome);
    m_mailRejection->setChecked(shown.mailRejection);
    m_tlsCert->setText(shown.tlsCert);
    m_tlsKey->setText(shown.tlsKey);
    const QString language =
        m_consoleSettings ? m_consoleSettings->value(u"console/language"_s).toString() : QString();
    m_language->setCurrentIndex(qMax(0, m_language->findData(language)));

    // What the environment or the command line sets cannot change from here (live keys can:
    // the database's value wins over both).
    const QHash<QString, QWidget *> restartFields{
        {u"mail/transport"_s, m_transport}, {u"mail/folder"_s, m_mailFolder},
        {u"mail/smtp_url"_s, m_smtpUrl},    {u"mail/smtp_ca_file"_s, m_smtpCaFile},
        {u"server/tls_cert"_s, m_tlsCert},  {u"server/tls_key"_s, m_tlsKey}};
    for (auto it = restartFields.cbegin(); it != restartFields.cend(); ++it) {
        if (m_hooks.overriddenKeys.contains(it.key())) {
            it.value()->setEnabled(false);
            it.value()->setToolTip(tr("Set by a SIGNUPDESK_ environment variable or the command "
                                      "line (%1); change it there.")
                                       .arg(it.key()));
        }
    }
    updateMailFields();
    m_shown = fieldValues();
}

void SettingsDialog::updateMailFields()
{
    const bool smtp = m_transport->currentData().toString() == u"smtp"_s;
    m_mailFolder->setEnabled(!smtp && !m_hooks.overriddenKeys.contains(u"mail/folder"_s));
    m_smtpUrl->setEnabled(smtp && !m_hooks.overriddenKeys.contains(u"mail/smtp_url"_s));
    m_smtpCaFile->setEnabled(smtp && !m_hooks.overriddenKeys.contains(u"mail/smtp_ca_file"_s));
}

QHash<QString, QString> SettingsDialog::fieldValues() const
{
    QStringList apps;
    for (int i = 0; i < m_apps->count(); ++i)
        apps << m_apps->item(i)->text().trimmed();
    return {{u"signup/enabled"_s, boolText(m_signupEnabled->isChecked())},
            {u"signup/approval_required"_s, boolText(m_approvalRequired->isChecked())},
            {u"signup/apps"_s, apps.join(u',')},
            {u"signup/default_group"_s, m_defaultGroup->text().trimmed()},
            {u"verification/ttl_seconds"_s, QString::number(m_verificationTtl->seconds())},
            {u"login_link/ttl_seconds"_s, QString::number(m_loginLinkTtl->seconds())},
            {u"session/ttl_seconds"_s, QString::number(m_sessionTtl->seconds())},
            {u"session/idle_seconds"_s, QString::number(m_sessionIdle->seconds())},
            {u"mail/welcome"_s, boolText(m_mailWelcome->isChecked())},
            {u"mail/rejection"_s, boolText(m_mailRejection->isChecked())},
            {u"mail/from"_s, m_mailFrom->text().trimmed()},
            {u"mail/transport"_s, m_transport->currentData().toString()},
            {u"mail/folder"_s, m_mailFolder->text().trimmed()},
            {u"mail/smtp_url"_s, m_smtpUrl->text().trimmed()},
            {u"mail/smtp_ca_file"_s, m_smtpCaFile->text().trimmed()},
            {u"server/tls_cert"_s, m_tlsCert->text().trimmed()},
            {u"server/tls_key"_s, m_tlsKey->text().trimmed()}};
}

core::Config SettingsDialog::mailConfig() const
{
    core::Config c = m_core.config();
    c.mailTransport = m_transport->currentData().toString();
    c.mailFolder = m_mailFolder->text().trimmed();
    if (c.mailFolder.isEmpty())
        c.mailFolder = m_fileConfig.mailFolder;
    c.smtpUrl = m_smtpUrl->text().trimmed();
    c.smtpCaFile = m_smtpCaFile->text().trimmed();
    c.mailFrom = m_mailFrom->text().trimmed();
    return c;
}

void SettingsDialog::setFieldError(const QString &field, const QString &message)
{
    if (QLabel *label = m_errors.value(field)) {
        label->setText(message);
        label->setVisible(!message.isEmpty());
    }
}

QString SettingsDialog::fieldError(const QString &field) const
{
    const QLabel *label = m_errors.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

void SettingsDialog::clearErrors()
{
    for (QLabel *label : std::as_const(m_errors)) {
        label->clear();
        label->hide();
    }
}

QString SettingsDialog::statusText() const
{
    return m_status->text();
}

void SettingsDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b00020;"_s : QString());
}

void SettingsDialog::sendTestEmail()
{
    if (m_testRunning || !m_hooks.makeTestMailer)
        return;
    setFieldError(u"testAddress"_s, {});
    setFieldError(u"smtpUrl"_s, {});
    setFieldError(u"mailFrom"_s, {});
    const QString to = m_testAddress->text().trimmed();
    bool ok = true;
    if (!core::SignupValidator::isValidEmail(to)) {
        setFieldError(u"testAddress"_s, tr("Give the address to send the test email to."));
        ok = false;
    }
    const core::Config config = mailConfig();
    if (config.mailTransport == u"smtp"_s) {
        if (const auto issue = core::settingsrules::checkSmtpUrl(config.smtpUrl)) {
            setFieldError(u"smtpUrl"_s, issueText(*issue));
            ok = false;
        }
    }
    if (const auto issue = core::settingsrules::checkSender(config.mailFrom)) {
        setFieldError(u"mailFrom"_s, issueText(*issue));
        ok = false;
    }
    if (!ok) {
        const QString message =
            tr("The test email was not sent: correct the fields marked in red.");
        m_testResult->setText(message);
        m_testResult->setStyleSheet(u"color: #b00020;"_s);
        emit testEmailFinished(false, message);
        return;
    }

    std::shared_ptr<core::TestMailer> mailer = m_hooks.makeTestMailer(config);
    const QString via = mailer->describe(); // never the password
    core::TestEmail message;
    message.from = config.mailFrom;
    message.to = to;
    message.subject = tr("SignupDesk test email");
    message.textBody = tr("This is a test email from the SignupDesk console, sent through %1.\n\n"
                          "If you can read it, SignupDesk can send email.")
                           .arg(via);
    message.htmlBody =
        u"<p>"_s + message.textBody.toHtmlEscaped().replace(u"\n\n"_s, u"</p><p>"_s) + u"</p>"_s;

    m_testRunning = true;
    m_testButton->setEnabled(false);
    m_testResult->setStyleSheet(QString());
    m_testResult->setText(tr("Sending to %1 through %2…").arg(to, via));
    // SMTP can take up to a minute: a thread of its own, not the GUI's, not the backend's queue.
    auto result = std::make_shared<core::MailDelivery>();
    QThread *thread =
        QThread::create([mailer, message, result] { *result = mailer->send(message); });
    thread->setObjectName(u"testmail"_s);
    connect(thread, &QThread::finished, this, [this, result, to, via] {
        m_testRunning = false;
        m_testButton->setEnabled(true);
        const QString reply = result->reply.trimmed();
        const QString text =
            result->sent
                ? (reply.isEmpty()
                       ? tr("Sent to %1 through %2.").arg(to, via)
                       : tr("Sent to %1 through %2. The server said: %3").arg(to, via, reply))
                : tr("Not sent through %1: %2").arg(via, reply.isEmpty() ? tr("no answer") : reply);
        m_testResult->setStyleSheet(result->sent ? QString() : u"color: #b00020;"_s);
        m_testResult->setText(text);
        emit testEmailFinished(result->sent, text);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->start();
}

} // namespace sd::ui
