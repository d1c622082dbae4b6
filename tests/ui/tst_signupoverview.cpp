// Core's read models and admin operations for the console (server/core/console), on SQLite
// with a fake clock: token and email state per signup, the timeline, mark verified, revoke,
// resend, each a guarded transaction with its audit entry.

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "console/signupadminservice.h"
#include "console/signupoverview.h"
#include "coreservices.h"
#include "outbox.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {
const Actor kConsole{u"console"_s};
}

class TestSignupOverview : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Config m_config;
    FakeClock m_clock;
    std::unique_ptr<sd::store::Database> m_db;
    std::unique_ptr<CoreServices> m_core;

    void open(bool approvalRequired = true)
    {
        m_core.reset();
        m_db.reset();
        m_config = *loadConfig({});
        m_config.password = {64, 1, 1};
        m_config.rateLimitEnabled = false;
        m_config.approvalRequired = approvalRequired;
        m_config.returnConfirmToken = true;
        static int n = 0;
        m_db = std::make_unique<sd::store::Database>(
            *sd::store::DatabaseUrl::parse(u"sqlite:"_s + m_dir.filePath(u"t%1.db"_s.arg(++n))));
        auto core = CoreServices::create(m_config, *m_db, m_clock);
        QVERIFY2(core, core ? "" : qPrintable(core.error().detail)); // error() only on failure
        m_core = std::move(*core);
        m_core->setPublicUrl(u"http://127.0.0.1:1"_s);
    }

    SignupResult signUp(const QString &name)
    {
        SignupInput input;
        input.username = name;
        input.password = u"correct battery staple horse"_s;
        input.email = name + u"@example.com"_s;
        auto r = m_core->signup().signUp(input, {u"203.0.113.9"_s});
        if (!r)
            qWarning("signUp: %s", qPrintable(r.error().detail));
        return r.value_or(SignupResult{});
    }

    SignupOverviewRow rowOf(const QString &id)
    {
        auto r = m_core->signupOverview().find(id);
        if (!r || !*r) {
            qWarning("no overview row for %s", qPrintable(id));
            return {};
        }
        return **r;
    }

    QStringList audit(const QString &id)
    {
        QStringList out;
        auto db = m_db->connection();
        for (const AuditEntry &e : auditlog::list(*db, id).value_or(QList<AuditEntry>{}))
            out << e.actor + u' ' + e.action;
        return out;
    }

