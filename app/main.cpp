// signupdesk: the program. Parses the command line, loads the config, and either runs an
// admin sub-command or serves: with the console when a display exists, else headless.

#include "accountcli.h"
#include "admincli.h"
#include "application.h"
#include "consolelanguage.h"
#include "logformat.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QSocketNotifier>

#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

int signalPipe[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(signalPipe[1], &byte, 1);
}

// SIGTERM and SIGINT end the event loop, so the server shuts down cleanly.
void installSignalHandlers(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] {
        char byte;
        [[maybe_unused]] auto n = ::read(signalPipe[0], &byte, 1);
        app.quit();
    });
    struct sigaction action
    {
    };
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

// The console runs unless --headless or an admin command was given, or there is no display.
// Decided before QApplication exists (it needs a display), so from argv itself.
bool wantsConsole(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (std::strcmp(arg, "--headless") == 0)
            return false;
        if (std::strcmp(arg, "--config") == 0 || std::strcmp(arg, "--listen") == 0 ||
            std::strcmp(arg, "--port") == 0 || std::strcmp(arg, "--status") == 0 ||
            std::strcmp(arg, "--reason") == 0 || std::strcmp(arg, "--language") == 0 ||
            std::strcmp(arg, "--query") == 0 || std::strcmp(arg, "--apps") == 0 ||
            std::strcmp(arg, "--groups") == 0) {
            ++i; // the option's value
            continue;
        }
        if (arg[0] != '-')
            return false; // a command (admin …)
    }
    const auto isSet = [](const char *name) {
        const char *value = std::getenv(name);
        return value && *value;
    };
    return isSet("DISPLAY") || isSet("WAYLAND_DISPLAY") || isSet("QT_QPA_PLATFORM");
}

// The soft limit of descriptors (1024 by default under systemd and most shells) is kept low
// for programs that use select(); nothing in this process does (Qt, GLib, libpq and OpenSSL
// poll), so raise it to the hard limit, as systemd's documentation advises such programs to.
// Connections then fit; the edge still keeps a reserve below the limit.
void raiseDescriptorSoftLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
        return;
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, rlim_t(1) << 20);
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

} // namespace

