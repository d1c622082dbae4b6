#pragma once

#include "application.h"
#include "mainwindow.h"

// The console options the console tests start from: the instance's URL and outbox monitor, the
// console's own settings in `settingsFile`, no tray icon. For tests that link signupdesk_ui.
inline sd::ui::ConsoleOptions testConsoleOptions(sd::app::Application &app,
                                                 const QString &settingsFile)
{
    sd::ui::ConsoleOptions options;
    options.listeningUrl = app.listeningUrl();
    options.outboxMonitor = app.outboxMonitor();
    options.settingsFile = settingsFile;
    options.trayIcon = false;
    return options;
}
