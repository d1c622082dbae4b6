// UserAdminService's search (the admin API's and the CLI's user list) and disable/enable as
// the admin API uses them, driven directly: query over username, email and display name,
// status filter, cursor paging, last login; disable ends sessions at once and emits.

#include "coreharness.h"

#include <QSignalSpy>

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestUserAdminSearch : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.approvalRequired = false; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void pagesThroughEveryAccountOnce()
    {
        QStringList made;
        for (int i = 0; i < 7; ++i) {
            const auto a = h->activeAccount(u"user%1"_s.arg(i));
            QVERIFY(a);
            made << a->id;
            if (i % 2)
                h->clock().advanceMs(1000); // some share a signup time: the id breaks the tie
        }
        QStringList seen;
        UserSearch search;
        search.limit = 3;
        for (int page = 0; page < 5; ++page) {
            auto r = h->core().userAdmin().search(search);
            QVERIFY(r);
            for (const auto &[a, lastLogin] : r->users)
                seen << a.id;
            if (r->next.isEmpty())
                break;
            search.after = r->next;
        }
        QCOMPARE(seen.size(), 7);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()), QSet<QString>(made.begin(), made.end()));
    }

    void queryStatusAndLastLogin()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"bert"_s);
        QVERIFY(a && b);
        QVERIFY(h->core().userAdmin().disable(b->id, {u"console"_s}));
        UserSearch byName;
        byName.query = u"ANN"_s;
        auto r = h->core().userAdmin().search(byName);
        QVERIFY(r);
        QCOMPARE(r->users.size(), 1);
        QCOMPARE(r->users[0].first.id, a->id);
        QCOMPARE(r->users[0].second, 0); // never logged in
        UserSearch wildcard;
        wildcard.query = u"%"_s; // a literal percent sign, not a wildcard
        QCOMPARE(h->core().userAdmin().search(wildcard)->users.size(), 0);
        UserSearch disabled;
        disabled.status = AccountStatus::Disabled;
        r = h->core().userAdmin().search(disabled);
        QCOMPARE(r->users.size(), 1);
        QCOMPARE(r->users[0].first.id, b->id);

        h->clock().advanceMs(60'000);
        QVERIFY(h->core().sessions().login(u"anna"_s, u"correct battery staple horse"_s, {}));
        r = h->core().userAdmin().search(byName);
        QCOMPARE(r->users[0].second, h->clock().nowMs());
        UserSearch bad;
        bad.after = u"garbage"_s;
        QCOMPARE(h->core().userAdmin().search(bad).error().code, ErrorCode::Validation);
    }

    void disableEndsSessionsAtOnceAndEmits()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto s = h->core().sessions().login(u"anna"_s, u"correct battery staple horse"_s, {});
        QVERIFY(s);
        QVERIFY(h->core().sessions().check(s->ust)); // cached
        QSignalSpy disabled(&h->core().events(), &Events::userDisabled);
        QSignalSpy ended(&h->core().events(), &Events::sessionsEnded);
        QSignalSpy enabled(&h->core().events(), &Events::userEnabled);
        QVERIFY(h->core().userAdmin().disable(a->id, {u"admin:usr_boss"_s}, u"abuse"_s));
        QVERIFY(!h->core().sessions().check(s->ust));
        QCOMPARE(disabled.size(), 1);
        QCOMPARE(ended.size(), 1);
        auto login = h->core().sessions().login(u"anna"_s, u"correct battery staple horse"_s, {});
        QCOMPARE(login.error().code, ErrorCode::AccountDisabled);
        QVERIFY(h->core().userAdmin().enable(a->id, {u"admin:usr_boss"_s}));
        QCOMPARE(enabled.size(), 1);
        QCOMPARE(h->core().userAdmin().enable(a->id, {u"x"_s}).error().code, ErrorCode::Conflict);
    }
};

QTEST_GUILESS_MAIN(TestUserAdminSearch)
#include "tst_useradminsearch.moc"
