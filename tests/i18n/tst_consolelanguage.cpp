// The console in French and German, offscreen, over an in-process SignupDesk (SQLite): with a
// language's translators installed, the MainWindow's tabs, actions, headers and status bar speak
// it, Qt's own standard buttons too, plurals follow the count, and the keyboard accelerators of
// the menu bar, the tabs and each menu stay unique. Which language "" (the system's) means.

#include "testserver.h"
#include "testworker.h"

#include "auditdetails.h"
#include "consolelanguage.h"
#include "consolepages.h"
#include "mainwindow.h"
#include "reasondialog.h"
#include "timelinemodel.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// The letter after a single '&' (lower case), or none.
QChar mnemonic(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        if (text.at(i + 1) == u'&') {
            ++i;
            continue;
        }
        return text.at(i + 1).toLower();
    }
    return {};
}

// The texts among `texts` whose accelerator another one already has.
QStringList clashes(const QStringList &texts)
{
    QHash<QChar, QString> seen;
    QStringList out;
    for (const QString &text : texts) {
        const QChar key = mnemonic(text);
        if (key.isNull())
            continue;
        if (seen.contains(key))
            out << seen.value(key) + u" / "_s + text;
        else
            seen.insert(key, text);
    }
    return out;
}

QString plain(QString text)
{
    return text.remove(u'&');
}

} // namespace

class TestConsoleLanguage : public QObject
{
    Q_OBJECT

private:
    Worker m_worker;
    QTemporaryDir m_dir;
    std::unique_ptr<TestServer> m_server;

    std::unique_ptr<sd::ui::MainWindow> openWindow()
    {
        sd::ui::ConsoleOptions options;
        options.listeningUrl = m_server->app().listeningUrl();
        options.settingsFile = m_dir.filePath(u"console.ini"_s);
        options.trayIcon = false;
        auto window = std::make_unique<sd::ui::MainWindow>(m_server->app().core(), options);
        window->show();
        return window;
    }

    static int tabOf(const sd::ui::MainWindow &window, const QWidget *inside)
    {
        for (int i = 0; i < window.tabs()->count(); ++i)
            if (window.tabs()->widget(i) == inside ||
                window.tabs()->widget(i)->isAncestorOf(inside))
                return i;
        return -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = m_worker.call([] { return startTestServer(); });
        QVERIFY(m_server->port() != 0);
    }

    void cleanupTestCase()
    {
        sd::ui::installConsoleTranslators(*qApp, QString()); // back to the system's
        m_worker.call([this] {
            m_server.reset();
            return true;
        });
    }

    void resolvesTheLanguage_data()
    {
        QTest::addColumn<QString>("setting");
        QTest::addColumn<QStringList>("uiLanguages");
        QTest::addColumn<QString>("expected");
        QTest::newRow("system: Swiss French")
            << QString() << QStringList{u"fr-CH"_s, u"en"_s} << u"fr"_s;
        QTest::newRow("system: the first shipped one")
            << QString() << QStringList{u"es-ES"_s, u"de-AT"_s, u"fr"_s} << u"de"_s;
        QTest::newRow("system: underscore form") << QString() << QStringList{u"de_DE"_s} << u"de"_s;
        QTest::newRow("system: none shipped")
            << QString() << QStringList{u"es"_s, u"it-IT"_s} << u"en"_s;
        QTest::newRow("system: nothing known") << QString() << QStringList{} << u"en"_s;
        QTest::newRow("chosen beats the system") << u"de"_s << QStringList{u"fr-FR"_s} << u"de"_s;
        QTest::newRow("chosen English") << u"en"_s << QStringList{u"fr-FR"_s} << u"en"_s;
        QTest::newRow("unknown setting: the system's")
            << u"xx"_s << QStringList{u"fr"_s} << u"fr"_s;
    }

    void resolvesTheLanguage()
    {
        QFETCH(QString, setting);
        QFETCH(QStringList, uiLanguages);
        QFETCH(QString, expected);
        QCOMPARE(sd::ui::resolveConsoleLanguage(setting, uiLanguages), expected);
    }

