// ApprovalService driven directly (no HTTP): the queue of verified signups, approval (active,
// audited, welcome mail queued), rejection (the signup is gone, with its reason audited), and
// the states in which neither is possible.

#include "coreharness.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestApprovalService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const Actor kConsole{u"console"_s};

    // A signup whose address is verified: waiting for approval.
    QString verified(const QString &name)
    {
        const auto s = h->signUp(name);
        if (!s || !h->core().verification().confirm(s->confirmToken))
            return {};
        return s->userId;
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.returnConfirmToken = true; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void listsByState()
    {
        const QString anna = verified(u"anna"_s);
        QVERIFY(!anna.isEmpty());
        const auto ben = h->signUp(u"ben"_s);
        QVERIFY(ben);
        const auto ids = [&](SignupFilter f) {
            QStringList out;
            for (const Account &a : h->core().approval().list(f).value_or(QList<Account>{}))
                out << a.id;
            out.sort();
            return out;
        };
        QCOMPARE(ids(SignupFilter::PendingApproval), QStringList{anna});
        QCOMPARE(ids(SignupFilter::PendingVerification), QStringList{ben->userId});
        QStringList both{anna, ben->userId};
        both.sort();
        QCOMPARE(ids(SignupFilter::All), both);
    }

    void approveActivates()
    {
        const QString id = verified(u"anna"_s);
        QVERIFY(!id.isEmpty());
        auto r = h->core().approval().approve(id, kConsole);
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(toString(r->status), toString(AccountStatus::Active));
        QCOMPARE(toString(h->account(id)->status), toString(AccountStatus::Active));
        QVERIFY(h->auditActions(id).contains(u"signup.approved"_s));
        QCOMPARE(h->mails(u"welcome"_s, id).size(), h->core().liveSettings()->mailWelcome ? 1 : 0);
        auto again = h->core().approval().approve(id, kConsole);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
    }

    void unverifiedOrUnknownCannotBeApproved()
    {
        const auto s = h->signUp(u"anna"_s);
        QVERIFY(s);
        auto r = h->core().approval().approve(s->userId, kConsole);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Conflict);
        QCOMPARE(toString(h->account(s->userId)->status),
                 toString(AccountStatus::PendingVerification));
        auto unknown = h->core().approval().approve(u"usr_nobody"_s, kConsole);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
    }

    void rejectRemovesTheSignup()
    {
        const QString id = verified(u"anna"_s);
        QVERIFY(!id.isEmpty());
        auto empty = h->core().approval().reject(id, u"  "_s, kConsole);
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, ErrorCode::Validation);
        QVERIFY(h->account(id));

        QVERIFY(h->core().approval().reject(id, u"Not one of ours."_s, kConsole));
        QVERIFY(!h->account(id));
        QVERIFY(h->auditActions(id).contains(u"signup.rejected"_s));
        auto again = h->core().approval().reject(id, u"Again."_s, kConsole);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::NotFound);
    }

    void superusersAreNoSignups()
    {
        auto root = h->core().signup().createSuperuser(u"root"_s, u"root@example.com"_s,
                                                       u"correct battery staple horse"_s, kConsole);
        QVERIFY(root);
        auto r = h->core().approval().reject(root->id, u"No."_s, kConsole);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::NotFound);
        QVERIFY(h->account(root->id));
    }
};

QTEST_GUILESS_MAIN(TestApprovalService)
#include "tst_approvalservice.moc"
