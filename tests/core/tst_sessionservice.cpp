// SessionService driven directly (no HTTP), fake clock: login by username or email, the
// session check, logout, expiry, refusal of accounts that may not log in, and the audit rows
// of failed logins and the brute-force lockout.

#include "coreharness.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestSessionService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const QString kPassword = u"correct battery staple horse"_s;

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void loginStartsASession()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        for (const QString &identifier : {u"anna"_s, u"anna@example.com"_s}) {
            auto r = h->core().sessions().login(identifier, kPassword, {u"192.0.2.1"_s});
            QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
            QCOMPARE(r->account.id, a->id);
            QVERIFY(!r->ust.isEmpty());
            QVERIFY(r->expiresAtMs > h->clock().nowMs());
            auto check = h->core().sessions().check(r->ust);
            QVERIFY(check);
            QCOMPARE(check->account.id, a->id);
        }
        QVERIFY(h->auditActions(a->id).contains(u"login.succeeded"_s));
    }

    void logoutEndsTheSession()
    {
        QVERIFY(h->activeAccount(u"anna"_s));
        auto r = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(r);
        QVERIFY(h->core().sessions().logout(r->ust));
        auto check = h->core().sessions().check(r->ust);
        QVERIFY(!check);
        QCOMPARE(check.error().code, ErrorCode::Unauthorized);
    }

    void sessionExpires()
    {
        QVERIFY(h->activeAccount(u"anna"_s));
        auto r = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(r);
        h->clock().advanceMs(r->expiresAtMs - h->clock().nowMs() + 1000);
        auto check = h->core().sessions().check(r->ust);
        QVERIFY(!check);
        QCOMPARE(check.error().code, ErrorCode::Unauthorized);
    }

    void wrongPasswordIsAuditedAndRefused()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto r =
            h->core().sessions().login(u"anna"_s, u"not the password at all"_s, {u"192.0.2.7"_s});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidCredentials);
        QVERIFY(h->auditActions(a->id).contains(u"login.failed"_s));
        auto unknown = h->core().sessions().login(u"nobody"_s, kPassword, {});
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, ErrorCode::InvalidCredentials); // the same answer
    }

    // A failed login that cannot be audited is not answered as an ordinary failure.
    void failedLoginWithoutItsAuditRowIsUnavailable()
    {
        QVERIFY(h->activeAccount(u"anna"_s));
        QVERIFY(h->refuseAudit(u"login.failed"_s));
        auto r = h->core().sessions().login(u"anna"_s, u"not the password at all"_s, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Unavailable);
    }

    void onlyActiveAccountsLogIn()
    {
        const auto s = h->signUp(u"ben"_s);
        QVERIFY(s);
        auto r = h->core().sessions().login(u"ben"_s, kPassword, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::NotVerified);
    }

    void repeatedFailuresLockTheIdentifierOut()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.rateLimitEnabled = true;
            c.lockoutEnabled = true;
            c.lockoutFailures = 3;
            c.loginFailuresPerWindow = 1000; // the lockout, not the window limit, is under test
        });
        QVERIFY(h->ok());
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        bool locked = false;
        int attempts = 0;
        while (!locked && attempts < 10) {
            h->clock().advanceSeconds(5); // slower than a "quick" retry
            auto r = h->core().sessions().login(u"anna"_s,
                                                u"wrong password number %1"_s.arg(++attempts), {});
            QVERIFY(!r);
            locked = h->auditActions(a->id).contains(u"login.lockout"_s);
        }
        QVERIFY(locked);
        QCOMPARE(attempts, 3);
        // While locked, even the right password is refused.
        auto right = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(!right);
    }

    void revokeAllEndsEverySession()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto one = h->core().sessions().login(u"anna"_s, kPassword, {});
        auto two = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(one && two);
        auto n = h->core().sessions().revokeAll(a->id);
        QVERIFY(n);
        QCOMPARE(*n, 2);
        QVERIFY(!h->core().sessions().check(one->ust));
        QVERIFY(!h->core().sessions().check(two->ust));
    }
};

QTEST_GUILESS_MAIN(TestSessionService)
#include "tst_sessionservice.moc"
