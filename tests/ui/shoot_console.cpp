// Screenshots of the console for the README (issue #3 item 11, issue 17): an in-process
// SignupDesk (SQLite, fake clock) seeded with a realistic day of signups, the main window
// offscreen at 1280×800 and at 1024×700, in English and in French, one PNG per tab and one of
// the page per user in $SD_SCREENSHOT_DIR (default: this test's build directory), named
// console-[fr-]<tab>[-1024].png. The test checks that each file was written and is a real
// picture, not a blank one.

#include "consoletest.h"
#include "testserver.h"
#include "testworker.h"

#include "flows/oauth/oauthstore.h"
#include "sqlquery.h"

#include "consolelanguage.h"
#include "consolepages.h"
#include "consoletablemodels.h"
#include "dashboardpage.h"
#include "mainwindow.h"
#include "pagedfilterproxy.h"
#include "rowfilterproxy.h"
#include "signuptablemodel.h"
#include "timelinemodel.h"
#include "userpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QSet>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

struct Person
{
    QString username;
    QString displayName;
    QString email;
    QString ip;
    QStringList apps;
};

enum class Fate
{
    Unverified,
    Verified,
    Approved,
    Rejected
};

} // namespace

class ShootConsole : public QObject
{
    Q_OBJECT

private:
    ConsoleFixture m_console;
    Worker &m_worker = m_console.worker;
    std::unique_ptr<TestServer> &m_server = m_console.server;
    std::unique_ptr<sd::ui::MainWindow> &m_window = m_console.window;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    QString m_featured;            // the signup whose timeline is shown
    QHash<QString, QString> m_ids; // user id by username
    QString m_language = u"en"_s;  // being shot
    QSize m_size{1280, 800};
    int m_history = 0; // the dashboard's weeks of signups, once seeded

    sd::core::CoreServices &core() { return m_server->app().core(); }

    // On the worker: one signup, its email sent (unless `sendMail` is off), taken as far as
    // `fate`; then `minutesLater` minutes pass.
    QString seed(const Person &p, Fate fate, int minutesLater, bool sendMail = true,
                 const std::function<void(const QString &)> &beforeVerify = {})
    {
        return m_worker.call([&] {
            sd::core::SignupInput input;
            input.username = p.username;
            input.password = kPassword;
            input.email = p.email;
            input.displayName = p.displayName;
            input.appList = p.apps;
            auto r = core().signup().signUp(input, {p.ip});
            if (!r) {
                qWarning("signup %s: %s", qPrintable(p.username), qPrintable(r.error().detail));
                return QString();
            }
            if (sendMail) {
                m_server->clock().advanceSeconds(4);
                m_server->flushMail();
            }
            const sd::core::Actor admin{u"console:rosa"_s};
            bool ok = true;
            if (fate != Fate::Unverified) {
                m_server->clock().advanceSeconds(95);
                if (beforeVerify)
                    beforeVerify(r->userId);
                ok = core().verification().confirm(r->confirmToken).has_value();
            }
            if (ok && (fate == Fate::Approved || fate == Fate::Rejected))
                m_server->clock().advanceSeconds(600);
            if (ok && fate == Fate::Approved)
                ok = core().approval().approve(r->userId, admin).has_value();
            if (ok && fate == Fate::Rejected)
                ok = core()
                         .approval()
                         .reject(r->userId, u"This service is for members only."_s, admin)
                         .has_value();
            if (!ok)
                qWarning("seeding %s failed", qPrintable(p.username));
            m_server->clock().advanceSeconds(minutesLater * 60);
            return r->userId;
        });
    }

    // On the worker: a request to the page behind the signup's email link.
    void linkHit(const QString &userId, const QByteArray &method, const QString &ip,
                 const QString &agent)
    {
        (void)core().linkHits().record(u"signed_verification"_s, {}, userId, method, {ip}, agent);
        m_server->clock().advanceSeconds(20);
    }

