// SettingsService driven directly (no HTTP): a change is stored, audited and applied at once;
// another instance over the same database picks it up on refresh; a bad value changes nothing;
// the panic switches speak their own audit actions.

#include "coreharness.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestSettingsService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const Actor kConsole{u"console"_s};

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void changeIsStoredAuditedAndShared()
    {
        QVERIFY(h->core().liveSettings()->signupEnabled);
        auto other = CoreServices::create(h->config(), h->database(), h->clock());
        QVERIFY(other);

        auto r = h->core().settings().change({{u"signup/enabled"_s, u"false"_s}}, kConsole);
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(!r->signupEnabled);
        QVERIFY(!h->core().liveSettings()->signupEnabled);
        QVERIFY(h->auditActions().contains(u"settings.changed"_s));

        QVERIFY((*other)->liveSettings()->signupEnabled); // until it refreshes
        auto refreshed = (*other)->settings().refresh();
        QVERIFY(refreshed);
        QVERIFY(*refreshed);
        QVERIFY(!(*other)->liveSettings()->signupEnabled);
        QCOMPARE((*other)->settings().refresh().value_or(true), false); // nothing new
    }

    void badValueChangesNothing()
    {
        auto r = h->core().settings().change({{u"signup/enabled"_s, u"maybe"_s}}, kConsole);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Validation);
        QVERIFY(h->core().liveSettings()->signupEnabled);
        QVERIFY(!h->auditActions().contains(u"settings.changed"_s));
    }

    void sameValueWritesNothing()
    {
        auto r = h->core().settings().change({{u"signup/enabled"_s, u"true"_s}}, kConsole);
        QVERIFY(r);
        QVERIFY(h->auditActions().isEmpty());
    }

    void panicSwitches()
    {
        // A second apart each, so the audit log's order is theirs.
        QVERIFY(h->core().settings().setSignupOpen(false, kConsole));
        h->clock().advanceSeconds(1);
        QVERIFY(h->core().settings().setApprovalRequired(false, kConsole));
        QVERIFY(!h->core().liveSettings()->signupEnabled);
        QVERIFY(!h->core().liveSettings()->approvalRequired);
        h->clock().advanceSeconds(1);
        QVERIFY(h->core().settings().setSignupOpen(true, kConsole));
        h->clock().advanceSeconds(1);
        QVERIFY(h->core().settings().setApprovalRequired(true, kConsole));
        QCOMPARE(h->auditActions(), (QStringList{u"signup.closed"_s, u"approval.relaxed"_s,
                                                 u"signup.reopened"_s, u"approval.forced"_s}));
    }
};

QTEST_GUILESS_MAIN(TestSettingsService)
#include "tst_settingsservice.moc"