    void windowSpeaksTheLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("signupsTab");
        QTest::addColumn<QString>("auditTab");
        QTest::addColumn<QString>("approve");
        QTest::addColumn<QString>("usernameHeader");
        QTest::addColumn<QString>("counts");
        QTest::addColumn<QString>("cancelButton");
        QTest::addColumn<QLocale::Language>("locale");
        QTest::newRow("fr") << u"fr"_s << u"Ins&criptions"_s << u"&Journal d’audit"_s
                            << u"&Approuver"_s << u"Nom d’utilisateur"_s
                            << u"0 à approuver, 0 en attente de vérification"_s << u"Annuler"_s
                            << QLocale::French;
        QTest::newRow("de") << u"de"_s << u"Re&gistrierungen"_s << u"&Audit-Protokoll"_s
                            << u"&Genehmigen"_s << u"Benutzername"_s
                            << u"0 zu genehmigen, 0 noch nicht bestätigt"_s << u"Abbrechen"_s
                            << QLocale::German;
        QTest::newRow("en") << u"en"_s << u"Si&gnups"_s << u"Audit &log"_s << u"&Approve"_s
                            << u"Username"_s << u"0 to approve, 0 awaiting verification"_s
                            << u"Cancel"_s << QLocale::English;
    }

    void windowSpeaksTheLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QString, signupsTab);
        QFETCH(QString, auditTab);
        QFETCH(QString, approve);
        QFETCH(QString, usernameHeader);
        QFETCH(QString, counts);
        QFETCH(QString, cancelButton);
        QFETCH(QLocale::Language, locale);
        QCOMPARE(sd::ui::installConsoleTranslators(*qApp, language), language);
        QCOMPARE(QLocale().language(), locale);

        auto window = openWindow();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        QTRY_VERIFY(window->isLoaded());
        const QTabWidget *tabs = window->tabs();
        QCOMPARE(tabs->tabText(tabOf(*window, window->signupView())), signupsTab);
        QCOMPARE(tabs->tabText(tabOf(*window, window->auditPage())), auditTab);
        auto *approveAction = window->findChild<QAction *>(u"approveAction"_s);
        QVERIFY(approveAction);
        QCOMPARE(approveAction->text(), approve);
        QCOMPARE(window->signupView()->model()->headerData(0, Qt::Horizontal).toString(),
                 usernameHeader);
        auto *countLabel = window->findChild<QLabel *>(u"countLabel"_s);
        QVERIFY(countLabel);
        QCOMPARE(countLabel->text(), counts);
        // For a look at each language (long words, cut labels): SD_SCREENSHOT_DIR=… ctest -R …
        if (const QString dir = qEnvironmentVariable("SD_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(window->grab().save(dir + u"/console-%1.png"_s.arg(language)));

        // Qt's own texts: the standard buttons of the reason dialog.
        sd::ui::ReasonDialog dialog(u"t"_s, u"p"_s, {}, window.get());
        auto *box = dialog.findChild<QDialogButtonBox *>();
        QVERIFY(box);
        QCOMPARE(plain(box->button(QDialogButtonBox::Cancel)->text()), cancelButton);
    }

    void pluralsFollowTheCount_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("expected");
        QTest::newRow("en 1") << u"en"_s << 1 << u"1 signup approved."_s;
        QTest::newRow("en 2") << u"en"_s << 2 << u"2 signups approved."_s;
        QTest::newRow("fr 0") << u"fr"_s << 0
                              << u"0 inscription approuvée."_s; // French: 0 is singular
        QTest::newRow("fr 1") << u"fr"_s << 1 << u"1 inscription approuvée."_s;
        QTest::newRow("fr 3") << u"fr"_s << 3 << u"3 inscriptions approuvées."_s;
        QTest::newRow("de 0") << u"de"_s << 0 << u"0 Registrierungen genehmigt."_s;
        QTest::newRow("de 1") << u"de"_s << 1 << u"1 Registrierung genehmigt."_s;
        QTest::newRow("de 2") << u"de"_s << 2 << u"2 Registrierungen genehmigt."_s;
    }

    void pluralsFollowTheCount()
    {
        QFETCH(QString, language);
        QFETCH(int, count);
        QFETCH(QString, expected);
        sd::ui::installConsoleTranslators(*qApp, language);
        // The Signups tab's bulk summary (its context: the class that says it, SignupsPage).
        QCOMPARE(QCoreApplication::translate("sd::ui::SignupsPage", "%n signup(s) approved.",
                                             nullptr, count),
                 expected);
    }

    // Audit details are written in English when the entry is made (the log is sealed); the
    // console shows them in its language, the address, names and the admin's words as written.
    void auditDetailsSpeakTheLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("recorded");
        QTest::addColumn<QString>("shown");
        const QString nb = QString(QChar(0xa0));
        QTest::newRow("fr from") << u"fr"_s << u"from 203.0.113.9"_s << u"depuis 203.0.113.9"_s;
        QTest::newRow("fr reset by code")
            << u"fr"_s << u"code from 203.0.113.9"_s << u"par un code depuis 203.0.113.9"_s;
        QTest::newRow("fr rejected")
            << u"fr"_s << u"username=zoé; reason=Spam."_s
            << u"nom d’utilisateur"_s + nb + u": zoé"_s + nb + u"; motif"_s + nb + u": Spam."_s;
        QTest::newRow("fr lockout") << u"fr"_s << u"900 s after 10 failures"_s
                                    << u"bloqué 900"_s + nb + u"s après 10 échecs"_s;
        QTest::newRow("fr unknown") << u"fr"_s << u"free text"_s << u"free text"_s;
        QTest::newRow("de from") << u"de"_s << u"from 203.0.113.9"_s << u"von 203.0.113.9"_s;
        QTest::newRow("de totp") << u"de"_s << u"totp from 203.0.113.9"_s
                                 << u"per Authenticator-Code von 203.0.113.9"_s;
        QTest::newRow("de disabled") << u"de"_s << u"sessions_revoked=2; reason=left"_s
                                     << u"beendete Sitzungen: 2; Grund: left"_s;
        QTest::newRow("en rejected")
            << u"en"_s << u"username=zoé; reason=Spam."_s << u"username: zoé; reason: Spam."_s;
    }

    void auditDetailsSpeakTheLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QString, recorded);
        QFETCH(QString, shown);
        QCOMPARE(sd::ui::installConsoleTranslators(*qApp, language), language);
        QCOMPARE(sd::ui::AuditDetails::text(recorded), shown);
        // The audit view and the timelines show it so; the tooltip keeps what was recorded.
        sd::ui::TimelineModel timeline;
        timeline.setTimeline(u"usr_1"_s, {{1, sd::core::TimelineEntry::Source::Audit,
                                           u"signup.rejected"_s, u"system"_s, recorded}});
        const QModelIndex detail = timeline.index(0, sd::ui::TimelineModel::Detail);
        QCOMPARE(detail.data().toString(), shown);
        QCOMPARE(detail.data(Qt::ToolTipRole).toString(), recorded);
    }

    void acceleratorsAreUnique_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("fr") << u"fr"_s;
        QTest::newRow("de") << u"de"_s;
        QTest::newRow("en") << u"en"_s;
    }

    void acceleratorsAreUnique()
    {
        QFETCH(QString, language);
        sd::ui::installConsoleTranslators(*qApp, language);
        auto window = openWindow();

        // Alt+letter: the menu bar and the tabs always, with the labels (that have a buddy) of the
        // tab shown, one tab at a time.
        QStringList windowWide;
        for (QAction *menu : window->menuBar()->actions())
            windowWide << menu->text();
        for (int i = 0; i < window->tabs()->count(); ++i)
            windowWide << window->tabs()->tabText(i);
        QVERIFY(windowWide.size() >= 6);
        QList<QStringList> perTab(window->tabs()->count(), windowWide);
        for (const QLabel *label : window->findChildren<QLabel *>()) {
            if (!label->buddy() || label->window() != window.get())
                continue;
            for (int i = 0; i < window->tabs()->count(); ++i)
                if (window->tabs()->widget(i)->isAncestorOf(label) || tabOf(*window, label) < 0)
                    perTab[i] << label->text();
        }
        // Buttons too (the undo bar's, say), on the tab that holds them or on every tab.
        for (const QPushButton *button : window->findChildren<QPushButton *>()) {
            if (button->window() != window.get() || mnemonic(button->text()).isNull())
                continue;
            for (int i = 0; i < window->tabs()->count(); ++i)
                if (window->tabs()->widget(i)->isAncestorOf(button) || tabOf(*window, button) < 0)
                    perTab[i] << button->text();
        }
        QStringList problems;
        for (const QStringList &texts : std::as_const(perTab))
            problems << clashes(texts);
        problems.removeDuplicates();
        // Within each menu.
        for (QAction *menuAction : window->menuBar()->actions()) {
            QStringList items;
            for (QAction *a : menuAction->menu()->actions())
                if (!a->isSeparator())
                    items << a->text();
            problems << clashes(items);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u"; "_s)));
    }
};

QTEST_MAIN(TestConsoleLanguage)
#include "tst_consolelanguage.moc"
