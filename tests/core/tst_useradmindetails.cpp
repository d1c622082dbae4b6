// UserAdminService as the console's page per user uses it, driven directly (no HTTP), fake
// clock, real SQLite file: one account's details (password set, last login, live sessions,
// linked sign-ins, never the hash), the list's groups and last login, the display name by the
// one name rule, and ending one session as an administrator (audited with the admin as actor).

#include "coreharness.h"

#include "audit/auditlog.h"

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestUserAdminDetails : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const QString kPassword = u"correct battery staple horse"_s;
    const Actor kAdmin{u"console:alice"_s};

    QString login(const QString &name, const QString &agent)
    {
        auto r = h->core().sessions().login(name, kPassword, {u"192.0.2.7"_s, agent});
        if (!r) {
            qWarning("login: %s", qPrintable(r.error().detail));
            return {};
        }
        return r->ust;
    }
    QString sessionId(const QString &ust)
    {
        auto check = h->core().sessions().check(ust);
        return check ? check->tokenId : QString();
    }
    // The actors of the audit entries about `userId` with this action.
    QStringList actorsOf(const QString &userId, const QString &action)
    {
        QStringList out;
        auto db = h->database().connection();
        if (!db)
            return out;
        if (auto entries = auditlog::list(*db, userId))
            for (const auto &e : *entries)
                if (e.action == action)
                    out << e.actor;
        return out;
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.approvalRequired = false; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void detailsOfOneAccount()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto before = h->core().userAdmin().details(a->id);
        QVERIFY(before);
        QCOMPARE(before->account.id, a->id);
        QCOMPARE(before->account.username, u"anna"_s);
        QVERIFY(before->hasPassword);
        QVERIFY(before->account.passwordHash.isEmpty()); // never handed to the console
        QVERIFY(before->account.verifiedEmail);
        QCOMPARE(before->lastLoginMs, 0);
        QVERIFY(before->sessions.isEmpty());
        QVERIFY(before->identities.isEmpty());

        h->clock().advanceMs(60'000);
        const QString phone = login(u"anna"_s, u"Phone"_s);
        h->clock().advanceMs(1000);
        const QString laptop = login(u"anna"_s, u"Laptop"_s);
        QVERIFY(!phone.isEmpty() && !laptop.isEmpty());
        auto after = h->core().userAdmin().details(a->id);
        QVERIFY(after);
        QCOMPARE(after->lastLoginMs, h->clock().nowMs());
        QCOMPARE(after->sessions.size(), 2);
        QCOMPARE(after->sessions.at(0).userAgent, u"Laptop"_s); // newest first
        QCOMPARE(after->sessions.at(1).id, sessionId(phone));
        for (const SessionInfo &s : after->sessions) {
            QVERIFY(!s.current);                      // the admin has none of them
            QVERIFY(s.id != phone && s.id != laptop); // never the token
        }

        auto missing = h->core().userAdmin().details(u"usr_missing"_s);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
    }

    void listShowsGroupsAndLastLogin()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        {
            auto db = h->database().connection();
            QVERIFY(db);
            QVERIFY(accountstore::setGroups(*db, a->id, {u"staff"_s, u"beta"_s}));
        }
        h->clock().advanceMs(5000);
        QVERIFY(!login(u"anna"_s, u"x"_s).isEmpty());
        auto rows = h->core().userAdmin().list();
        QVERIFY(rows);
        const auto it = std::find_if(rows->cbegin(), rows->cend(),
                                     [&](const UserRow &r) { return r.id == a->id; });
        QVERIFY(it != rows->cend());
        QCOMPARE(it->groups, (QStringList{u"staff"_s, u"beta"_s}));
        QCOMPARE(it->lastLoginMs, h->clock().nowMs());
    }

    void displayNameByTheNameRule()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto set = h->core().userAdmin().setDisplayName(a->id, u"  Anna Łukasz  "_s, kAdmin);
        QVERIFY(set);
        QCOMPARE(*set, u"Anna Łukasz"_s);
        QCOMPARE(h->core().userAdmin().details(a->id)->account.displayName, u"Anna Łukasz"_s);
        QCOMPARE(actorsOf(a->id, u"user.display_name_changed"_s), QStringList{kAdmin.name});

        // A bidi override is refused with the field's reason, and nothing changes.
        auto bad = h->core().userAdmin().setDisplayName(a->id, u"evil\u202Eeman"_s, kAdmin);
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::Validation);
        QCOMPARE(bad.error().fields.value(u"display_name"_s), QStringList{u"invalid_characters"_s});
        auto tooLong = h->core().userAdmin().setDisplayName(a->id, QString(200, u'x'), kAdmin);
        QCOMPARE(tooLong.error().fields.value(u"display_name"_s), QStringList{u"too_long"_s});
        QCOMPARE(h->core().userAdmin().details(a->id)->account.displayName, u"Anna Łukasz"_s);
        QCOMPARE(actorsOf(a->id, u"user.display_name_changed"_s).size(), 1);

        // Empty clears it; an unknown account is NotFound and audits nothing.
        QCOMPARE(*h->core().userAdmin().setDisplayName(a->id, {}, kAdmin), QString());
        auto unknown = h->core().userAdmin().setDisplayName(u"usr_missing"_s, u"x"_s, kAdmin);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QVERIFY(actorsOf(u"usr_missing"_s, u"user.display_name_changed"_s).isEmpty());
    }

    void endOneSessionAsAdmin()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"bert"_s);
        QVERIFY(a && b);
        const QString phone = login(u"anna"_s, u"Phone"_s);
        const QString laptop = login(u"anna"_s, u"Laptop"_s);
        const QString bert = login(u"bert"_s, u"Bert"_s);
        QVERIFY(h->core().sessions().check(phone)); // now cached

        // Another account's session id through anna's page: NotFound, and it lives on.
        auto wrong = h->core().userAdmin().endSession(a->id, sessionId(bert), kAdmin);
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::NotFound);
        QVERIFY(h->core().sessions().check(bert));

        QVERIFY(h->core().userAdmin().endSession(a->id, sessionId(phone), kAdmin));
        QCOMPARE(h->core().sessions().check(phone).error().code, ErrorCode::Unauthorized);
        QVERIFY(h->core().sessions().check(laptop));
        QCOMPARE(actorsOf(a->id, u"session.ended"_s), QStringList{kAdmin.name});
        QCOMPARE(h->core().userAdmin().details(a->id)->sessions.size(), 1);

        // End all: the remaining one ends too.
        QCOMPARE(*h->core().userAdmin().revokeSessions(a->id, kAdmin), 1);
        QCOMPARE(h->core().sessions().check(laptop).error().code, ErrorCode::Unauthorized);
        QVERIFY(h->core().userAdmin().details(a->id)->sessions.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestUserAdminDetails)
#include "tst_useradmindetails.moc"
