// AccountDeletionService driven directly (no HTTP), fake clock, real SQLite file: deletion by
// the owner (password re-checked and counted as a failed login when wrong) and by an
// administrator (with a reason); everything that names the account goes (sessions, tokens,
// linked identities, link hits, mail, invitations, the details of its audit entries), the
// audit chain stays verifiable, and a goodbye email goes out.

#include "coreharness.h"

#include "audit/auditchain.h"
#include "flows/oauth/oauthstore.h"

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestAccountDeletion : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const QString kPassword = u"correct battery staple horse"_s;

    int count(const QString &sql, const QVariantList &params)
    {
        auto db = h->database().connection();
        if (!db)
            return -1;
        auto q = sd::store::runQuery(*db, sql, params);
        if (!q || !q->next())
            return -1;
        return q->value(0).toInt();
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void wrongPasswordChangesNothingAndCountsAsAFailedLogin()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.rateLimitEnabled = true;
            c.loginFailuresPerWindow = 2;
            c.lockoutEnabled = false;
        });
        QVERIFY(h->ok());
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        for (int i = 0; i < 2; ++i) {
            auto r = h->core().accountDeletion().deleteOwn(a->id, u"wrong password!"_s, {});
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::InvalidCredentials);
        }
        QVERIFY(h->account(a->id));
        QCOMPARE(h->auditActions(a->id).count(u"login.failed"_s), 2);
        // The failures are the username's failed logins: now even the right password waits.
        auto blocked = h->core().accountDeletion().deleteOwn(a->id, kPassword, {});
        QCOMPARE(blocked.error().code, ErrorCode::RateLimited);
        auto login = h->core().sessions().login(u"anna"_s, kPassword, {});
        QCOMPARE(login.error().code, ErrorCode::RateLimited);
        QVERIFY(h->account(a->id));
    }

    void deletionRemovesEverythingThatNamesTheAccount()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"bert"_s);
        QVERIFY(a && b);
        auto session = h->core().sessions().login(u"anna"_s, kPassword, {u"198.51.100.7"_s});
        QVERIFY(session);
        QVERIFY(h->core().sessions().check(session->ust)); // cached
        auto db = h->database().connection();
        QVERIFY(db);
        OAuthIdentityRow identity;
        identity.id = u"oid_1"_s;
        identity.userId = a->id;
        identity.provider = u"github"_s;
        identity.providerUserId = u"42"_s;
        identity.email = a->email;
        identity.createdAt = h->clock().nowMs();
        QVERIFY(oauthstore::insertIdentity(*db, identity));
        QVERIFY(h->core().linkHits().record(u"verification"_s, u"tok"_s, a->id, "GET",
                                            {u"198.51.100.7"_s}, u"Agent/1"_s));
        QVERIFY(auditchain::seal(h->database()));
        QVERIFY(count(u"SELECT count(*) FROM outbox WHERE user_id = ?"_s, {a->id}) > 0);

        QVERIFY(h->core().accountDeletion().deleteOwn(a->id, kPassword, {u"198.51.100.7"_s}));

        QVERIFY(!h->account(a->id));
        QVERIFY(!h->core().sessions().check(session->ust)); // at once, despite the cache
        for (const QString &table :
             {u"tokens"_s, u"oauth_identities"_s, u"link_hits"_s, u"outbox"_s})
            QCOMPARE(count(u"SELECT count(*) FROM %1 WHERE user_id = ?"_s.arg(table), {a->id}), 0);
        // The audit log keeps entries about the id, emptied; only account.deleted says more.
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE (subject_id = ? OR actor = ?)"
                       " AND detail <> '' AND action <> 'account.deleted'"_s,
                       {a->id, QString(u"user:"_s + a->id)}),
                 0);
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE detail LIKE '%198.51.100.7%'"_s, {}),
                 0);
        QVERIFY(h->auditActions(a->id).contains(u"account.deleted"_s));
        // Nothing but the id: no username or address anywhere in the database's audit log.
        QCOMPARE(count(u"SELECT count(*) FROM audit_log WHERE detail LIKE '%anna%'"_s, {}), 0);
        // The other account is untouched.
        QVERIFY(h->account(b->id));
        // The chain still verifies, sealed entries emptied included.
        QVERIFY(auditchain::seal(h->database()));
        auto verified = auditchain::verify(h->database());
        QVERIFY(verified);
        QVERIFY2(verified->intact, qPrintable(verified->problem));
        // A goodbye email, not linked to the deleted id.
        const auto goodbyes = h->mails(u"goodbye"_s);
        QCOMPARE(goodbyes.size(), 1);
        QCOMPARE(goodbyes[0].message.to, a->email);
        QVERIFY(goodbyes[0].userId.isEmpty());
    }

    void emptiedEntryOfALivingAccountBreaksTheChain()
    {
        // Redaction is accepted only for a deleted account: emptying another entry is tampering.
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        QVERIFY(auditchain::seal(h->database()));
        auto db = h->database().connection();
        QVERIFY(db);
        QVERIFY(sd::store::runQuery(
            *db, u"UPDATE audit_log SET detail = '', redacted_at = 1 WHERE subject_id = ?"_s,
            {a->id}));
        auto verified = auditchain::verify(h->database());
        QVERIFY(verified);
        QVERIFY(!verified->intact);
    }

    void adminDeletionNeedsAReasonAndNamesTheAdmin()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const Actor admin{u"admin:usr_boss"_s};
        auto empty = h->core().accountDeletion().deleteByAdmin(a->id, u"  "_s, admin);
        QCOMPARE(empty.error().code, ErrorCode::Validation);
        auto unknown = h->core().accountDeletion().deleteByAdmin(u"usr_nobody"_s, u"spam"_s, admin);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        QVERIFY(h->core().accountDeletion().deleteByAdmin(a->id, u"spam"_s, admin));
        QVERIFY(!h->account(a->id));
        auto db = h->database().connection();
        auto entries = auditlog::list(*db, a->id);
        QVERIFY(entries);
        const auto deleted = std::find_if(entries->cbegin(), entries->cend(), [](const auto &e) {
            return e.action == u"account.deleted"_s;
        });
        QVERIFY(deleted != entries->cend());
        QCOMPARE(deleted->actor, u"admin:usr_boss"_s);
        QCOMPARE(deleted->detail, u"reason=spam"_s);
        auto again = h->core().accountDeletion().deleteByAdmin(a->id, u"spam"_s, admin);
        QCOMPARE(again.error().code, ErrorCode::NotFound);
    }

    void superusersAreNotDeletedHere()
    {
        auto boss = h->core().signup().createSuperuser(u"boss"_s, u"boss@example.com"_s, kPassword,
                                                       {u"cli"_s});
        QVERIFY(boss);
        auto r = h->core().accountDeletion().deleteByAdmin(boss->id, u"x"_s, {u"console"_s});
        QCOMPARE(r.error().code, ErrorCode::Forbidden);
        auto own = h->core().accountDeletion().deleteOwn(boss->id, kPassword, {});
        QCOMPARE(own.error().code, ErrorCode::Forbidden);
        QVERIFY(h->account(boss->id));
    }

    void goodbyeInTheAccountsLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("subject");
        QTest::newRow("en") << u"en"_s << u"Your account was deleted"_s;
        QTest::newRow("fr") << u"fr"_s << u"Votre compte a été supprimé"_s;
        QTest::newRow("de") << u"de"_s << u"Ihr Konto wurde gelöscht"_s;
    }
    void goodbyeInTheAccountsLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QString, subject);
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        auto db = h->database().connection();
        QVERIFY(sd::store::runQuery(*db, u"UPDATE users SET language = ? WHERE id = ?"_s,
                                    {language, a->id}));
        QVERIFY(h->core().accountDeletion().deleteByAdmin(a->id, u"spam"_s, {u"console"_s}));
        const auto goodbyes = h->mails(u"goodbye"_s);
        QCOMPARE(goodbyes.size(), 1);
        QCOMPARE(goodbyes[0].message.subject, subject);
        QVERIFY(goodbyes[0].message.textBody.contains(u"anna"_s));
        QVERIFY(goodbyes[0].message.htmlBody.contains(u"<p>"_s));
        QVERIFY(goodbyes[0].message.htmlBody.contains(u"lang=\""_s + language));
    }
};

QTEST_GUILESS_MAIN(TestAccountDeletion)
#include "tst_accountdeletion.moc"
