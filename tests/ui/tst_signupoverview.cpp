// Core's read models and admin operations for the console (server/core/console), on SQLite
// with a fake clock: token and email state per signup, the timeline, mark verified, revoke,
// resend, each a guarded transaction with its audit entry.

#include "accounts/accountstore.h"
#include "audit/auditlog.h"
#include "console/signupadminservice.h"
#include "console/signupoverview.h"
#include "coreservices.h"
#include "mail/outbox.h"

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
        QVERIFY2(core, qPrintable(core.error().detail));
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
        auto r = SignupOverview(m_core->context()).find(id);
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
        auto rows = SignupOverview(m_core->context()).list();
        QVERIFY(rows);
        QCOMPARE(rows->size(), 2); // never the super-user
        QCOMPARE(rows->at(0).account.username, u"alice"_s);
        QCOMPARE(toString(rows->at(0).tokenState), toString(TokenState::Issued));
        QCOMPARE(rows->at(0).tokenExpiresAt, rows->at(0).tokenCreatedAt + m_config.verificationTtlSeconds * 1000);
        QCOMPARE(rows->at(0).mailStatus, u"queued"_s);
        QCOMPARE(rows->at(0).mailKind, u"verification"_s);
        QCOMPARE(rows->at(0).account.remoteIp, u"203.0.113.9"_s);

        QVERIFY(m_core->verification().confirm(bob.confirmToken));
        const auto b = rowOf(bob.userId);
        QCOMPARE(toString(b.account.status), toString(AccountStatus::PendingApproval));
        QCOMPARE(toString(b.tokenState), toString(TokenState::Used));
        auto pending = SignupOverview(m_core->context()).list(SignupFilter::PendingApproval);
        QCOMPARE(pending->size(), 1);

        m_clock.advanceSeconds(m_config.verificationTtlSeconds);
        QCOMPARE(toString(rowOf(alice.userId).tokenState), toString(TokenState::Expired));
        QCOMPARE(SignupOverview(m_core->context()).find(u"usr_nobody"_s).value(), std::nullopt);
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
        SignupAdminService admin(m_core->context());
        QCOMPARE(admin.markVerified(carol.userId, u"  "_s, kConsole).error().code, ErrorCode::Validation);
        QCOMPARE(admin.markVerified(u"usr_nobody"_s, u"phone"_s, kConsole).error().code, ErrorCode::NotFound);
        auto done = admin.markVerified(carol.userId, u"Confirmed by phone."_s, kConsole);
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(AccountStatus::PendingApproval));
        const auto row = rowOf(carol.userId);
        QVERIFY(row.account.verifiedEmail);
        QCOMPARE(toString(row.tokenState), toString(TokenState::Revoked));
        QVERIFY(audit(carol.userId).contains(u"console email.verified_by_admin"_s));
        QCOMPARE(admin.markVerified(carol.userId, u"again"_s, kConsole).error().code, ErrorCode::Conflict);
        // The user's own token no longer works.
        QVERIFY(!m_core->verification().confirm(carol.confirmToken));
    }

    void markVerifiedWithoutApprovalActivates()
    {
        open(/*approvalRequired=*/false);
        const auto dan = signUp(u"dan"_s);
        m_clock.advanceSeconds(1); // "newest email" goes by time; ids are random
        auto done = SignupAdminService(m_core->context()).markVerified(dan.userId, u"known"_s, kConsole);
        QVERIFY(done);
        QCOMPARE(toString(done->status), toString(AccountStatus::Active));
        QCOMPARE(rowOf(dan.userId).mailKind, u"welcome"_s);
    }

    void revokeAndResend()
    {
        const auto eve = signUp(u"eve"_s);
        SignupAdminService admin(m_core->context());
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
        QCOMPARE(audit(eve.userId).filter(u"console "_s),
                 (QStringList{u"console verification.revoked"_s, u"console verification.resent"_s}));
        QVERIFY(admin.markVerified(eve.userId, u"ok"_s, kConsole));
        QCOMPARE(admin.resendVerification(eve.userId, kConsole).error().code, ErrorCode::Conflict);
        QCOMPARE(admin.resendVerification(u"usr_nobody"_s, kConsole).error().code, ErrorCode::NotFound);
    }

    void timelineMergesByTime()
    {
        const auto fay = signUp(u"fay"_s);
        m_clock.advanceSeconds(60);
        QVERIFY(m_core->verification().confirm(fay.confirmToken));
        m_clock.advanceSeconds(60);
        QVERIFY(m_core->approval().approve(fay.userId, kConsole));
        auto timeline = SignupOverview(m_core->context()).timeline(fay.userId);
        QVERIFY(timeline);
        QStringList actions;
        qint64 last = 0;
        for (const TimelineEntry &e : std::as_const(*timeline)) {
            QVERIFY(e.atMs >= last);
            last = e.atMs;
            actions << e.action;
        }
        const QStringList expectedOrder = {u"signup.created"_s, u"mail.queued"_s, u"email.verified"_s,
                                           u"signup.approved"_s};
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
