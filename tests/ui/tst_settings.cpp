// The console's Settings dialog and panic switches, offscreen, over an in-process SignupDesk
// (SQLite file, fake clock) answering real HTTP on loopback, and a real SMTP server
// (aiosmtpd). The test's own database calls run on a worker thread, so it can prove the GUI
// thread never opened a database connection.

#include "consoletest.h"
#include "httpclient.h"
#include "smtpsink.h"
#include "testserver.h"
#include "testworker.h"

#include "audit/auditlog.h"

#include "durationedit.h"
#include "mainwindow.h"
#include "settingsdialog.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace Qt::StringLiterals;
using sd::ui::DurationEdit;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

QString readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestSettings : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    QTemporaryDir &m_dir = m_console.dir;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    int m_counter = 0;

    sd::core::CoreServices &core() { return m_server->app().core(); }
    QString iniPath() const { return m_dir.filePath(u"signupdesk.ini"_s); }
    QString consoleSettingsPath() const { return m_console.settingsFile(); }

    sd::core::Result<sd::core::Config> loadIni(const QString &path)
    {
        sd::core::ConfigSources sources;
        sources.iniPath = path;
        sources.defaultDataDir = m_server->dataDir();
        return sd::core::loadConfig(sources);
    }

    // The window, wired as main() wires it, saving to `configFile`.
    void openWindow(const QString &configFile)
    {
        auto options = m_console.options();
        options.settings.configFile = configFile;
        options.settings.loadConfig = [this, configFile] {
            return loadIni(QFileInfo::exists(configFile) ? configFile : QString());
        };
        options.settings.makeTestMailer = &sd::app::makeTestMailer;
        options.settings.checkTls = &sd::app::checkTlsFiles;
        QVERIFY(m_console.openWindow(options, {}, {}, /*active=*/true));
    }

    sd::ui::SettingsDialog *openDialog()
    {
        m_window->activateWindow();
        if (!QTest::qWaitForWindowActive(m_window.get()))
            return nullptr;
        QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
        sd::ui::SettingsDialog *dialog = nullptr;
        if (!QTest::qWaitFor(
                [&] { return (dialog = m_window->settingsDialog()) && dialog->isVisible(); }))
            return nullptr;
        return dialog;
    }

    template <typename T> T *field(sd::ui::SettingsDialog *dialog, const char *name)
    {
        return dialog->findChild<T *>(QString::fromLatin1(name));
    }

    QWidget *controlButton(const char *actionName)
    {
        auto *action = m_window->findChild<QAction *>(QString::fromLatin1(actionName));
        auto *bar = m_window->findChild<QToolBar *>(u"signupControlToolBar"_s);
        return action && bar ? bar->widgetForAction(action) : nullptr;
    }

    HttpResult signUp()
    {
        const QString name = u"user%1"_s.arg(++m_counter);
        return postJson(m_server->port(), "/api/v1/signup",
                        {{u"username"_s, name},
                         {u"password"_s, kPassword},
                         {u"email"_s, QString(name + u"@example.com"_s)}});
    }

    QString approvalAfterConfirm()
    {
        const HttpResult r = signUp();
        if (r.status != 201)
            return u"signup answered %1"_s.arg(r.status);
        const HttpResult c = postJson(m_server->port(), "/api/v1/signup/confirm",
                                      {{u"confirm_token"_s, r.json().value(u"confirm_token"_s)}});
        return c.json().value(u"approval"_s).toString();
    }

    QStringList consoleAuditActions()
    {
        return m_worker.call([&] {
            QStringList actions;
            auto db = m_server->app().database().connection();
            if (auto all = sd::core::auditlog::list(*db))
                for (const auto &e : *all)
                    if (e.actor == m_console.consoleActor())
                        actions << e.action;
            return actions;
        });
    }

    // A self-signed certificate and its key, made by the openssl command line.
    std::pair<QString, QString> makeCertificate()
    {
        const QString cert = m_dir.filePath(u"cert.pem"_s), key = m_dir.filePath(u"key.pem"_s);
        QProcess openssl;
        openssl.start(u"openssl"_s,
                      {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s,
                       key, u"-out"_s, cert, u"-days"_s, u"1"_s, u"-subj"_s, u"/CN=127.0.0.1"_s});
        if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
            return {};
        return {cert, key};
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        writeFile(iniPath(), "; kept as written\n[server]\nport=9090\n\n[signup]\napps=default\n");
        QFile::remove(consoleSettingsPath());
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
    }

    void cleanup()
    {
        QVERIFY2(!guiThreadHasConnection(), "the GUI thread opened a database connection");
        m_console.stop();
    }

    void panicSwitchClosesSignupAtOnce()
    {
        openWindow(iniPath());
        QLabel *state = m_window->signupStateLabel();
        QCOMPARE(state->text(), u"Signup open, approval required"_s);
        QCOMPARE(signUp().status, 201);

        QWidget *close = controlButton("closeSignupAction");
        QVERIFY(close && close->isVisible());
        const QImage openLook = close->grab().toImage();
        QTest::mouseClick(close, Qt::LeftButton);
        QTRY_COMPARE(state->text(), u"SIGNUP CLOSED"_s);
        auto *closeAction = m_window->findChild<QAction *>(u"closeSignupAction"_s);
        QVERIFY(closeAction->isChecked());
        // The switch says what a click does now, and looks on.
        QCOMPARE(closeAction->text(), u"Re&open signup"_s);
        QVERIFY(close->grab().toImage() != openLook);
        // Applied at once: the very next signup over HTTP is refused as API.md says.
        const HttpResult refused = signUp();
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.errorCode(), u"signup_disabled"_s);
        QCOMPARE(consoleAuditActions(), QStringList{u"signup.closed"_s});
        // Persisted for every instance (the settings table), not in the INI file.
        const QString stored = m_worker.call([&] {
            auto db = m_server->app().database().connection();
            QSqlQuery q(*db);
            q.exec(u"SELECT value FROM settings WHERE key = 'signup/enabled'"_s);
            return q.next() ? q.value(0).toString() : QString();
        });
        QCOMPARE(stored, u"false"_s);

        // The shortcut reopens it; the switch works from any tab.
        m_server->clock().advanceSeconds(1); // audit entries list in time order
        m_window->tabs()->setCurrentIndex(1);
        QTest::keyClick(m_window.get(), Qt::Key_X, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(state->text(), u"Signup open, approval required"_s);
        QCOMPARE(closeAction->text(), u"&Close signup now"_s);
        QCOMPARE(signUp().status, 201);
        QCOMPARE(consoleAuditActions(), (QStringList{u"signup.closed"_s, u"signup.reopened"_s}));
        QVERIFY(m_window->errorText().isEmpty());
    }

    void forceApprovalChangesTheNextSignup()
    {
        openWindow(iniPath());
        auto *force = m_window->findChild<QAction *>(u"forceApprovalAction"_s);
        QVERIFY(force->isChecked()); // approval is required by default
        QCOMPARE(approvalAfterConfirm(), u"pending"_s);

        QTest::mouseClick(controlButton("forceApprovalAction"), Qt::LeftButton);
        QTRY_COMPARE(m_window->signupStateLabel()->text(), u"Signup open, no approval"_s);
        QVERIFY(!force->isChecked());
        QCOMPARE(approvalAfterConfirm(), u"not_required"_s);

        m_server->clock().advanceSeconds(1);
        QTest::keyClick(m_window.get(), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE(m_window->signupStateLabel()->text(), u"Signup open, approval required"_s);
        QCOMPARE(approvalAfterConfirm(), u"pending"_s);
        QCOMPARE(consoleAuditActions(), (QStringList{u"approval.relaxed"_s, u"approval.forced"_s}));
    }

    void dialogSavesTheIniAndAppliesLive()
    {
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->configFile(), iniPath());

        field<QCheckBox>(dialog, "approvalRequired")->setChecked(false);
        auto *apps = field<QListWidget>(dialog, "apps");
        QCOMPARE(apps->count(), 1);
        apps->item(0)->setText(u"shop"_s);
        QTest::mouseClick(field<QPushButton>(dialog, "addAppButton"), Qt::LeftButton);
        apps->item(1)->setText(u"forum"_s);
        field<DurationEdit>(dialog, "verificationTtl")->setDuration(2, DurationEdit::Hours);
        field<DurationEdit>(dialog, "sessionIdle")->setDuration(10, DurationEdit::Minutes);
        field<QLineEdit>(dialog, "mailFrom")->setText(u"Desk HQ <desk@example.org>"_s);
        field<QCheckBox>(dialog, "mailWelcome")->setChecked(false);
        auto *transport = field<QComboBox>(dialog, "mailTransport");
        transport->setCurrentIndex(transport->findData(u"smtp"_s));
        field<QLineEdit>(dialog, "smtpUrl")->setText(u"smtp://mailer:p4ss;word@127.0.0.1:2525"_s);
        auto *language = field<QComboBox>(dialog, "consoleLanguage");
        language->setCurrentIndex(language->findData(u"fr"_s));

        QSignalSpy saved(dialog, &sd::ui::SettingsDialog::saved);
        QVERIFY(dialog->save());
        QVERIFY(saved.wait(10000));
        const QString summary = dialog->statusText();
        QVERIFY2(summary.contains(u"Applies after a restart: mail transport, SMTP URL."_s),
                 qPrintable(summary));
        QVERIFY2(summary.contains(u"console language applies at its next start"_s),
                 qPrintable(summary));
        QVERIFY2(!summary.contains(u"p4ss"_s), qPrintable(summary));

        // The file: the comment and the untouched keys as they were, the new values readable.
        const QString text = readFile(iniPath());
        QVERIFY2(text.startsWith(u"; kept as written\n[server]\nport=9090\n"_s), qPrintable(text));
        auto reloaded = loadIni(iniPath());
        QVERIFY2(reloaded, qPrintable(reloaded ? QString() : reloaded.error().detail));
        QCOMPARE(reloaded->port, 9090);
        QCOMPARE(reloaded->approvalRequired, false);
        QCOMPARE(reloaded->apps, (QStringList{u"shop"_s, u"forum"_s}));
        QCOMPARE(reloaded->verificationTtlSeconds, qint64(7200));
        QCOMPARE(reloaded->sessionIdleSeconds, qint64(600));
        QCOMPARE(reloaded->mailFrom, u"Desk HQ <desk@example.org>"_s);
        QCOMPARE(reloaded->mailWelcome, false);
        QCOMPARE(reloaded->mailTransport, u"smtp"_s);
        QCOMPARE(reloaded->smtpUrl, u"smtp://mailer:p4ss;word@127.0.0.1:2525"_s);
        QCOMPARE(QSettings(consoleSettingsPath(), QSettings::IniFormat)
                     .value(u"console/language"_s)
                     .toString(),
                 u"fr"_s);

        // Live: what is safe applies now; the transport waits for a restart.
        const auto live = core().settings().current();
        QCOMPARE(live->approvalRequired, false);
        QCOMPARE(live->apps, (QStringList{u"shop"_s, u"forum"_s}));
        QCOMPARE(live->mailFrom, u"Desk HQ <desk@example.org>"_s);
        QCOMPARE(core().config().mailTransport, u"file"_s);
        QCOMPARE(approvalAfterConfirm(), u"not_required"_s);
        QCOMPARE(consoleAuditActions(), QStringList{u"settings.changed"_s});
        QTRY_COMPARE(m_window->signupStateLabel()->text(), u"Signup open, no approval"_s);

        // Opened again, the dialog shows what was saved.
        dialog->close();
        QTRY_VERIFY(!m_window->settingsDialog());
        dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(field<QListWidget>(dialog, "apps")->count(), 2);
        QCOMPARE(field<QLineEdit>(dialog, "smtpUrl")->text(),
                 u"smtp://mailer:p4ss;word@127.0.0.1:2525"_s);
        QCOMPARE(field<QComboBox>(dialog, "consoleLanguage")->currentData().toString(), u"fr"_s);
        QCOMPARE(field<QCheckBox>(dialog, "approvalRequired")->isChecked(), false);
    }

    void invalidFieldsShowInlineAndSaveNothing()
    {
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        const QString before = readFile(iniPath());
        field<QListWidget>(dialog, "apps")->item(0)->setText(u"two words"_s);
        field<QLineEdit>(dialog, "mailFrom")->setText(u"nobody"_s);
        field<QCheckBox>(dialog, "signupEnabled")->setChecked(false);
        QVERIFY(!dialog->save());
        QVERIFY(dialog->fieldError(u"apps"_s).contains(u"two words"_s));
        QVERIFY(!dialog->fieldError(u"mailFrom"_s).isEmpty());
        QVERIFY(dialog->statusText().contains(u"Nothing was saved"_s));
        QCOMPARE(readFile(iniPath()), before);
        QVERIFY(core().settings().current()->signupEnabled);
        QVERIFY(dialog->isVisible());
    }

    void emptyDefaultGroupIsRefused()
    {
        // core's settings rule (the same that refuses it in the INI file at start-up).
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        const QString before = readFile(iniPath());
        field<QLineEdit>(dialog, "defaultGroup")->setText(u"  "_s);
        QVERIFY(!dialog->save());
        QCOMPARE(dialog->fieldError(u"defaultGroup"_s),
                 u"Name the group that new accounts join."_s);
        QCOMPARE(readFile(iniPath()), before);
        QCOMPARE(core().settings().current()->defaultGroup, u"users"_s);
    }

    void durationsInMinutesHoursAndDays()
    {
        // The defaults as a person says them: 2 days, 15 minutes, 12 hours, 30 minutes.
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        const auto shown = [&](const char *name) {
            auto *edit = field<DurationEdit>(dialog, name);
            return edit ? u"%1 %2"_s.arg(edit->amount())
                              .arg(field<QComboBox>(
                                       dialog, QByteArray(QByteArray(name) + "Unit").constData())
                                       ->currentText())
                        : u"<none>"_s;
        };
        QCOMPARE(shown("verificationTtl"), u"2 days"_s);
        QCOMPARE(shown("loginLinkTtl"), u"15 minutes"_s);
        QCOMPARE(shown("sessionTtl"), u"12 hours"_s);
        QCOMPARE(shown("sessionIdle"), u"30 minutes"_s);
        // Seconds are not offered for a value that whole minutes say.
        auto *unit = field<QComboBox>(dialog, "verificationTtlUnit");
        QCOMPARE(unit->findText(u"seconds"_s), -1);

        // Edited as the admin does: the amount, then the unit; saved in seconds.
        auto *amount = field<QSpinBox>(dialog, "verificationTtlAmount");
        amount->setValue(3);
        unit->setCurrentIndex(unit->findText(u"hours"_s));
        QCOMPARE(field<DurationEdit>(dialog, "verificationTtl")->seconds(), qint64(3 * 3600));
        QVERIFY(dialog->save());
        QTRY_COMPARE(core().settings().current()->verificationTtlSeconds, qint64(3 * 3600));
        QCOMPARE(loadIni(iniPath())->verificationTtlSeconds, qint64(3 * 3600));

        // A value no whole minute says (a hand-edited file) shows in seconds, exactly; the
        // others in the largest unit that says them.
        DurationEdit edit(u"probe"_s, 10LL * 365 * 86400);
        edit.setSeconds(95);
        QCOMPARE(edit.amount(), 95);
        QCOMPARE(edit.unit(), DurationEdit::Seconds);
        QCOMPARE(edit.seconds(), qint64(95));
        edit.setSeconds(5400);
        QCOMPARE(edit.amount(), 90);
        QCOMPARE(edit.unit(), DurationEdit::Minutes);
        QCOMPARE(edit.findChild<QComboBox *>(u"probeUnit"_s)->findText(u"seconds"_s), -1);
        edit.setSeconds(7 * 86400);
        QCOMPARE(edit.amount(), 7);
        QCOMPARE(edit.unit(), DurationEdit::Days);
    }

    void applyKeepsTheDialogOpenSaveClosesItCloseDiscards()
    {
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        const QString hint = field<QPushButton>(dialog, "applyButton")->toolTip();
        QVERIFY2(hint.contains(u"stays open"_s), qPrintable(hint));

        // Apply: written and applied, the dialog stays open.
        field<QLineEdit>(dialog, "defaultGroup")->setText(u"members"_s);
        QSignalSpy saved(dialog, &sd::ui::SettingsDialog::saved);
        QTest::mouseClick(field<QPushButton>(dialog, "applyButton"), Qt::LeftButton);
        QTRY_COMPARE(saved.size(), 1);
        QCOMPARE(loadIni(iniPath())->defaultGroup, u"members"_s);
        QCOMPARE(core().settings().current()->defaultGroup, u"members"_s);
        QVERIFY(dialog->isVisible());

        // Close after a change: nothing more is written or applied.
        field<QLineEdit>(dialog, "defaultGroup")->setText(u"staff"_s);
        dialog->close();
        QTRY_VERIFY(!m_window->settingsDialog());
        QCOMPARE(loadIni(iniPath())->defaultGroup, u"members"_s);
        QCOMPARE(core().settings().current()->defaultGroup, u"members"_s);

        // Save with a wrong field: nothing written, the dialog stays open with the error.
        dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(field<QLineEdit>(dialog, "defaultGroup")->text(), u"members"_s);
        field<QLineEdit>(dialog, "defaultGroup")->clear();
        QTest::mouseClick(field<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
        QCOMPARE(dialog->fieldError(u"defaultGroup"_s),
                 u"Name the group that new accounts join."_s);
        QVERIFY(dialog->isVisible());
        QCOMPARE(loadIni(iniPath())->defaultGroup, u"members"_s);

        // Save: written, applied, and the dialog closes.
        field<QLineEdit>(dialog, "defaultGroup")->setText(u"staff"_s);
        QTest::mouseClick(field<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
        QTRY_VERIFY(!m_window->settingsDialog());
        QCOMPARE(loadIni(iniPath())->defaultGroup, u"staff"_s);
        QTRY_COMPARE(core().settings().current()->defaultGroup, u"staff"_s);
        QCOMPARE(consoleAuditActions(),
                 (QStringList{u"settings.changed"_s, u"settings.changed"_s}));
    }

    void emptyDefaultGroupRefusedByCoreToo()
    {
        // Not only the dialog: core's live settings refuse it with the field's rule.
        auto r = m_worker.call([&] {
            return core().settings().change({{u"signup/default_group"_s, u"  "_s}},
                                            sd::core::Actor{u"console:test"_s});
        });
        QVERIFY(!r);
        QCOMPARE(r.error().code, sd::core::ErrorCode::Validation);
        QCOMPARE(core().settings().current()->defaultGroup, u"users"_s);
    }

    void unwritableFileIsAnErrorAndTheDialogStaysOpen()
    {
        // Its folder cannot exist (the parent is a file): unwritable, even for root.
        const QString blocker = m_dir.filePath(u"afile"_s);
        writeFile(blocker, "x");
        const QString path = blocker + u"/signupdesk.ini"_s;
        openWindow(path);
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        field<QCheckBox>(dialog, "signupEnabled")->setChecked(false);
        QSignalSpy failed(dialog, &sd::ui::SettingsDialog::saveFailed);
        QTest::mouseClick(field<QPushButton>(dialog, "saveButton"), Qt::LeftButton);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(dialog->statusText().startsWith(u"Cannot save to "_s + path),
                 qPrintable(dialog->statusText()));
        QVERIFY(dialog->statusText().contains(u"Nothing was changed"_s));
        QVERIFY(dialog->isVisible());
        QVERIFY(m_window->settingsDialog());
        // Nothing applied either.
        QVERIFY(core().settings().current()->signupEnabled);
        QCOMPARE(signUp().status, 201);
    }

    void testEmailReachesTheSmtpServer()
    {
        SmtpSink sink;
        QVERIFY2(sink.start(), qPrintable(sink.errorString()));
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        auto *transport = field<QComboBox>(dialog, "mailTransport");
        transport->setCurrentIndex(transport->findData(u"smtp"_s));
        field<QLineEdit>(dialog, "smtpUrl")->setText(sink.url());
        field<QLineEdit>(dialog, "mailFrom")->setText(u"Desk <desk@example.org>"_s);
        field<QLineEdit>(dialog, "testAddress")->setText(u"admin@example.org"_s);
        QSignalSpy finished(dialog, &sd::ui::SettingsDialog::testEmailFinished);
        QTest::mouseClick(field<QPushButton>(dialog, "sendTestButton"), Qt::LeftButton);
        // Off the GUI thread: the click returns before the SMTP exchange ends.
        QVERIFY(!field<QPushButton>(dialog, "sendTestButton")->isEnabled());
        QVERIFY(finished.wait(70000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        const QString result = field<QLabel>(dialog, "testResult")->text();
        QVERIFY2(result.startsWith(u"Sent to admin@example.org through "_s + sink.url()),
                 qPrintable(result));
        QTRY_COMPARE(sink.messages().size(), 1);
        QCOMPARE(sink.transactions().first().rcptTos, QStringList{u"admin@example.org"_s});
        QCOMPARE(sink.transactions().first().mailFrom, u"desk@example.org"_s);
        QVERIFY(sink.messages().first().contains("SignupDesk test email"));
        QVERIFY(field<QPushButton>(dialog, "sendTestButton")->isEnabled());
    }

    void testEmailShowsTheSmtpError()
    {
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        auto *transport = field<QComboBox>(dialog, "mailTransport");
        transport->setCurrentIndex(transport->findData(u"smtp"_s));
        field<QLineEdit>(dialog, "testAddress")->setText(u"admin@example.org"_s);
        QSignalSpy finished(dialog, &sd::ui::SettingsDialog::testEmailFinished);

        // Not an SMTP URL: an inline error, nothing sent.
        field<QLineEdit>(dialog, "smtpUrl")->setText(u"smtp//127.0.0.1"_s);
        QTest::mouseClick(field<QPushButton>(dialog, "sendTestButton"), Qt::LeftButton);
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.takeFirst().at(0).toBool(), false);
        QVERIFY(dialog->fieldError(u"smtpUrl"_s).startsWith(u"Give an SMTP URL"_s));

        // A port where nothing listens: the transport's error, shown in the dialog.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        field<QLineEdit>(dialog, "smtpUrl")->setText(u"smtp://127.0.0.1:%1"_s.arg(closedPort));
        QTest::mouseClick(field<QPushButton>(dialog, "sendTestButton"), Qt::LeftButton);
        QVERIFY(dialog->fieldError(u"smtpUrl"_s).isEmpty());
        QVERIFY(finished.wait(70000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        const QString result = field<QLabel>(dialog, "testResult")->text();
        QVERIFY2(result.startsWith(u"Not sent through smtp://127.0.0.1:%1: "_s.arg(closedPort)),
                 qPrintable(result));
        QVERIFY2(result.size() > u"Not sent through smtp://127.0.0.1:1: "_s.size() + 5,
                 qPrintable(result));
    }

    void tlsFilesAreCheckedOnSave()
    {
        openWindow(iniPath());
        sd::ui::SettingsDialog *dialog = openDialog();
        QVERIFY(dialog);
        auto *cert = field<QLineEdit>(dialog, "tlsCert");
        auto *key = field<QLineEdit>(dialog, "tlsKey");

        cert->setText(m_dir.filePath(u"missing.pem"_s));
        QVERIFY(!dialog->save());
        QCOMPARE(dialog->fieldError(u"tls"_s),
                 u"Give both the certificate and the key, or neither."_s);

        key->setText(m_dir.filePath(u"missing-key.pem"_s));
        QVERIFY(!dialog->save());
        QCOMPARE(dialog->fieldError(u"tls"_s),
                 u"Cannot read %1."_s.arg(m_dir.filePath(u"missing.pem"_s)));

        const QString garbage = m_dir.filePath(u"garbage.pem"_s);
        writeFile(garbage,
                  "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        cert->setText(garbage);
        key->setText(garbage);
        QVERIFY(!dialog->save());
        QVERIFY2(
            dialog->fieldError(u"tls"_s).startsWith(u"The server could not use these files: "_s),
            qPrintable(dialog->fieldError(u"tls"_s)));
        QVERIFY(!readFile(iniPath()).contains(u"tls_cert"_s));

        const auto [goodCert, goodKey] = makeCertificate();
        QVERIFY(!goodCert.isEmpty());
        cert->setText(goodCert);
        key->setText(goodKey);
        QSignalSpy saved(dialog, &sd::ui::SettingsDialog::saved);
        QVERIFY(dialog->save());
        QCOMPARE(saved.size(), 1); // nothing live changed: saved at once
        QVERIFY(dialog->fieldError(u"tls"_s).isEmpty());
        QVERIFY2(
            dialog->statusText().contains(u"Applies after a restart: TLS certificate, TLS key."_s),
            qPrintable(dialog->statusText()));
        auto reloaded = loadIni(iniPath());
        QVERIFY(reloaded);
        QCOMPARE(reloaded->tlsCert, goodCert);
        QCOMPARE(reloaded->tlsKey, goodKey);
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
