// The console's system tray icon in a real tray: run by with-tray.sh under a fresh Xvfb display
// with trayer (a real XEmbed system tray) and the xcb platform. The icon embeds in the tray,
// its tooltip and badge count the signups to approve, each new signup posted over HTTP is
// announced, and activating the icon brings the window back.

#include "httpclient.h"
#include "testserver.h"

#include "mainwindow.h"

#include <QGuiApplication>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class TestTray : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<sd::ui::MainWindow> m_window;
    QTemporaryDir m_settingsDir;

private slots:
    void initTestCase()
    {
        QCOMPARE(QGuiApplication::platformName(), u"xcb"_s); // a real display, not offscreen
        // trayer starts alongside this test; it owns the tray selection a moment later.
        QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 15000);
        m_server = std::make_unique<TestServer>(
            TestServer::Backend::Sqlite, [](sd::core::Config &c) { c.returnConfirmToken = true; });
        QString error;
        QVERIFY2(m_server->start(&error), qPrintable(error));
        sd::ui::ConsoleOptions options;
        options.listeningUrl = m_server->app().listeningUrl();
        options.settingsFile = m_settingsDir.filePath(u"console.ini"_s);
        options.trayIcon = true;
        m_window = std::make_unique<sd::ui::MainWindow>(m_server->app().core(), options);
        m_window->show();
        QTRY_VERIFY(m_window->isLoaded());
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_server.reset();
    }

    void iconEmbedsInTheTray()
    {
        QSystemTrayIcon *tray = m_window->trayIcon();
        QVERIFY(tray);
        QVERIFY(tray->isVisible());
        // The tray host gave the icon a place on the screen: it is really there.
        QTRY_VERIFY_WITH_TIMEOUT(!tray->geometry().isEmpty(), 10000);
        QTRY_COMPARE(tray->toolTip(), u"SignupDesk: 0 signup(s) to approve"_s);
    }

    void newSignupIsAnnouncedAndCounted()
    {
        QSystemTrayIcon *tray = m_window->trayIcon();
        QVERIFY(tray);
        const qint64 iconBefore = tray->icon().pixmap(32, 32).cacheKey();
        QSignalSpy announced(m_window.get(), &sd::ui::MainWindow::signupAnnounced);

        const HttpResult signup = postJson(m_server->port(), "/api/v1/signup",
                                           {{u"username"_s, u"alice"_s},
                                            {u"password"_s, u"correct battery staple horse"_s},
                                            {u"email"_s, u"alice@example.com"_s}});
        QCOMPARE(signup.status, 201);
        QTRY_COMPARE(announced.size(), 1);
        QCOMPARE(announced.first().at(0).toString(), u"New signup"_s);
        QCOMPARE(announced.first().at(1).toString(), u"alice <alice@example.com> signed up."_s);

        // Verified: now one to approve, in the tooltip and on the icon's badge.
        const HttpResult confirm =
            postJson(m_server->port(), "/api/v1/signup/confirm",
                     {{u"confirm_token"_s, signup.json().value(u"confirm_token"_s)}});
        QCOMPARE(confirm.status, 200);
        QTRY_COMPARE(tray->toolTip(), u"SignupDesk: 1 signup(s) to approve"_s);
        QVERIFY(tray->icon().pixmap(32, 32).cacheKey() != iconBefore);
        QCOMPARE(announced.size(), 1); // a verification is not a new signup
    }

    void activatingTheIconShowsTheWindow()
    {
        m_window->hide();
        QVERIFY(!m_window->isVisible());
        Q_EMIT m_window->trayIcon()->activated(QSystemTrayIcon::Trigger);
        QTRY_VERIFY(m_window->isVisible());
    }
};

QTEST_MAIN(TestTray)
#include "tst_tray.moc"