private slots:
    void init() { open(); }

    void listsSignupsWithTokenAndMailState()
    {
        const auto alice = signUp(u"alice"_s);
        m_clock.advanceSeconds(10);
        const auto bob = signUp(u"bob"_s);
        QVERIFY(m_core->signup().createSuperuser(u"root"_s, u"root@example.com"_s,
                                                 u"correct battery staple horse"_s, kConsole));
        auto rows = m_core->signupOverview().list();
        QVERIFY(rows);
        QCOMPARE(rows->size(), 2); // never the super-user
        QCOMPARE(rows->at(0).account.username, u"alice"_s);
        QCOMPARE(toString(rows->at(0).tokenState), toString(TokenState::Issued));
        QCOMPARE(rows->at(0).tokenExpiresAt,
                 rows->at(0).tokenCreatedAt + m_config.verificationTtlSeconds * 1000);
        QCOMPARE(rows->at(0).mailStatus, u"queued"_s);
        QCOMPARE(rows->at(0).mailKind, u"verification"_s);
        QCOMPARE(rows->at(0).account.remoteIp, u"203.0.113.9"_s);

        QVERIFY(m_core->verification().confirm(bob.confirmToken));
        const auto b = rowOf(bob.userId);
        QCOMPARE(toString(b.account.status), toString(AccountStatus::PendingApproval));
        QCOMPARE(toString(b.tokenState), toString(TokenState::Used));
        auto pending = m_core->signupOverview().list(SignupFilter::PendingApproval);
        QCOMPARE(pending->size(), 1);

        m_clock.advanceSeconds(m_config.verificationTtlSeconds);
        QCOMPARE(toString(rowOf(alice.userId).tokenState), toString(TokenState::Expired));
        QCOMPARE(m_core->signupOverview().find(u"usr_nobody"_s).value(), std::nullopt);
    }

    void tokenStateOrder()
    {
        TokenRow t;
        QCOMPARE(toString(tokenStateAt(t, 0)), toString(TokenState::None));
        t.id = u"tok"_s;
        t.expiresAt = 100;
        QCOMPARE(toString(tokenStateAt(t, 99)), toString(TokenState::Issued));
        QCOMPARE(toString(tokenStateAt(t, 100)), toString(TokenState::Expired));
        t.revokedAt = 50;
        QCOMPARE(toString(tokenStateAt(t, 200)), toString(TokenState::Revoked));
        t.burnedAt = 60;
        QCOMPARE(toString(tokenStateAt(t, 200)), toString(TokenState::Burned));
        t.usedAt = 70;
        QCOMPARE(toString(tokenStateAt(t, 200)), toString(TokenState::Used));
    }

    void markVerifiedByAdmin()
    {
        const auto carol = signUp(u"carol"_s);
        SignupAdminService admin = m_core->signupAdmin();
        QCOMPARE(admin.markVerified(carol.userId, u"  "_s, kConsole).error().code,
                 ErrorCode::Validation);
        QCOMPARE(admin.markVerified(u"usr_nobody"_s, u"phone"_s, kConsole).error().code,
                 ErrorCode::NotFound);
        auto done = admin.markVerified(carol.userId, u"Confirmed by phone."_s, kConsole);
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(AccountStatus::PendingApproval));
        const auto row = rowOf(carol.userId);
        QVERIFY(row.account.verifiedEmail);
        QCOMPARE(toString(row.tokenState), toString(TokenState::Revoked));
        QVERIFY(audit(carol.userId).contains(u"console email.verified_by_admin"_s));
        QCOMPARE(admin.markVerified(carol.userId, u"again"_s, kConsole).error().code,
                 ErrorCode::Conflict);
        // The user's own token no longer works.
        QVERIFY(!m_core->verification().confirm(carol.confirmToken));
    }

    void markVerifiedWithoutApprovalActivates()
    {
        open(/*approvalRequired=*/false);
        const auto dan = signUp(u"dan"_s);
        m_clock.advanceSeconds(1); // "newest email" goes by time; ids are random
        auto done = m_core->signupAdmin().markVerified(dan.userId, u"known"_s, kConsole);
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(AccountStatus::Active));
        QCOMPARE(rowOf(dan.userId).mailKind, u"welcome"_s);
    }

    void revokeAndResend()
    {
        const auto eve = signUp(u"eve"_s);
        SignupAdminService admin = m_core->signupAdmin();
        QCOMPARE(admin.revokeVerification(eve.userId, kConsole).value_or(-1), 1);
        QCOMPARE(toString(rowOf(eve.userId).tokenState), toString(TokenState::Revoked));
        QCOMPARE(admin.revokeVerification(eve.userId, kConsole).error().code, ErrorCode::Conflict);
        QVERIFY(!m_core->verification().confirm(eve.confirmToken));

        m_clock.advanceSeconds(5);
        QVERIFY(admin.resendVerification(eve.userId, kConsole));
        const auto row = rowOf(eve.userId);
        QCOMPARE(toString(row.tokenState), toString(TokenState::Issued));
        QCOMPARE(row.mailKind, u"verification"_s);
        QCOMPARE(row.mailCreatedAt, m_clock.nowMs());
        QCOMPARE(
            audit(eve.userId).filter(u"console "_s),
            (QStringList{u"console verification.revoked"_s, u"console verification.resent"_s}));
        QVERIFY(admin.markVerified(eve.userId, u"ok"_s, kConsole));
        QCOMPARE(admin.resendVerification(eve.userId, kConsole).error().code, ErrorCode::Conflict);
        QCOMPARE(admin.resendVerification(u"usr_nobody"_s, kConsole).error().code,
                 ErrorCode::NotFound);
    }

    // list() reads the three tables flat and picks each account's newest token and email itself;
    // find() does it in SQL. Both must say the same, row by row, in the same order.
    void listAgreesWithFindRowByRow()
    {
        SignupAdminService admin = m_core->signupAdmin();
        const auto plain = signUp(u"gus"_s);
        m_clock.advanceSeconds(1);
        const auto confirmed = signUp(u"hal"_s);
        m_clock.advanceSeconds(1);
        QVERIFY(m_core->verification().confirm(confirmed.confirmToken));
        const auto resent = signUp(u"ida"_s);
        m_clock.advanceSeconds(1);
        QVERIFY(admin.revokeVerification(resent.userId, kConsole));
        QVERIFY(admin.resendVerification(resent.userId, kConsole)); // a second token and email
        QVERIFY(admin.resendVerification(resent.userId, kConsole)); // a third, the same millisecond
        m_clock.advanceSeconds(1);
        const auto approved = signUp(u"jan"_s);
        m_clock.advanceSeconds(1);
        QVERIFY(m_core->verification().confirm(approved.confirmToken));
        QVERIFY(m_core->approval().approve(approved.userId, kConsole)); // newest email: welcome
        QVERIFY(m_core->signup().createSuperuser(u"root"_s, u"root@example.com"_s,
                                                 u"correct battery staple horse"_s, kConsole));
        m_clock.advanceSeconds(m_config.verificationTtlSeconds / 2);

        const auto same = [](const SignupOverviewRow &a, const SignupOverviewRow &b) {
            QCOMPARE(a.account.id, b.account.id);
            QCOMPARE(a.account.username, b.account.username);
            QCOMPARE(a.account.email, b.account.email);
            QCOMPARE(a.account.displayName, b.account.displayName);
            QCOMPARE(toString(a.account.status), toString(b.account.status));
            QCOMPARE(a.account.verifiedEmail, b.account.verifiedEmail);
            QCOMPARE(a.account.apps, b.account.apps);
            QCOMPARE(a.account.groups, b.account.groups);
            QCOMPARE(a.account.language, b.account.language);
            QCOMPARE(a.account.signUpTimeMs, b.account.signUpTimeMs);
            QCOMPARE(a.account.remoteIp, b.account.remoteIp);
            QCOMPARE(a.account.remoteAddr, b.account.remoteAddr);
            QCOMPARE(toString(a.tokenState), toString(b.tokenState));
            QCOMPARE(a.tokenCreatedAt, b.tokenCreatedAt);
            QCOMPARE(a.tokenExpiresAt, b.tokenExpiresAt);
            QCOMPARE(a.codeAttempts, b.codeAttempts);
            QCOMPARE(a.mailId, b.mailId);
            QCOMPARE(a.mailKind, b.mailKind);
            QCOMPARE(a.mailStatus, b.mailStatus);
            QCOMPARE(a.mailAttempts, b.mailAttempts);
            QCOMPARE(a.mailLastError, b.mailLastError);
            QCOMPARE(a.mailServerReply, b.mailServerReply);
            QCOMPARE(a.mailCreatedAt, b.mailCreatedAt);
            QCOMPARE(a.mailSentAt, b.mailSentAt);
        };
        const SignupOverview overview = m_core->signupOverview();
        auto all = overview.list();
        QVERIFY(all);
        QStringList order;
        for (const SignupOverviewRow &r : std::as_const(*all)) {
            order << r.account.username;
            same(r, rowOf(r.account.id));
            if (QTest::currentTestFailed())
                return;
        }
        QCOMPARE(order, (QStringList{u"gus"_s, u"hal"_s, u"ida"_s, u"jan"_s}));
        QCOMPARE(all->at(1).mailKind, u"verification"_s);
        // ida's last two tokens share a millisecond: which is "newest" goes by id (random), the
        // same way in both; the older of them was revoked by the newer one's issue.
        QVERIFY(all->at(2).tokenState == TokenState::Issued ||
                all->at(2).tokenState == TokenState::Revoked);
        QCOMPARE(all->at(3).mailKind, u"welcome"_s);
        QCOMPARE(toString(all->at(3).tokenState), toString(TokenState::Used));
        QCOMPARE(toString(all->at(0).tokenState), toString(TokenState::Issued));
        QVERIFY(plain.userId == all->at(0).account.id);

        auto pending = overview.list(SignupFilter::PendingVerification);
        QVERIFY(pending);
        QCOMPARE(pending->size(), 2);
        for (const SignupOverviewRow &r : std::as_const(*pending))
            same(r, rowOf(r.account.id));

        // The console's first screenful: list()'s first rows among the statuses asked for.
        auto first = overview.listFirst({}, 2);
        QVERIFY(first);
        QCOMPARE(first->size(), 2);
        same(first->at(0), all->at(0));
        same(first->at(1), all->at(1));
        auto firstPending =
            overview.listFirst({AccountStatus::PendingApproval, AccountStatus::Active}, 10);
        QVERIFY(firstPending);
        QCOMPARE(firstPending->size(), 2);
        same(firstPending->at(0), all->at(1)); // hal
        same(firstPending->at(1), all->at(3)); // jan
        QCOMPARE(overview.listFirst({AccountStatus::Disabled}, 10)->size(), 0);
    }

    void timelineMergesByTime()
    {
        const auto fay = signUp(u"fay"_s);
        m_clock.advanceSeconds(60);
        QVERIFY(m_core->verification().confirm(fay.confirmToken));
        m_clock.advanceSeconds(60);
        QVERIFY(m_core->approval().approve(fay.userId, kConsole));
        auto timeline = m_core->signupOverview().timeline(fay.userId);
        QVERIFY(timeline);
        QStringList actions;
        qint64 last = 0;
        for (const TimelineEntry &e : std::as_const(*timeline)) {
            QVERIFY(e.atMs >= last);
            last = e.atMs;
            actions << e.action;
        }
        const QStringList expectedOrder = {u"signup.created"_s, u"mail.queued"_s,
                                           u"email.verified"_s, u"signup.approved"_s};
        qsizetype at = -1;
        for (const QString &a : expectedOrder) {
            const qsizetype next = actions.indexOf(a, at + 1);
            QVERIFY2(next > at, qPrintable(a + u" out of order in "_s + actions.join(u", "_s)));
            at = next;
        }
        QVERIFY(actions.contains(u"token.issued"_s));
        QVERIFY(actions.contains(u"token.used"_s));
    }
};

QTEST_GUILESS_MAIN(TestSignupOverview)
#include "tst_signupoverview.moc"