    // On the worker: four weeks of signups before today, for the dashboard. More on weekdays;
    // most verified within the hour, a few much later, some never; most of the verified ones
    // approved, a few rejected. The clock comes back to where it was. Returns how many.
    int seedHistory()
    {
        return m_worker.call([&] {
            sd::core::FakeClock &clock = m_server->clock();
            const qint64 now = clock.nowMs();
            const QTimeZone zone = QTimeZone::systemTimeZone();
            const QDate today = QDateTime::fromMSecsSinceEpoch(now, zone).date();
            const QList<int> verifyMinutes{2,  3,  4,  6,  8,   11,  14,  19,
                                           25, 38, 55, 80, 150, 420, 1300};
            const sd::core::Actor admin{u"console:rosa"_s};
            int made = 0, n = 0;
            for (int back = 29; back >= 1; --back) {
                const QDate day = today.addDays(-back);
                const int count = day.dayOfWeek() >= 6 ? 1 + back % 2 : 3 + (back * 7) % 5;
                for (int i = 0; i < count; ++i, ++n) {
                    const QTime time(8 + (i * 5 + back) % 12, (i * 17 + back * 7) % 60);
                    clock.advanceMs(QDateTime(day, time, zone).toMSecsSinceEpoch() - clock.nowMs());
                    sd::core::SignupInput input;
                    input.username = u"member%1"_s.arg(n, 3, 10, QChar(u'0'));
                    input.password = kPassword;
                    input.email = input.username + u"@example.net"_s;
                    auto r = core().signup().signUp(input, {u"198.51.100.%1"_s.arg(1 + n % 200)});
                    if (!r)
                        continue;
                    ++made;
                    if (n % 7 == 3)
                        continue; // never verified
                    clock.advanceSeconds(60 * verifyMinutes.at(n % verifyMinutes.size()));
                    if (!core().verification().confirm(r->confirmToken))
                        continue;
                    clock.advanceSeconds(1800);
                    if (n % 9 == 4)
                        (void)core().approval().reject(r->userId, u"Duplicate account."_s, admin);
                    else if (n % 4 != 1)
                        (void)core().approval().approve(r->userId, admin);
                }
            }
            clock.advanceMs(now - clock.nowMs());
            return made;
        });
    }

    QString mailStatusTo(const QString &email)
    {
        return m_worker.call([&] {
            auto db = m_server->app().database().connection();
            auto q = sd::store::runQuery(*db, u"SELECT status FROM outbox WHERE recipient = ?"_s,
                                         {email});
            return q && q->next() ? q->value(0).toString() : QString();
        });
    }

    // As the sender leaves a message after its last failure.
    void killMailTo(const QString &email, const QString &error)
    {
        m_worker.call([&] {
            auto db = m_server->app().database().connection();
            (void)sd::store::runQuery(
                *db,
                u"UPDATE outbox SET status = 'dead', attempts = 8, last_error = ?,"
                " server_reply = '', sent_at = NULL WHERE recipient = ?"_s,
                {error, email});
        });
    }

    QString outputDir() const
    {
        const QString env = qEnvironmentVariable("SD_SCREENSHOT_DIR");
        return env.isEmpty() ? QDir::currentPath() : env;
    }

