// VerificationService driven directly (no HTTP), fake clock: the confirm token, the emailed
// token and code, the signed link, expiry, single use, and the code's attempt cap.

#include "coreharness.h"

#include "accounts/tokenstore.h"
#include "flows/verification/verificationservice.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestVerificationService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;

    // A pending signup and a fresh verification for it, the signup's own revoked (two live
    // tokens of one instant would leave which one a code is checked against to chance).
    std::pair<Account, IssuedVerification> pending(const QString &name)
    {
        const auto s = h->signUp(name);
        if (!s)
            return {};
        const auto a = h->account(s->userId);
        auto db = h->database().connection();
        if (!a || !db)
            return {};
        if (!tokenstore::revokeAll(*db, a->id, TokenKind::Verification, h->clock().nowMs()))
            return {};
        auto issued = h->core().verification().issue(*db, *a);
        if (!issued)
            return {};
        return {*a, *issued};
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.returnConfirmToken = true; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void confirmTokenVerifiesOnce()
    {
        const auto s = h->signUp(u"anna"_s);
        QVERIFY(s);
        auto r = h->core().verification().confirm(s->confirmToken);
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(r->userId, s->userId);
        QVERIFY(r->approvalPending);
        const auto a = h->account(s->userId);
        QCOMPARE(toString(a->status), toString(AccountStatus::PendingApproval));
        QVERIFY(a->verifiedEmail);
        QVERIFY(h->auditActions(s->userId).contains(u"email.verified"_s));
        auto again = h->core().verification().confirm(s->confirmToken);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidToken);
    }

    void withoutApprovalTheAccountIsActive()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.returnConfirmToken = true;
            c.approvalRequired = false;
        });
        QVERIFY(h->ok());
        const auto s = h->signUp(u"anna"_s);
        QVERIFY(s);
        auto r = h->core().verification().confirm(s->confirmToken);
        QVERIFY(r);
        QVERIFY(!r->approvalPending);
        QCOMPARE(toString(h->account(s->userId)->status), toString(AccountStatus::Active));
    }

    void emailedTokenVerifies()
    {
        const auto s = h->signUp(u"anna"_s);
        QVERIFY(s);
        const auto mails = h->mails(u"verification"_s, s->userId);
        QCOMPARE(mails.size(), 1);
        const QString token = CoreHarness::tokenIn(mails.first());
        QVERIFY(!token.isEmpty());
        const auto state = [&](const QString &t) {
            auto r = h->core().verification().inspectToken(u"anna@example.com"_s, t);
            return r ? *r : VerificationService::TokenState::Invalid;
        };
        QCOMPARE(state(token), VerificationService::TokenState::Live);
        auto r = h->core().verification().verifyToken(u"anna@example.com"_s, token);
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(r->id, s->userId);
        QVERIFY(r->verifiedEmail);
        QCOMPARE(state(token), VerificationService::TokenState::Spent);
        QCOMPARE(
            h->core().verification().inspectToken(u"anna@example.com"_s, u"nonsense"_s).value(),
            VerificationService::TokenState::Invalid);
    }

    void tokenExpiresWithTheTtl()
    {
        const auto [account, issued] = pending(u"anna"_s);
        QVERIFY(!issued.token.isEmpty());
        const auto ttl = h->core().liveSettings()->verificationTtlSeconds;
        QVERIFY(ttl > 0);
        h->clock().advanceSeconds(ttl + 1);
        auto r = h->core().verification().verifyToken(account.email, issued.token);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidVerification);
        QCOMPARE(toString(h->account(account.id)->status),
                 toString(AccountStatus::PendingVerification));
    }

    void codeVerifiesWithinTheTtl()
    {
        const auto [account, issued] = pending(u"anna"_s);
        QCOMPARE(issued.code.size(), 6);
        h->clock().advanceSeconds(60);
        auto r = h->core().verification().verifyCode(account.email, issued.code);
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(h->account(account.id)->verifiedEmail);
    }

    void wrongCodesBurnTheToken()
    {
        const auto [account, issued] = pending(u"anna"_s);
        const QString wrong = issued.code == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < VerificationService::kMaxCodeAttempts; ++i) {
            auto r = h->core().verification().verifyCode(account.email, wrong);
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::InvalidVerification);
        }
        QVERIFY(h->auditActions(account.id).contains(u"token.burned"_s));
        auto right = h->core().verification().verifyCode(account.email, issued.code);
        QVERIFY(!right);
        QCOMPARE(right.error().code, ErrorCode::InvalidVerification);
        QVERIFY(!h->account(account.id)->verifiedEmail);
    }

    // The burn and its audit row are one transaction: without the row, no burn is stored.
    // (The count of wrong codes is written after the answer, issue 18 item 5; this instance
    // also keeps it in memory, so its own next submission is refused either way.)
    void burnWithoutItsAuditRowIsRolledBack()
    {
        const auto [account, issued] = pending(u"anna"_s);
        QVERIFY(h->refuseAudit(u"token.burned"_s));
        const QString wrong = issued.code == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < VerificationService::kMaxCodeAttempts; ++i)
            QCOMPARE(h->core().verification().verifyCode(account.email, wrong).error().code,
                     ErrorCode::InvalidVerification);
        QVERIFY(!h->auditActions(account.id).contains(u"token.burned"_s)); // waits for the writes
        auto db = h->database().connection();
        QVERIFY(db);
        auto q = sd::store::runQuery(
            *db,
            u"SELECT code_attempts, burned_at FROM tokens WHERE user_id = ? AND kind = ?"
            " AND revoked_at IS NULL"_s,
            {account.id, u"verification"_s});
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toInt(), VerificationService::kMaxCodeAttempts - 1);
        QVERIFY(q->value(1).isNull());
    }

    void signedLinkVerifiesAndExpires()
    {
        const auto [account, issued] = pending(u"anna"_s);
        Q_UNUSED(issued);
        const qint64 ts = h->clock().nowMs() / 1000;
        const QString signature = h->core().verification().signatureFor(account, ts);
        auto forged = h->core().verification().verifySigned(account.id, ts + 1, signature);
        QVERIFY(!forged);
        QCOMPARE(forged.error().code, ErrorCode::InvalidSignature);

        h->clock().advanceSeconds(h->core().liveSettings()->verificationTtlSeconds + 1);
        auto late = h->core().verification().verifySigned(account.id, ts, signature);
        QVERIFY(!late);
        QCOMPARE(late.error().code, ErrorCode::InvalidSignature);

        const qint64 now = h->clock().nowMs() / 1000;
        auto r = h->core().verification().verifySigned(
            account.id, now, h->core().verification().signatureFor(account, now));
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(h->account(account.id)->verifiedEmail);
    }
};

QTEST_GUILESS_MAIN(TestVerificationService)
#include "tst_verificationservice.moc"