int main(int argc, char *argv[])
{
    sd::core::installEscapingLogHandler(); // one line per message, whatever it holds
    raiseDescriptorSoftLimit();
    const bool console = wantsConsole(argc, argv);
    std::unique_ptr<QCoreApplication> application_(console ? new QApplication(argc, argv)
                                                           : new QCoreApplication(argc, argv));
    QCoreApplication &app = *application_;
    QCoreApplication::setOrganizationName(u"SignupDesk"_s);
    QCoreApplication::setApplicationName(u"signupdesk"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(SD_VERSION)); // project(VERSION)

    QCommandLineParser parser;
    parser.setApplicationDescription(u"SignupDesk: a self-hosted signup desk."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(u"config"_s, u"INI settings file."_s, u"FILE"_s);
    const QCommandLineOption headlessOption(u"headless"_s,
                                            u"Run the server without the console."_s);
    const QCommandLineOption listenOption(u"listen"_s, u"Address to listen on."_s, u"ADDR"_s);
    const QCommandLineOption portOption(u"port"_s, u"Port to listen on (0: any free port)."_s,
                                        u"N"_s);
    const QCommandLineOption statusOption(u"status"_s, u"admin signups list: the status."_s,
                                          u"S"_s);
    const QCommandLineOption reasonOption(u"reason"_s, u"admin signups reject: the reason."_s,
                                          u"TEXT"_s);
    const QCommandLineOption languageOption(
        u"language"_s,
        u"Console language: en, fr or de (default: the console/language setting, else the system's)."_s,
        u"LANG"_s);
    const QCommandLineOption queryOption(u"query"_s, u"admin users list: the search."_s, u"Q"_s);
    const QCommandLineOption appsOption(u"apps"_s, u"admin invite: the apps."_s, u"A,B"_s);
    const QCommandLineOption groupsOption(u"groups"_s, u"admin invite: the groups."_s, u"G,H"_s);
    parser.addOptions({configOption, headlessOption, listenOption, portOption, statusOption,
                       reasonOption, languageOption, queryOption, appsOption, groupsOption});
    parser.addPositionalArgument(u"admin"_s,
                                 u"admin SUBCOMMAND: administer the database and exit."_s);
    parser.process(app);

    QTextStream out(stdout), err(stderr), in(stdin);
    const QStringList languages = sd::ui::consoleLanguages();
    if (parser.isSet(languageOption) && !languages.contains(parser.value(languageOption))) {
        err << "signupdesk: --language takes one of " << languages.join(u", "_s) << Qt::endl;
        return 2;
    }
    QHash<QString, QString> overrides;
    if (parser.isSet(listenOption))
        overrides.insert(u"server/listen"_s, parser.value(listenOption));
    if (parser.isSet(portOption))
        overrides.insert(u"server/port"_s, parser.value(portOption));
    // Without --config, the default INI file if there is one (the console's Settings save there).
    const QString configFile =
        parser.isSet(configOption) ? parser.value(configOption) : sd::app::defaultConfigPath();
    const QString iniPath =
        parser.isSet(configOption) || QFileInfo::exists(configFile) ? configFile : QString();
    auto config = sd::app::loadAppConfig(iniPath, overrides);
    if (!config) {
        err << "signupdesk: " << config.error().detail << Qt::endl;
        return 2;
    }
    if (config->logFormat == u"json"_s)
        sd::core::setLogFormat(sd::core::LogFormat::Json);

    auto clock = std::make_shared<sd::core::SystemClock>();
    sd::app::Application application(*config, clock);
    const QStringList positional = parser.positionalArguments();
    if (!positional.isEmpty()) {
        if (positional.first() != u"admin"_s) {
            err << "signupdesk: unknown command " << positional.first() << " (try --help)"
                << Qt::endl;
            return 2;
        }
        const sd::app::AccountCliOptions accountOptions{
            parser.value(statusOption), parser.value(reasonOption), parser.value(queryOption),
            parser.value(appsOption), parser.value(groupsOption)};
        if (auto done = sd::app::runAccountCommand(application, positional.mid(1), accountOptions,
                                                   out, err))
            return *done;
        return sd::app::runAdminCommand(application, positional.mid(1), parser.value(statusOption),
                                        parser.value(reasonOption), in, out, err);
    }

    // Before the `listening on` line: a script may send SIGTERM as soon as it reads that line.
    installSignalHandlers(app);
    auto url = application.start();
    if (!url) {
        err << "signupdesk: " << url.error().detail << Qt::endl;
        return 1;
    }
    out << "listening on " << *url << Qt::endl; // Qt::endl flushes: scripts wait for this line
    std::unique_ptr<sd::ui::MainWindow> window;
    if (console) {
        // The user's choice (the settings dialog writes it; it applies at the next start) unless
        // --language overrides it; empty: the system's language. Before any widget is built.
        const QString language = parser.isSet(languageOption)
                                     ? parser.value(languageOption)
                                     : QSettings().value(u"console/language"_s).toString();
        sd::ui::installConsoleTranslators(app, language);
        // The server and the mail sender already run on threads of their own; the console's
        // core calls run on its backend thread. The GUI thread only draws.
        sd::ui::ConsoleOptions options;
        options.listeningUrl = *url;
        options.outboxMonitor = application.outboxMonitor();
        options.webhookMonitor = application.webhookMonitor();
        options.requestMeter = &application.requestMeter();
        options.settings.configFile = configFile;
        options.settings.loadConfig = [configFile, overrides] {
            return sd::app::loadAppConfig(QFileInfo::exists(configFile) ? configFile : QString(),
                                          overrides);
        };
        options.settings.overriddenKeys = sd::app::overriddenConfigKeys(overrides);
        options.settings.makeTestMailer = &sd::app::makeTestMailer;
        options.settings.checkTls = &sd::app::checkTlsFiles;
        window = std::make_unique<sd::ui::MainWindow>(application.core(), options);
        window->show();
    }
    const int status = app.exec();
    window.reset(); // before the database goes: pending console rejects are written first
    application.stop();
    err << "signupdesk: stopped" << Qt::endl;
    return status;
}
