// EmailLoginService driven directly (no HTTP), fake clock: a link is mailed only to an active
// account (the caller's answer is the same either way), the link shows its account, logs in
// once, and expires; terms of service are asked for when a version is set.

#include "coreharness.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestEmailLoginService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;

    // The token of the newest login link mailed to `userId`, or empty.
    QString linkToken(const QString &userId)
    {
        const auto mails = h->mails(u"login_link"_s, userId);
        return mails.isEmpty() ? QString() : CoreHarness::tokenIn(mails.last());
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void linkLogsInOnce()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        QVERIFY(h->core().emailLogin().requestLink(u"anna@example.com"_s, {}, {u"192.0.2.1"_s}));
        QVERIFY(h->auditActions(a->id).contains(u"login_link.sent"_s));
        const QString token = linkToken(a->id);
        QVERIFY(!token.isEmpty());

        auto view = h->core().emailLogin().inspect(token);
        QVERIFY2(view, view ? "" : qPrintable(view.error().detail));
        QCOMPARE(view->account.id, a->id);
        QVERIFY(!view->tosRequired);

        auto r = h->core().emailLogin().confirm({token, {}, false}, {u"192.0.2.1"_s});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(r->account.id, a->id);
        QVERIFY(h->core().sessions().check(r->ust));

        auto again = h->core().emailLogin().confirm({token, {}, false}, {});
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidToken);
    }

    void noLinkForUnknownOrInactiveAddresses()
    {
        const auto s = h->signUp(u"ben"_s); // not verified: not active
        QVERIFY(s);
        QVERIFY(h->core().emailLogin().requestLink(u"nobody@example.com"_s, {}, {}));
        QVERIFY(h->core().emailLogin().requestLink(u"ben@example.com"_s, {}, {}));
        QVERIFY(h->mails(u"login_link"_s).isEmpty());
    }

    void linkExpires()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        QVERIFY(h->core().emailLogin().requestLink(a->email, {}, {}));
        const QString token = linkToken(a->id);
        QVERIFY(!token.isEmpty());
        h->clock().advanceSeconds(h->core().liveSettings()->loginLinkTtlSeconds + 1);
        auto view = h->core().emailLogin().inspect(token);
        QVERIFY(!view);
        QCOMPARE(view.error().code, ErrorCode::InvalidToken);
        auto r = h->core().emailLogin().confirm({token, {}, false}, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidToken);
    }

    void termsMustBeAcceptedWhenSet()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.tosVersion = u"2026-01"_s; });
        QVERIFY(h->ok());
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        QVERIFY(h->core().emailLogin().requestLink(a->email, {}, {}));
        const QString token = linkToken(a->id);
        auto view = h->core().emailLogin().inspect(token);
        QVERIFY(view);
        QVERIFY(view->tosRequired);
        auto refused = h->core().emailLogin().confirm({token, {}, false}, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Validation);
        QVERIFY(refused.error().fields.contains(u"tos"_s));
        auto r = h->core().emailLogin().confirm({token, {}, true}, {});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(h->account(a->id)->tosAcceptedVersion, u"2026-01"_s);
        QVERIFY(!h->core().emailLogin().tosRequired(*h->account(a->id)));
    }
};

QTEST_GUILESS_MAIN(TestEmailLoginService)
#include "tst_emailloginservice.moc"
