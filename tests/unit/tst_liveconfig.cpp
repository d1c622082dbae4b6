// LiveSettings and LiveConfig without a database: parsing as loadConfig parses, the snapshot
// readers get, stored rows over the start-up values, and a refresh that read before a change
// never undoes it.

#include "livesettings.h"

#include <QTest>

#include <thread>

using namespace Qt::StringLiterals;
using sd::core::Config;
using sd::core::LiveConfig;
using sd::core::LiveSettings;

class TestLiveConfig : public QObject
{
    Q_OBJECT

private slots:
    void valuesRoundTrip()
    {
        Config c;
        c.apps = {u"shop"_s, u"forum"_s};
        c.signupEnabled = false;
        c.mailFrom = u"Desk <desk@example.org>"_s;
        const LiveSettings s = LiveSettings::fromConfig(c);
        QCOMPARE(s.values().keys().size(), LiveSettings::keys().size());
        auto parsed = sd::core::parseLiveSettings(LiveSettings::fromConfig(Config{}), s.values());
        QVERIFY(parsed);
        QVERIFY(*parsed == s);
        Config back;
        parsed->applyTo(back);
        QCOMPARE(back.apps, c.apps);
        QCOMPARE(back.signupEnabled, false);
    }

    void parseChecksAsLoadConfigDoes()
    {
        const LiveSettings base = LiveSettings::fromConfig(Config{});
        QVERIFY(!sd::core::parseLiveSettings(base, {{u"signup/apps"_s, u" , "_s}}));
        QVERIFY(!sd::core::parseLiveSettings(base, {{u"login_link/ttl_seconds"_s, u"-5"_s}}));
        QVERIFY(!sd::core::parseLiveSettings(base, {{u"database/url"_s, u"sqlite:/x"_s}}));
        auto ok = sd::core::parseLiveSettings(
            base, {{u"signup/enabled"_s, u"off"_s}, {u"signup/apps"_s, u"a, b"_s}});
        QVERIFY(ok);
        QCOMPARE(ok->signupEnabled, false);
        QCOMPARE(ok->apps, (QStringList{u"a"_s, u"b"_s}));
        QCOMPARE(ok->approvalRequired, base.approvalRequired);
    }

    void snapshotsAreImmutable()
    {
        LiveConfig live{Config{}};
        const auto before = live.current();
        QVERIFY(before->signupEnabled);
        QVERIFY(live.mergeStored({{u"signup/enabled"_s, u"false"_s}}));
        QVERIFY(before->signupEnabled); // a reader's snapshot never changes under it
        QVERIFY(!live.current()->signupEnabled);
        QVERIFY(live.startup().signupEnabled);
        QVERIFY(!live.mergeStored({{u"signup/enabled"_s, u"false"_s}})); // no change
    }

    void staleRefreshIsDropped()
    {
        LiveConfig live{Config{}};
        const quint64 seen = live.generation();
        // A console's change lands while a refresh was reading the (older) table.
        QVERIFY(live.mergeStored({{u"signup/enabled"_s, u"false"_s}}));
        QVERIFY(!live.replaceStored({}, seen));
        QVERIFY(!live.current()->signupEnabled);
        // The next refresh reads the table with the change in it.
        QVERIFY(!live.replaceStored({{u"signup/enabled"_s, u"false"_s}}, live.generation()));
        QVERIFY(live.replaceStored({{u"signup/enabled"_s, u"true"_s}}, live.generation()));
        QVERIFY(live.current()->signupEnabled);
        // Rows gone: back to the start-up values.
        QVERIFY(live.replaceStored({{u"signup/enabled"_s, u"false"_s}}, live.generation()));
        QVERIFY(live.replaceStored({}, live.generation()));
        QVERIFY(live.current()->signupEnabled);
    }

    void readersAndWritersAtOnce()
    {
        // Many readers while a writer flips the switch: every snapshot is whole (apps and the
        // flag always change together here).
        LiveConfig live{Config{}};
        std::atomic_bool stop{false}, torn{false};
        std::vector<std::thread> readers;
        for (int i = 0; i < 4; ++i)
            readers.emplace_back([&] {
                while (!stop) {
                    const auto s = live.current();
                    if (s->signupEnabled != (s->apps == QStringList{u"default"_s}))
                        torn = true;
                }
            });
        for (int i = 0; i < 2000; ++i)
            live.mergeStored(i % 2 ? QHash<QString, QString>{{u"signup/enabled"_s, u"true"_s},
                                                             {u"signup/apps"_s, u"default"_s}}
                                   : QHash<QString, QString>{{u"signup/enabled"_s, u"false"_s},
                                                             {u"signup/apps"_s, u"closed"_s}});
        stop = true;
        for (auto &t : readers)
            t.join();
        QVERIFY(!torn);
    }
};

QTEST_GUILESS_MAIN(TestLiveConfig)
#include "tst_liveconfig.moc"
