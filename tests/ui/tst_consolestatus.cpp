// The console's status bar over an in-process SignupDesk (SQLite, fake clock): requests
// answered over real HTTP show as "requests in the last minute", and leave the count once
// the minute has passed. Database calls of the test run on a worker thread.

#include "httpclient.h"
#include "testserver.h"

#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;

namespace {

// Builds (and destroys) the server on a thread of the test's own, so the GUI thread never
// opens a database connection.
class Worker
{
public:
    Worker()
    {
        m_thread.start();
        m_object.moveToThread(&m_thread);
    }
    ~Worker()
    {
        m_thread.quit();
        m_thread.wait();
    }
    void call(const std::function<void()> &f)
    {
        QMetaObject::invokeMethod(&m_object, [&] { f(); }, Qt::BlockingQueuedConnection);
    }

private:
    QThread m_thread;
    QObject m_object;
};

QString requestsText(int n)
{
    return u"Requests in the last minute: %1"_s.arg(n);
}

} // namespace

class TestConsoleStatus : public QObject
{
    Q_OBJECT

private:
    Worker m_worker;
    QTemporaryDir m_settingsDir;
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<sd::ui::MainWindow> m_window;

    sd::ui::ConsoleOptions options(bool withMeter)
    {
        sd::ui::ConsoleOptions o;
        o.listeningUrl = m_server->app().listeningUrl();
        o.outboxSender = m_server->app().outboxSender();
        o.requestMeter = withMeter ? &m_server->app().requestMeter() : nullptr;
        o.settingsFile = m_settingsDir.filePath(u"console.ini"_s);
        o.trayIcon = false;
        return o;
    }

    void openWindow(bool withMeter)
    {
        m_window = std::make_unique<sd::ui::MainWindow>(m_server->app().core(), options(withMeter));
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY(m_window->isLoaded());
    }

    QLabel *requestsLabel() const { return m_window->findChild<QLabel *>(u"requestsLabel"_s); }

private slots:
    void init()
    {
        QVERIFY(m_settingsDir.isValid());
        QString error;
        m_worker.call([&] {
            m_server = std::make_unique<TestServer>();
            m_server->start(&error);
        });
        QVERIFY2(m_server->port() != 0, qPrintable(error));
    }

    void cleanup()
    {
        m_window.reset();
        m_worker.call([this] { m_server.reset(); });
    }

    void answeredRequestsShowInTheStatusBar_data()
    {
        QTest::addColumn<int>("healthChecks");
        QTest::newRow("one") << 1;
        QTest::newRow("twenty-five") << 25;
    }

    void answeredRequestsShowInTheStatusBar()
    {
        QFETCH(int, healthChecks);
        openWindow(true);
        QLabel *label = requestsLabel();
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), requestsText(0));

        const quint16 port = m_server->port();
        for (int i = 0; i < healthChecks; ++i)
            QCOMPARE(httpRequest(port, "GET", "/healthz").status, 200);
        // Errors are answers too: one 404, one 400 from a signup without a body, and a signup.
        QCOMPARE(httpRequest(port, "GET", "/no/such/page").status, 404);
        QCOMPARE(postJson(port, "/api/v1/signup", {}).status, 400);
        const HttpResult created = postJson(port, "/api/v1/signup",
                                            {{u"username"_s, u"erin"_s},
                                             {u"password"_s, u"correct battery staple horse"_s},
                                             {u"email"_s, u"erin@example.com"_s}});
        QCOMPARE(created.status, 201);
        const int answered = healthChecks + 3;
        QTRY_COMPARE(label->text(), requestsText(answered));

        // Half a minute later they still count; a full minute after them they no longer do.
        m_server->clock().advanceSeconds(30);
        QCOMPARE(httpRequest(port, "GET", "/healthz").status, 200);
        QTRY_COMPARE(label->text(), requestsText(answered + 1));
        m_server->clock().advanceSeconds(30);
        QTRY_COMPARE(label->text(), requestsText(1));
        m_server->clock().advanceSeconds(30);
        QTRY_COMPARE(label->text(), requestsText(0));
    }

    void withoutAMeterThereIsNoCount()
    {
        openWindow(false);
        QVERIFY(!requestsLabel());
        QVERIFY(m_window->statusBar()->isVisible());
    }
};

QTEST_MAIN(TestConsoleStatus)
#include "tst_consolestatus.moc"
