// InvitationService driven directly (no HTTP), fake clock, real SQLite file: inviting (rules,
// "exists", the email with its link), listing with status, revoking, and accepting (an active,
// verified account with the invitation's apps and groups, no approval, while signup is closed;
// used, revoked and expired invitations refused; one winner among racing accepts).

#include "coreharness.h"

#include <atomic>
#include <latch>
#include <thread>

using namespace Qt::StringLiterals;
using namespace sd::core;

class TestInvitationService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;
    const Actor kAdmin{u"admin:usr_boss"_s};

    // Invites and returns the token from the invitation email.
    QString invite(const QString &email, const QStringList &apps = {},
                   const QStringList &groups = {})
    {
        auto row = h->core().invitations().invite({email, u"Anna A."_s, apps, groups, {}}, kAdmin);
        if (!row) {
            qWarning("invite: %s", qPrintable(row.error().detail));
            return {};
        }
        const auto mails = h->mails(u"invitation"_s);
        for (auto it = mails.crbegin(); it != mails.crend(); ++it)
            if (it->message.to == email)
                return CoreHarness::tokenIn(*it);
        return {};
    }
    SignupInput typed(const QString &username)
    {
        SignupInput in;
        in.username = username;
        in.password = u"correct battery staple horse"_s;
        return in;
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.apps = {u"default"_s, u"wiki"_s, u"chat"_s};
            c.approvalRequired = true;
            c.signupEnabled = false; // an invitation-only desk
        });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void acceptingMakesAnActiveVerifiedAccount()
    {
        const QString token = invite(u"anna@example.com"_s, {u"wiki"_s}, {u"staff"_s});
        QVERIFY(!token.isEmpty());
        auto pending = h->core().invitations().pending(token);
        QVERIFY(pending);
        QCOMPARE(pending->email, u"anna@example.com"_s);
        auto r = h->core().invitations().accept(token, typed(u"anna"_s), {}, {u"192.0.2.1"_s});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        const auto a = h->account(r->userId);
        QVERIFY(a);
        QCOMPARE(toString(a->status), u"active"_s);
        QVERIFY(a->verifiedEmail);
        QCOMPARE(a->email, u"anna@example.com"_s);
        QCOMPARE(a->apps, QStringList{u"wiki"_s});
        QCOMPARE(a->groups, QStringList{u"staff"_s});
        QCOMPARE(a->displayName, u"Anna A."_s);
        QVERIFY(h->core().sessions().login(u"anna"_s, u"correct battery staple horse"_s, {}));
        auto list = h->core().invitations().list();
        QVERIFY(list);
        QCOMPARE(list->at(0).status, u"accepted"_s);
        // Used: a second accept is refused.
        auto again = h->core().invitations().accept(token, typed(u"anna2"_s), {}, {});
        QCOMPARE(again.error().code, ErrorCode::InvalidToken);
    }

    void invalidInputLeavesTheInvitationUsable()
    {
        const QString token = invite(u"anna@example.com"_s);
        SignupInput weak = typed(u"anna"_s);
        weak.password = u"short"_s;
        auto r = h->core().invitations().accept(token, weak, {}, {});
        QCOMPARE(r.error().code, ErrorCode::Validation);
        QVERIFY(r.error().fields.contains(u"password"_s));
        QVERIFY(h->core().invitations().accept(token, typed(u"anna"_s), {}, {}));
    }

    void revokedAndExpiredInvitationsAreRefused()
    {
        const QString revoked = invite(u"anna@example.com"_s);
        h->clock().advanceMs(1000); // listed newest first
        const QString expired = invite(u"bert@example.com"_s);
        auto list = h->core().invitations().list();
        QVERIFY(list);
        const QString annaId = list->at(1).id; // newest first: bert, anna
        QCOMPARE(list->at(1).email, u"anna@example.com"_s);
        QVERIFY(h->core().invitations().revoke(annaId, kAdmin));
        auto twice = h->core().invitations().revoke(annaId, kAdmin);
        QCOMPARE(twice.error().code, ErrorCode::Conflict);
        auto unknown = h->core().invitations().revoke(u"inv_nope"_s, kAdmin);
        QCOMPARE(unknown.error().code, ErrorCode::NotFound);
        auto r = h->core().invitations().accept(revoked, typed(u"anna"_s), {}, {});
        QCOMPARE(r.error().code, ErrorCode::InvalidToken);

        h->clock().advanceMs(h->config().inviteTtlSeconds * 1000);
        auto e = h->core().invitations().accept(expired, typed(u"bert"_s), {}, {});
        QCOMPARE(e.error().code, ErrorCode::InvalidToken);
        list = h->core().invitations().list();
        QCOMPARE(list->at(0).status, u"expired"_s);
        QCOMPARE(list->at(1).status, u"revoked"_s);
        auto bogus = h->core().invitations().accept(u"not-a-token"_s, typed(u"carl"_s), {}, {});
        QCOMPARE(bogus.error().code, ErrorCode::InvalidToken);
    }

    void anAddressWithAnAccountOrALiveInvitationExists()
    {
        QVERIFY(!invite(u"anna@example.com"_s).isEmpty());
        auto twice =
            h->core().invitations().invite({u"ANNA@example.com"_s, {}, {}, {}, {}}, kAdmin);
        QCOMPARE(twice.error().code, ErrorCode::Exists);
        auto boss = h->core().signup().createSuperuser(
            u"boss"_s, u"boss@example.com"_s, u"correct battery staple horse"_s, {u"cli"_s});
        QVERIFY(boss);
        auto taken =
            h->core().invitations().invite({u"boss@example.com"_s, {}, {}, {}, {}}, kAdmin);
        QCOMPARE(taken.error().code, ErrorCode::Exists);
        auto bad = h->core().invitations().invite({u"not an address"_s, {}, {}, {}, {}}, kAdmin);
        QCOMPARE(bad.error().code, ErrorCode::Validation);
        auto app =
            h->core().invitations().invite({u"c@example.com"_s, {}, {u"nope"_s}, {}, {}}, kAdmin);
        QCOMPARE(app.error().code, ErrorCode::Validation);
        QVERIFY(app.error().fields.contains(u"apps"_s));
    }

    void racingAcceptsHaveOneWinner()
    {
        const QString token = invite(u"anna@example.com"_s);
        std::atomic_int won = 0;
        std::latch start(8);
        std::vector<std::thread> racers;
        for (int i = 0; i < 8; ++i)
            racers.emplace_back([&, i] {
                start.arrive_and_wait();
                if (h->core().invitations().accept(token, typed(u"racer%1"_s.arg(i)), {}, {}))
                    ++won;
            });
        for (auto &t : racers)
            t.join();
        QCOMPARE(won.load(), 1);
    }

    void invitationEmailInEveryLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("subject");
        QTest::newRow("en") << u"en"_s << u"You are invited to SignupDesk"_s;
        QTest::newRow("fr") << u"fr"_s << u"Vous êtes invité(e) sur SignupDesk"_s;
        QTest::newRow("de") << u"de"_s << u"Sie sind zu SignupDesk eingeladen"_s;
    }
    void invitationEmailInEveryLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QString, subject);
        QVERIFY(
            h->core().invitations().invite({u"anna@example.com"_s, {}, {}, {}, language}, kAdmin));
        const auto mails = h->mails(u"invitation"_s);
        QCOMPARE(mails.size(), 1);
        QCOMPARE(mails[0].message.subject, subject);
        QVERIFY(mails[0].message.textBody.contains(u"https://desk.example/accept-invite?token="_s));
        QVERIFY(mails[0].message.htmlBody.contains(
            u"href=\"https://desk.example/accept-invite?token="_s));
        QVERIFY(mails[0].message.textBody.contains(u"7"_s)); // days
    }
};

QTEST_GUILESS_MAIN(TestInvitationService)
#include "tst_invitationservice.moc"