    // Grabs `widget` (the window unless given), saves it as console-<prefix><name><suffix>.png
    // for the language and size being shot, and checks the file is a real, non-blank picture.
    void shoot(const QString &name, QWidget *widget = nullptr)
    {
        QTest::qWait(150); // the lists fit their columns 50 ms after rows arrive
        QApplication::processEvents();
        if (!widget)
            widget = m_window.get();
        const QPixmap pixmap = widget->grab();
        const QString file =
            u"console-"_s + (m_language == u"en"_s ? QString() : m_language + u'-') + name +
            (m_size.width() == 1280 ? QString() : u"-%1"_s.arg(m_size.width())) + u".png"_s;
        const QString path = QDir(outputDir()).filePath(file);
        QVERIFY2(pixmap.save(path, "PNG"), qPrintable(path));
        const QFileInfo info(path);
        QVERIFY2(info.exists() && info.size() > 20'000,
                 qPrintable(u"%1: %2 bytes"_s.arg(path).arg(info.size())));
        const QImage image(path);
        QCOMPARE(image.size(), widget->size() * pixmap.devicePixelRatio());
        if (widget == m_window.get())
            QCOMPARE(widget->size(), m_size);
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 16,
                 qPrintable(u"%1 looks blank (%2 colours)"_s.arg(path).arg(colours.size())));
        qInfo("wrote %s (%lld bytes)", qPrintable(QDir::toNativeSeparators(path)),
              qlonglong(info.size()));
    }

    // The console in this language and size: a new window (texts are set as widgets are made).
    void openConsole(const QString &language, QSize size)
    {
        m_testers.clear();
        m_window.reset();
        m_language = sd::ui::installConsoleTranslators(*qApp, language);
        m_size = size;
        QVERIFY(m_console.openWindow(m_console.options(), size, [this](sd::ui::MainWindow &window) {
            for (QAbstractItemModel *m : std::initializer_list<QAbstractItemModel *>{
                     window.signupModel(), window.signupProxy(), window.timelineModel(),
                     window.usersPage()->model(), window.usersPage()->identityModel(),
                     window.outboxPage()->model(), window.auditPage()->model()})
                m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
                    m, QAbstractItemModelTester::FailureReportingMode::QtTest));
        }));
        QCOMPARE(m_window->size(), size);
    }

    static void addConfigurations()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QSize>("size");
        QTest::newRow("en-1280") << u"en"_s << QSize(1280, 800);
        QTest::newRow("en-1024") << u"en"_s << QSize(1024, 700);
        QTest::newRow("fr-1280") << u"fr"_s << QSize(1280, 800);
        QTest::newRow("fr-1024") << u"fr"_s << QSize(1024, 700);
    }

    void showTab(QWidget *page)
    {
        m_window->tabs()->setCurrentWidget(page);
        if (auto *p = qobject_cast<sd::ui::ConsolePage *>(page))
            QTRY_VERIFY(p->isLoaded());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(QDir().mkpath(outputDir()));
        // As the program does: English plural forms ("1 signup", "12 signups").
        sd::ui::installConsoleTranslators(*qApp, u"en"_s);
        QVERIFY(m_console.startServer([](sd::core::Config &c) {
            c.returnConfirmToken = true;
            c.apps = {u"forum"_s, u"wiki"_s, u"tracker"_s};
            c.mailFrom = u"SignupDesk <desk@example.org>"_s;
        }));
        // The day starts a few hours back, so "signed up" times spread over hours.
        m_worker.call([&] { m_server->clock().advanceSeconds(-3 * 3600); });

        const QList<std::tuple<Person, Fate, int>> people{
            {{u"amelie"_s,
              u"Amélie Durand"_s,
              u"amelie.durand@example.fr"_s,
              u"203.0.113.24"_s,
              {u"forum"_s}},
             Fate::Approved,
             34},
            {{u"jbrooks"_s,
              u"Jonah Brooks"_s,
              u"jonah@brooks.example"_s,
              u"198.51.100.77"_s,
              {u"wiki"_s, u"forum"_s}},
             Fate::Approved,
             21},
            {{u"spam-bot-17"_s,
              QString(),
              u"x17@mailinator.example"_s,
              u"192.0.2.201"_s,
              {u"forum"_s}},
             Fate::Rejected,
             12},
            {{u"kwame"_s,
              u"Kwame Mensah"_s,
              u"kwame.mensah@example.com"_s,
              u"203.0.113.90"_s,
              {u"tracker"_s}},
             Fate::Verified,
             17},
            {{u"lena.k"_s,
              u"Lena Kowalski"_s,
              u"lena.kowalski@example.pl"_s,
              u"198.51.100.12"_s,
              {u"wiki"_s}},
             Fate::Verified,
             26},
            {{u"hiro"_s,
              u"Hiroshi Tanaka"_s,
              u"h.tanaka@example.jp"_s,
              u"2001:db8::4a"_s,
              {u"forum"_s, u"tracker"_s}},
             Fate::Verified,
             8},
            {{u"marta"_s,
              u"Marta Silva"_s,
              u"marta.silva@example.pt"_s,
              u"203.0.113.7"_s,
              {u"forum"_s}},
             Fate::Unverified,
             14},
            {{u"olafur"_s,
              u"Ólafur Jónsson"_s,
              u"olafur@typo-example.invalid"_s,
              u"198.51.100.231"_s,
              {u"wiki"_s}},
             Fate::Unverified,
             19},
        };
        QString kwame;
        for (const auto &[person, fate, minutes] : people) {
            std::function<void(const QString &)> beforeVerify;
            if (person.username == u"kwame"_s) // a mail scanner opened the link first
                beforeVerify = [this](const QString &id) {
                    linkHit(id, "HEAD", u"40.94.12.8"_s,
                            u"Mozilla/5.0 (compatible; SafeLinks scanner)"_s);
                    linkHit(
                        id, "GET", u"203.0.113.90"_s,
                        u"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"_s);
                };
            const QString id = seed(person, fate, minutes, true, beforeVerify);
            QVERIFY(!id.isEmpty());
            if (person.username == u"kwame"_s)
                kwame = id;
            m_ids.insert(person.username, id);
        }
        // Jonah also signs in with GitHub and Google.
        const bool linked = m_worker.call([&] {
            auto db = m_server->app().database().connection();
            const qint64 now = m_server->clock().nowMs();
            const QString jonah = m_ids.value(u"jbrooks"_s);
            return sd::core::oauthstore::insertIdentity(
                       *db, {u"oid_1"_s, jonah, u"github"_s, u"583231"_s, u"jonah@brooks.example"_s,
                             now - 5'400'000})
                       .has_value() &&
                   sd::core::oauthstore::insertIdentity(
                       *db, {u"oid_2"_s, jonah, u"google"_s, u"1093"_s,
                             u"jonah.brooks@example.com"_s, now - 600'000})
                       .has_value();
        });
        QVERIFY(linked);
        // The sender thread may still hold it: let it finish, or its "sent" lands over "dead".
        QTRY_COMPARE(mailStatusTo(u"olafur@typo-example.invalid"_s), u"sent"_s);
        killMailTo(u"olafur@typo-example.invalid"_s,
                   u"550 5.1.1 <olafur@typo-example.invalid>: Recipient address rejected"_s);
        m_featured = kwame;

        // The last few minutes: still queued or just in.
        const QList<std::tuple<Person, Fate, int>> recent{
            {{u"priya"_s,
              u"Priya Natarajan"_s,
              u"priya.n@example.in"_s,
              u"198.51.100.45"_s,
              {u"tracker"_s}},
             Fate::Verified,
             6},
            {{u"tomasz"_s,
              u"Tomasz Nowak"_s,
              u"tomasz.nowak@example.pl"_s,
              u"203.0.113.150"_s,
              {u"forum"_s}},
             Fate::Unverified,
             4},
            {{u"chloe"_s,
              u"Chloé Martin"_s,
              u"chloe.martin@example.fr"_s,
              u"192.0.2.33"_s,
              {u"wiki"_s}},
             Fate::Unverified,
             2},
            {{u"dev_sam"_s,
              u"Sam Okafor"_s,
              u"sam@okafor.example"_s,
              u"198.51.100.9"_s,
              {u"forum"_s, u"wiki"_s}},
             Fate::Unverified,
             1},
        };
        for (const auto &[person, fate, minutes] : recent) // their emails still queued
            QVERIFY(!seed(person, fate, minutes, fate != Fate::Unverified).isEmpty());
        // Jonah is signed in on a laptop and a phone (his page lists both sessions).
        const bool signedIn = m_worker.call([&] {
            bool ok = core()
                          .sessions()
                          .login(u"jbrooks"_s, kPassword,
                                 {u"198.51.100.77"_s, u"Mozilla/5.0 (X11; Linux x86_64; "
                                                      u"rv:128.0) Gecko/20100101 Firefox/128.0"_s})
                          .has_value();
            m_server->clock().advanceSeconds(300);
            ok = ok && core()
                           .sessions()
                           .login(u"jbrooks"_s, kPassword,
                                  {u"203.0.113.61"_s, u"Mozilla/5.0 (Android 14; Mobile; "
                                                      u"rv:128.0) Gecko/128.0 Firefox/128.0"_s})
                           .has_value();
            return ok;
        });
        QVERIFY(signedIn);
    }

    void cleanupTestCase()
    {
        m_testers.clear();
        m_console.stop();
    }

private:
    void shootSignups()
    {
        m_window->statusFilter()->setCurrentIndex(m_window->statusFilter()->count() - 1); // All
        QTRY_COMPARE(m_window->signupProxy()->rowCount(), 11);
        m_window->signupView()->setFocus();
        m_window->selectUsers({m_featured});
        QTRY_VERIFY(m_window->timelineModel()->rowCount() >= 5);
        shoot(u"signups"_s);
    }

    void shootUsers()
    {
        showTab(m_window->usersPage());
        sd::ui::UsersPage *page = m_window->usersPage();
        QTRY_COMPARE(page->model()->rowCount(), 11);
        const QString jonah = m_ids.value(u"jbrooks"_s);
        for (int r = 0; r < page->proxy()->rowCount(); ++r) {
            const QModelIndex index = page->proxy()->index(r, 0);
            if (index.data(sd::ui::KeyRole).toString() == jonah)
                page->view()->selectionModel()->setCurrentIndex(
                    index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        }
        QTRY_COMPARE(page->identitiesUserId(), jonah);
        QCOMPARE(page->identityModel()->rowCount(), 2);
        page->view()->setFocus();
        shoot(u"users"_s);
    }

    void shootOutbox()
    {
        sd::ui::OutboxPage *page = m_window->outboxPage();
        showTab(page);
        QTRY_VERIFY(page->model()->rowCount() >= 12);
        // The failed email, with its preview.
        for (int r = 0; r < page->proxy()->rowCount(); ++r) {
            const QModelIndex index = page->proxy()->index(r, 0);
            if (index.data(sd::ui::RowStatusRole).toString() == u"dead"_s) {
                page->view()->selectionModel()->setCurrentIndex(
                    index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                break;
            }
        }
        QTRY_VERIFY(page->previewText().contains(u"550"_s));
        shoot(u"outbox"_s);
    }

    void shootAudit()
    {
        showTab(m_window->auditPage());
        QTRY_VERIFY(m_window->auditPage()->model()->rowCount() >= 10);
        shoot(u"audit"_s);
    }

    // Jonah's page: details, then his linked sign-ins under Credentials.
    void shootUserPage()
    {
        sd::ui::UserPage *page = m_window->openUserPage(m_ids.value(u"jbrooks"_s));
        QVERIFY(page);
        QTRY_VERIFY(page->isLoaded());
        QVERIFY(QTest::qWaitForWindowExposed(page));
        shoot(u"userpage"_s, page);
        page->sections()->setCurrentIndex(1); // Sessions
        QTRY_COMPARE(page->sessionModel()->rowCount(), 2);
        shoot(u"userpage-sessions"_s, page);
        page->sections()->setCurrentIndex(3); // Events
        shoot(u"userpage-events"_s, page);
        page->close();
    }

private slots:
    // Every tab but the dashboard, in each language and size (before the dashboard's history
    // fills the lists).
    void tabs_data() { addConfigurations(); }
    void tabs()
    {
        QFETCH(QString, language);
        QFETCH(QSize, size);
        openConsole(language, size);
        shootSignups();
        shootUsers();
        if (size.width() == 1280) // a window of its own, the same size at either
            shootUserPage();
        shootOutbox();
        shootAudit();
    }

    // Last, as it adds four weeks of history to the day the other pictures show.
    void dashboard_data() { addConfigurations(); }
    void dashboard()
    {
        QFETCH(QString, language);
        QFETCH(QSize, size);
        if (m_history == 0) {
            m_history = seedHistory();
            QVERIFY(m_history > 80);
        }
        openConsole(language, size);
        sd::ui::DashboardPage *page = m_window->dashboardPage();
        m_window->tabs()->setCurrentWidget(page);
        // The day's 12 signups (one since rejected) and the history.
        QTRY_COMPARE(page->stats().funnel.signups, qint64(12 + m_history));
        QTRY_VERIFY(!page->isReloadPending());
        QVERIFY(!page->isShowingEmptyState());
        QTest::qWait(100); // the charts lay out after the load
        shoot(u"dashboard"_s);
    }
};

QTEST_MAIN(ShootConsole)
#include "shoot_console.moc"
