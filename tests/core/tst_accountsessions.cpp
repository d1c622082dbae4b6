// AccountSessionService driven directly (no HTTP), fake clock, real SQLite file: a user's own
// session list (public ids, address, user agent, newest first, live only), ending one (only
// one's own), ending the others, and that an ended session stops at once despite the cache.

#include "coreharness.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestAccountSessions : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const QString kPassword = u"correct battery staple horse"_s;

    LoginResult login(const QString &name, const QString &agent)
    {
        auto r = h->core().sessions().login(name, kPassword, {u"192.0.2.4"_s, agent});
        if (!r)
            qWarning("login: %s", qPrintable(r.error().detail));
        return r.value_or(LoginResult{});
    }
    QString sessionId(const QString &ust)
    {
        auto check = h->core().sessions().check(ust);
        return check ? check->tokenId : QString();
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void listsLiveSessionsNewestFirst()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const auto first = login(u"anna"_s, u"Firefox"_s);
        h->clock().advanceMs(5000);
        const auto second = login(u"anna"_s, u"Chromium"_s);
        auto list = h->core().accountSessions().list(a->id, sessionId(second.ust));
        QVERIFY(list);
        QCOMPARE(list->size(), 2);
        QCOMPARE(list->at(0).userAgent, u"Chromium"_s);
        QVERIFY(list->at(0).current);
        QCOMPARE(list->at(1).userAgent, u"Firefox"_s);
        QVERIFY(!list->at(1).current);
        QCOMPARE(list->at(1).ip, u"192.0.2.4"_s);
        QCOMPARE(list->at(1).createdAtMs, CoreHarness::kStartMs);
        for (const SessionInfo &s : *list) {
            QVERIFY(s.id.startsWith(u"ses_"_s));
            QVERIFY(s.id != first.ust && s.id != second.ust); // never the token
        }
        // Past the idle limit a session is not listed any more.
        h->clock().advanceMs(h->config().sessionIdleSeconds * 1000);
        auto later = h->core().accountSessions().list(a->id, {});
        QVERIFY(later);
        QCOMPARE(later->size(), 0);
    }

    void endingASessionStopsItAtOnce()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const auto other = login(u"anna"_s, u"phone"_s);
        const auto mine = login(u"anna"_s, u"laptop"_s);
        QVERIFY(h->core().sessions().check(other.ust)); // now cached
        QVERIFY(h->core().accountSessions().end(a->id, sessionId(other.ust)));
        QCOMPARE(h->core().sessions().check(other.ust).error().code, ErrorCode::Unauthorized);
        QVERIFY(h->core().sessions().check(mine.ust));
        QVERIFY(h->auditActions(a->id).contains(u"session.ended"_s));
    }

    void anotherAccountsSessionIsNotFound()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"bert"_s);
        QVERIFY(a && b);
        const auto bert = login(u"bert"_s, u"x"_s);
        const QString bertSession = sessionId(bert.ust);
        auto r = h->core().accountSessions().end(a->id, bertSession);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        auto unknown = h->core().accountSessions().end(a->id, u"ses_unknown"_s);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QVERIFY(h->core().sessions().check(bert.ust)); // untouched
    }

    void endOthersKeepsTheCurrentOne()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"bert"_s);
        QVERIFY(a && b);
        const auto one = login(u"anna"_s, u"1"_s);
        const auto two = login(u"anna"_s, u"2"_s);
        const auto mine = login(u"anna"_s, u"3"_s);
        const auto bert = login(u"bert"_s, u"4"_s);
        for (const auto &s : {one, two, mine, bert})
            QVERIFY(h->core().sessions().check(s.ust)); // cached
        auto ended = h->core().accountSessions().endOthers(a->id, sessionId(mine.ust));
        QVERIFY(ended);
        QCOMPARE(*ended, 2);
        QVERIFY(!h->core().sessions().check(one.ust));
        QVERIFY(!h->core().sessions().check(two.ust));
        QVERIFY(h->core().sessions().check(mine.ust));
        QVERIFY(h->core().sessions().check(bert.ust));
    }

    void sessionsEndedEventEmptiesTheCache()
    {
        // What another instance's sessionsEnded does here (ClusterEvents re-emits it): a
        // session ended elsewhere stops at once, not when the cache entry expires.
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const auto s = login(u"anna"_s, u"x"_s);
        QVERIFY(h->core().sessions().check(s.ust));
        auto db = h->database().connection();
        QVERIFY(db);
        QVERIFY(sd::store::runQuery(*db, u"DELETE FROM tokens WHERE user_id = ?"_s, {a->id}));
        QVERIFY(h->core().sessions().check(s.ust)); // still cached: the other instance's view
        emit h->core().events().sessionsEnded(a->id);
        QVERIFY(!h->core().sessions().check(s.ust));
    }
};

QTEST_GUILESS_MAIN(TestAccountSessions)
#include "tst_accountsessions.moc"
