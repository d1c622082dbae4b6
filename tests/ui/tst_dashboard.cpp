// The Dashboard tab, offscreen, over an in-process SignupDesk (SQLite, fake clock): the empty
// state, the series after load (signups per day, the funnel, the time to verify), the range
// selector, a live update after a new signup, one reload for a burst of events, and a hidden
// tab that catches up when shown. Every database call of the test runs on a worker thread.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "dashboardpage.h"
#include "mainwindow.h"
#include "signuptablemodel.h"

#include <QApplication>
#include <QBarSet>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsTextItem>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct battery staple horse"_s;
constexpr qint64 kMinute = 60'000;

QList<qreal> values(const QBarSet *set)
{
    QList<qreal> out;
    for (int i = 0; i < set->count(); ++i)
        out << set->at(i);
    return out;
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    qint64 m_noon = 0; // today, 12:00 in the system's time zone, by the fake clock

    sd::core::CoreServices &core() { return m_server->app().core(); }
    sd::ui::DashboardPage *page() { return m_window->dashboardPage(); }

    void setClock(qint64 ms) { m_server->clock().advanceMs(ms - m_server->clock().nowMs()); }

    // On the worker, at `atMs`: a signup, verified `verifyAfter` later (if > 0), then approved
    // or rejected.
    QString signUp(const QString &name, qint64 atMs, qint64 verifyAfter = 0, bool approve = false,
                   bool reject = false)
    {
        return m_worker.call([&] {
            setClock(atMs);
            sd::core::SignupInput input;
            input.username = name;
            input.password = kPassword;
            input.email = name + u"@example.com"_s;
            auto r = core().signup().signUp(input, {u"198.51.100.4"_s});
            if (!r) {
                qWarning("signup %s: %s", qPrintable(name), qPrintable(r.error().detail));
                return QString();
            }
            const sd::core::Actor admin{u"console"_s};
            if (verifyAfter > 0) {
                setClock(atMs + verifyAfter);
                if (auto v = core().verification().confirm(r->confirmToken); !v) {
                    qWarning("verify %s: %s", qPrintable(name), qPrintable(v.error().detail));
                    return QString();
                }
            }
            if (approve && !core().approval().approve(r->userId, admin))
                return QString();
            if (reject && !core().approval().reject(r->userId, u"No."_s, admin))
                return QString();
            return r->userId;
        });
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_console.startServer([](sd::core::Config &c) { c.returnConfirmToken = true; }));
        const QDate today =
            QDateTime::fromMSecsSinceEpoch(m_server->clock().nowMs(), QTimeZone::systemTimeZone())
                .date();
        m_noon = QDateTime(today, QTime(12, 0), QTimeZone::systemTimeZone()).toMSecsSinceEpoch();
        m_worker.call([&] { setClock(m_noon); });

        QVERIFY(m_console.openWindow(QSize(1280, 800)));
    }

    void cleanupTestCase() { m_console.stop(); }

    void loadsWhenShownAndExplainsAnEmptyDatabase()
    {
        QVERIFY(page());
        QVERIFY(!page()->isLoaded()); // a hidden tab does not load
        m_window->tabs()->setCurrentWidget(page());
        QTRY_VERIFY(page()->isLoaded());
        QVERIFY(page()->isShowingEmptyState());
        QCOMPARE(page()->rangeDays(), 30);
        QVERIFY2(page()->emptyStateText().contains(u"No one signed up in the last 30 day"_s),
                 qPrintable(page()->emptyStateText()));
    }

    void showsTheSeriesAfterLoad()
    {
        // Two days ago: one verified after 10 minutes and approved, one never verified. Today:
        // one verified after 4 minutes, one rejected, one waiting.
        const qint64 twoDaysAgo =
            QDateTime::fromMSecsSinceEpoch(m_noon, QTimeZone::systemTimeZone())
                .addDays(-2)
                .toMSecsSinceEpoch();
        QVERIFY(!signUp(u"ann"_s, twoDaysAgo, 10 * kMinute, true).isEmpty());
        QVERIFY(!signUp(u"bob"_s, twoDaysAgo + 60 * kMinute).isEmpty());
        QVERIFY(!signUp(u"cyril"_s, m_noon, 4 * kMinute).isEmpty());
        QVERIFY(!signUp(u"dina"_s, m_noon + 10 * kMinute, 0, false, true).isEmpty());
        QVERIFY(!signUp(u"edgar"_s, m_noon + 20 * kMinute).isEmpty());
        m_worker.call([&] { setClock(m_noon + 60 * kMinute); });

        // The page is shown: it follows the signups live.
        QTRY_COMPARE(page()->stats().funnel.signups, qint64(5));
        QTRY_VERIFY(!page()->isReloadPending());
        QVERIFY(!page()->isShowingEmptyState());
        QList<qreal> perDay(30, 0);
        perDay[27] = 2;
        perDay[29] = 3;
        QCOMPARE(values(page()->signupsPerDaySet()), perDay);
        // Bottom to top: (rejected), approved, verified, signed up; rejected on its own set.
        QCOMPARE(values(page()->funnelSet()), (QList<qreal>{0, 1, 2, 5}));
        QCOMPARE(values(page()->rejectedSet()), (QList<qreal>{1, 0, 0, 0}));
        QVERIFY2(page()->funnelText().contains(
                     u"2 verified (40%), 1 approved (20%), 1 rejected (20%)"_s),
                 qPrintable(page()->funnelText()));
        // 4 and 10 minutes: < 5 min, 5–15 min; the median is their mean.
        QCOMPARE(values(page()->verifyTimeSet()), (QList<qreal>{1, 1, 0, 0, 0, 0, 0}));
        QVERIFY2(page()->verifyTimeText().startsWith(u"Median 7 min, 90th percentile 10 min"_s),
                 qPrintable(page()->verifyTimeText()));
    }

    void rangeSelector()
    {
        page()->rangeSelector()->setCurrentIndex(0);
        QTRY_COMPARE(page()->signupsPerDaySet()->count(), 7);
        QCOMPARE(values(page()->signupsPerDaySet()), (QList<qreal>{0, 0, 0, 0, 2, 0, 3}));
        QCOMPARE(page()->stats().days, 7);
    }

    void updatesLiveAfterANewSignup()
    {
        QTRY_VERIFY(!page()->isReloadPending());
        QVERIFY(!signUp(u"flora"_s, m_noon + 90 * kMinute, 20 * kMinute).isEmpty());
        QTRY_COMPARE(page()->signupsPerDaySet()->at(6), 4.0);
        QCOMPARE(page()->funnelSet()->at(3), 4.0 + 2);
        QCOMPARE(page()->funnelSet()->at(2), 3.0);
        QCOMPARE(values(page()->verifyTimeSet()), (QList<qreal>{1, 1, 1, 0, 0, 0, 0}));
        QVERIFY2(page()->verifyTimeText().startsWith(u"Median 10 min, 90th percentile 20 min"_s),
                 qPrintable(page()->verifyTimeText()));
    }

    void aBurstOfEventsReloadsOnce()
    {
        QTRY_VERIFY(!page()->isReloadPending());
        const int before = page()->loadCount();
        for (int i = 0; i < 20; ++i) // queued: they all arrive in one turn of the event loop
            emit core().events().emailVerified(u"usr_nobody"_s);
        QTRY_VERIFY(page()->loadCount() > before && !page()->isReloadPending());
        QCOMPARE(page()->loadCount(), before + 1);
    }

    void axisLabelsWholeAt1024()
    {
        // Charts truncate an axis label that does not fit with "..."; at 1024 px (and at the
        // 1280 px of the other tests) every label of every chart is whole.
        QTRY_VERIFY(!page()->isReloadPending());
        m_window->tabs()->setCurrentWidget(page());
        for (const QSize size : {QSize(1024, 700), QSize(1280, 800)}) {
            for (int range = 0; range < page()->rangeSelector()->count(); ++range) {
                m_window->resize(size);
                page()->rangeSelector()->setCurrentIndex(range);
                QTRY_VERIFY(!page()->isReloadPending());
                const QList<QChartView *> views = page()->findChildren<QChartView *>();
                QCOMPARE(views.size(), 3);
                // Each chart at its view's new size, then its layout (posted) has run.
                QTRY_VERIFY(std::all_of(views.cbegin(), views.cend(), [](QChartView *v) {
                    return v->chart()->size().toSize() == v->viewport()->size();
                }));
                QApplication::processEvents();
                int labels = 0;
                for (QChartView *view : views) {
                    QVERIFY(view->width() > 0);
                    for (QGraphicsItem *item : view->scene()->items()) {
                        auto *text = dynamic_cast<QGraphicsTextItem *>(item);
                        if (!text || !text->isVisible())
                            continue;
                        const QString shown = text->toPlainText();
                        ++labels;
                        QVERIFY2(!shown.endsWith(u"..."_s),
                                 qPrintable(u"%1x%2, range %3, %4: \"%5\""_s.arg(size.width())
                                                .arg(size.height())
                                                .arg(range)
                                                .arg(view->chart()->title(), shown)));
                    }
                }
                QVERIFY(labels > 20); // the labels were there to look at
            }
        }
        m_window->resize(1280, 800);
        page()->rangeSelector()->setCurrentIndex(0);
        QTRY_VERIFY(!page()->isReloadPending());
    }

    void aHiddenTabCatchesUpWhenShown()
    {
        QTRY_VERIFY(!page()->isReloadPending());
        m_window->tabs()->setCurrentIndex(0);
        const int before = page()->loadCount();
        const QString id = signUp(u"gilles"_s, m_noon + 120 * kMinute);
        QVERIFY(!id.isEmpty());
        // The Signups tab has the row: the dashboard got the same event, and only noted it.
        QTRY_VERIFY(m_window->signupModel()->rowOf(id) >= 0);
        QCOMPARE(page()->loadCount(), before);
        QVERIFY(page()->isReloadPending());
        m_window->tabs()->setCurrentWidget(page());
        QTRY_COMPARE(page()->signupsPerDaySet()->at(6), 5.0);
        QCOMPARE(page()->loadCount(), before + 1);
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
