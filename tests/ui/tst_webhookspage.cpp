// The console's Webhooks tab, offscreen, over an in-process SignupDesk (SQLite, fake clock)
// whose webhook sender posts over real HTTP to a receiver on loopback: a delivery the
// receiver refuses shows as failed (status, attempts, last answer) and the failing endpoint
// shows in the status bar; "Retry now" delivers it once the receiver is back; "Send a test
// event" reaches every URL. Every database call of the test runs on a worker thread.

#include "consoletest.h"
#include "webhookreceiver.h"

#include "consoletablemodels.h"
#include "webhookspage.h"

#include <QAction>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using sd::ui::KeyRole;
using sd::ui::WebhookTableModel;

namespace {

const QByteArray kKey = QByteArray("0123456789abcdef0123456789abcdef");

QString cell(const QAbstractItemModel *m, const QString &key, int column)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, 0).data(KeyRole).toString() == key)
            return m->index(r, column).data().toString();
    return u"<no row>"_s;
}

// The key of the only row whose event is `type`, or empty.
QString rowOfEvent(const QAbstractItemModel *m, const QString &type)
{
    QString found;
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, WebhookTableModel::Event).data().toString() == type) {
            if (!found.isEmpty())
                return {};
            found = m->index(r, 0).data(KeyRole).toString();
        }
    return found;
}

} // namespace

class TestWebhooksPage : public QObject
{
    Q_OBJECT

    ConsoleFixture m_console;

private slots:
    void cleanup() { m_console.stop(); }

    void failingEndpointRetryAndTestEvent()
    {
        WebhookReceiver receiver(kKey);
        receiver.setMode(WebhookReceiver::Mode::Fail500);
        QVERIFY(m_console.startServer([&](sd::core::Config &c) {
            c.webhookUrls = {receiver.url()};
            c.webhookSecret = u"whsec_"_s + QString::fromLatin1(kKey.toBase64());
            c.webhookMaxAttempts = 1; // the first refusal is the last
            c.webhookTimeoutSeconds = 2;
        }));
        QVERIFY(m_console.app().webhookMonitor());
        QVERIFY(m_console.openWindow());
        sd::ui::MainWindow &window = *m_console.window;
        sd::ui::WebhooksPage *page = window.webhooksPage();
        QVERIFY(page);
        auto *status = window.findChild<QLabel *>(u"webhookStatusLabel"_s);
        QVERIFY(status && status->isVisibleTo(&window));
        QCOMPARE(status->text(), u"Webhooks: idle"_s);
        window.findChild<QTabWidget *>(u"consoleTabs"_s)->setCurrentWidget(page);
        QTRY_VERIFY(page->isLoaded());
        QCOMPARE(page->model()->rowCount(), 0);

        // A signup queues user.registered; the receiver answers 500: failed for good.
        QVERIFY(!m_console.signUp(u"ada"_s, false).isEmpty());
        QTRY_COMPARE(receiver.received().size(), 1);
        QTRY_VERIFY(status->text().contains(u"failed for good: HTTP 500"_s));
        QVERIFY(status->text().contains(receiver.url()));
        QTRY_VERIFY(!rowOfEvent(page->model(), u"user.registered"_s).isEmpty());
        const QString id = rowOfEvent(page->model(), u"user.registered"_s);
        QTRY_COMPARE(cell(page->model(), id, WebhookTableModel::Status), u"Failed for good"_s);
        QCOMPARE(cell(page->model(), id, WebhookTableModel::Attempts), u"1"_s);
        QCOMPARE(cell(page->model(), id, WebhookTableModel::LastAnswer), u"HTTP 500"_s);
        QCOMPARE(cell(page->model(), id, WebhookTableModel::Url), receiver.url());

        // Retry, with the receiver healthy again: delivered, and the status bar says so.
        receiver.setMode(WebhookReceiver::Mode::Ok);
        QAction *retry = page->retryAction();
        QVERIFY(!retry->isEnabled()); // nothing selected
        const QAbstractItemModel *shown = page->view()->model();
        for (int r = 0; r < shown->rowCount(); ++r)
            if (shown->index(r, 0).data(KeyRole).toString() == id)
                page->view()->selectionModel()->setCurrentIndex(
                    shown->index(r, 0),
                    QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QVERIFY(retry->isEnabled());
        page->view()->setFocus();
        QTest::keyClick(page->view(), Qt::Key_R);
        QTRY_COMPARE(receiver.received().size(), 2);
        QTRY_COMPARE(cell(page->model(), id, WebhookTableModel::Status), u"Delivered"_s);
        QCOMPARE(cell(page->model(), id, WebhookTableModel::Attempts), u"2"_s);
        QTRY_VERIFY(status->text().startsWith(u"Webhooks: last delivered"_s));
        QCOMPARE(receiver.received().at(1).headers.value("webhook-id"),
                 receiver.received().at(0).headers.value("webhook-id"));
        QVERIFY(!retry->isEnabled()); // delivered: nothing to retry

        // Send a test event: webhook.test reaches the URL and is listed.
        QPushButton *test = page->testButton();
        QVERIFY(test->isEnabled());
        test->click();
        QTRY_COMPARE(receiver.received().size(), 3);
        QVERIFY(receiver.received().last().signatureValid);
        QVERIFY(receiver.received().last().body.contains("\"type\":\"webhook.test\""));
        QTRY_VERIFY(!rowOfEvent(page->model(), u"webhook.test"_s).isEmpty());
        QTRY_COMPARE(cell(page->model(), rowOfEvent(page->model(), u"webhook.test"_s),
                          WebhookTableModel::Status),
                     u"Delivered"_s);
        QVERIFY(window.errorText().isEmpty());
    }

    // Without webhooks/urls: the tab says so, the test button is off, no status bar field.
    void withoutUrls()
    {
        QVERIFY(m_console.startServer());
        QVERIFY(!m_console.app().webhookMonitor());
        QVERIFY(m_console.openWindow());
        sd::ui::WebhooksPage *page = m_console.window->webhooksPage();
        QVERIFY(!page->testButton()->isEnabled());
        QCOMPARE(page->statusLabel()->text(), u"Webhooks: off"_s);
        QVERIFY(!page->statusLabel()->isVisibleTo(m_console.window.get()));
    }
};

QTEST_MAIN(TestWebhooksPage)
#include "tst_webhookspage.moc"
