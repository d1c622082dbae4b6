// The console's status bar over an in-process SignupDesk (SQLite, fake clock): requests
// answered over real HTTP show as "requests in the last minute", and leave the count once
// the minute has passed. Database calls of the test run on a worker thread.

#include "consoletest.h"
#include "httpclient.h"
#include "testserver.h"
#include "testworker.h"

#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QString requestsText(int n)
{
    return u"Requests in the last minute: %1"_s.arg(n);
}

} // namespace

class TestConsoleStatus : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;

    sd::ui::ConsoleOptions options(bool withMeter)
    {
        auto o = m_console.options();
        o.requestMeter = withMeter ? &m_server->app().requestMeter() : nullptr;
        return o;
    }

    void openWindow(bool withMeter) { QVERIFY(m_console.openWindow(options(withMeter))); }

    QLabel *requestsLabel() const { return m_window->findChild<QLabel *>(u"requestsLabel"_s); }

private slots:
    void init() { QVERIFY(m_console.startServer()); }

    void cleanup() { m_console.stop(); }

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

    void crowdedStatusBarKeepsTheCounts()
    {
        // A narrow window, signup closed and the requests meter on: the URL and mail labels give
        // way (elided, their text() whole); the signup state and the counts keep their text.
        openWindow(true);
        bool closed = false;
        m_worker.call([&] {
            closed = bool(
                m_server->app().core().settings().setSignupOpen(false, sd::core::Actor{u"test"_s}));
        });
        QVERIFY(closed);
        QTRY_COMPARE(m_window->signupStateLabel()->text(), u"SIGNUP CLOSED"_s);
        m_window->resize(900, 600);
        auto *count = m_window->findChild<QLabel *>(u"countLabel"_s);
        QVERIFY(count);
        QVERIFY(count->text().contains(u"to approve"_s));
        QTRY_VERIFY(m_window->width() <= 900);
        QTRY_VERIFY2(count->width() >= count->sizeHint().width(),
                     qPrintable(u"%1 < %2"_s.arg(count->width()).arg(count->sizeHint().width())));
        QLabel *state = m_window->signupStateLabel();
        QVERIFY2(state->width() >= state->sizeHint().width(),
                 qPrintable(u"%1 < %2"_s.arg(state->width()).arg(state->sizeHint().width())));
        QVERIFY(requestsLabel()->width() >= requestsLabel()->sizeHint().width());
        // The status bar really was crowded: something gave way, and kept its whole text.
        bool squeezed = false;
        for (QLabel *label : m_window->statusBar()->findChildren<QLabel *>())
            if (label->isVisible() && label->width() < label->sizeHint().width())
                squeezed =
                    squeezed || label->text().startsWith(u"Listening on http://127.0.0.1:"_s);
        QVERIFY(squeezed);
    }

    void messagesAreNotCutByThePermanentFields()
    {
        openWindow(true);
        m_window->resize(1024, 700);
        QTRY_VERIFY(m_window->width() <= 1024);
        const QString message =
            u"Verification resent for 3 signups (annabelle, bartholomew and cordelia)."_s;
        QStatusBar *bar = m_window->statusBar();
        bar->showMessage(message, 60'000);
        // Room for the whole message left of every field still shown.
        const auto room = [&] {
            int left = bar->width();
            for (QLabel *label : bar->findChildren<QLabel *>())
                if (label->isVisible())
                    left = qMin(left, label->x());
            return left;
        };
        const int needed = bar->fontMetrics().horizontalAdvance(message) + 8;
        QTRY_VERIFY2(room() >= needed, qPrintable(u"%1 < %2"_s.arg(room()).arg(needed)));
        QVERIFY(m_window->findChild<QLabel *>(u"countLabel"_s)->isVisible());
        QVERIFY(m_window->signupStateLabel()->isVisible());
        bar->clearMessage();
        QTRY_VERIFY(requestsLabel()->isVisible());
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
