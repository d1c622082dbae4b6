// RecoveryService and EmailChangeService driven directly (no HTTP), fake clock, real SQLite
// file: the reset link and code (single use, expiry, revocation by a new request, 5 wrong codes
// burn), who gets a reset mail, the end of sessions, the notices, the password and email
// changes of a signed-in user, the administrators' reset, and the events.

#include "coreharness.h"

#include "accounts/tokenstore.h"

#include <QSignalSpy>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {

const QString kOld = u"correct battery staple horse"_s;
const QString kNew = u"a brand new passphrase 42"_s;

// The 6-digit code at the end of a line of a mail's text part.
QString codeIn(const sd::mail::OutboxEntry &mail)
{
    static const QRegularExpression re(u"[:\\s](\\d{6})\\s*$"_s,
                                       QRegularExpression::MultilineOption);
    return re.match(mail.message.textBody).captured(1);
}

} // namespace

class TestRecoveryService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;

    // The newest mail of `kind` about `userId` (or to anyone), or an empty entry.
    sd::mail::OutboxEntry lastMail(const QString &kind, const QString &userId = {})
    {
        const auto mails = h->mails(kind, userId);
        return mails.isEmpty() ? sd::mail::OutboxEntry() : mails.last();
    }
    QString resetToken(const QString &userId)
    {
        return CoreHarness::tokenIn(lastMail(u"password_reset"_s, userId));
    }
    bool canLogIn(const QString &username, const QString &password)
    {
        return h->core().sessions().login(username, password, {}).has_value();
    }
    SessionUser signedIn(const QString &username, const QString &password, QString *ust = nullptr)
    {
        auto r = h->core().sessions().login(username, password, {});
        if (!r)
            return {};
        if (ust)
            *ust = r->ust;
        auto check = h->core().sessions().check(r->ust);
        return check ? SessionUser{check->account, check->tokenId} : SessionUser{};
    }
    void setStatus(const QString &userId, const QString &status)
    {
        auto db = h->database().connection();
        QVERIFY(sd::store::runQuery(*db, u"UPDATE users SET status = ? WHERE id = ?"_s,
                                    {status, userId}));
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.returnConfirmToken = true; });
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    void resetByLinkOnceEndsSessionsAndNotifies()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        QString ust;
        QVERIFY(!signedIn(u"anna"_s, kOld, &ust).sessionId.isEmpty());
        QSignalSpy changed(&h->core().events(), &Events::passwordChanged);

        QVERIFY(h->core().recovery().requestReset(a->email, {u"192.0.2.1"_s}));
        const QString token = resetToken(a->id);
        QCOMPARE(token.size(), 43);
        QVERIFY(lastMail(u"password_reset"_s, a->id)
                    .message.textBody.contains(u"https://desk.example/reset-password?token="_s));
        QCOMPARE(codeIn(lastMail(u"password_reset"_s, a->id)).size(), 6);
        QVERIFY(h->auditActions(a->id).contains(u"password_reset.requested"_s));
        auto view = h->core().recovery().inspect(token);
        QVERIFY(view);
        QCOMPARE(view->id, a->id);

        auto r = h->core().recovery().resetWithToken(token, kNew, {u"192.0.2.1"_s});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(!h->core().sessions().check(ust)); // every session ended
        QVERIFY(!canLogIn(u"anna"_s, kOld));
        QVERIFY(canLogIn(u"anna"_s, kNew));
        QCOMPARE(h->mails(u"password_changed"_s, a->id).size(), 1);
        QVERIFY(h->auditActions(a->id).contains(u"password.reset"_s));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first().toString(), a->id);

        auto again = h->core().recovery().resetWithToken(token, kOld, {});
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidToken);
        QVERIFY(!h->core().recovery().inspect(token));
    }

    void tokenIsStoredOnlyAsADigest()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString token = resetToken(a->id);
        auto db = h->database().connection();
        auto q = sd::store::runQuery(*db, u"SELECT token_hash, code_hash FROM tokens"
                                          " WHERE kind = 'password_reset'"_s);
        QVERIFY(q && q->next());
        QVERIFY(q->value(0).toString() != token);
        QVERIFY(!q->value(1).toString().isEmpty());
        QVERIFY(q->value(1).toString() != codeIn(lastMail(u"password_reset"_s, a->id)));
    }

    void onlyActiveOrPendingApprovalAccountsGetMail()
    {
        const auto active = h->activeAccount(u"anna"_s);
        const auto pending = h->signUp(u"ben"_s); // pending verification
        const auto waiting = h->signUp(u"carl"_s);
        const auto disabled = h->activeAccount(u"dora"_s);
        QVERIFY(active && pending && waiting && disabled);
        QVERIFY(h->core().verification().confirm(waiting->confirmToken)); // pending approval
        QVERIFY(h->core().userAdmin().disable(disabled->id, Actor{u"console"_s}));
        for (const QString &email :
             {u"nobody@example.com"_s, u"ben@example.com"_s, u"carl@example.com"_s,
              u"dora@example.com"_s, u"ANNA@example.com"_s})
            QVERIFY(h->core().recovery().requestReset(email, {}));
        const auto mails = h->mails(u"password_reset"_s);
        QCOMPARE(mails.size(), 2);
        QStringList to;
        for (const auto &m : mails)
            to << m.message.to;
        to.sort();
        QCOMPARE(to, (QStringList{u"anna@example.com"_s, u"carl@example.com"_s}));
    }

    void newRequestRevokesTheOldToken()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString first = resetToken(a->id);
        h->clock().advanceSeconds(1); // the outbox lists by time: the second mail comes last
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString second = resetToken(a->id);
        QVERIFY(first != second);
        auto old = h->core().recovery().resetWithToken(first, kNew, {});
        QVERIFY(!old);
        QCOMPARE(old.error().code, ErrorCode::InvalidToken);
        QVERIFY(h->core().recovery().resetWithToken(second, kNew, {}));
    }

    void tokenExpiresAfterTheRecoveryTtl()
    {
        h = std::make_unique<CoreHarness>([](Config &c) { c.recoveryTtlSeconds = 600; });
        QVERIFY(h->ok());
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString token = resetToken(a->id);
        QVERIFY(lastMail(u"password_reset"_s, a->id).message.textBody.contains(u"10 minutes"_s));
        h->clock().advanceSeconds(599);
        QVERIFY(h->core().recovery().inspect(token));
        h->clock().advanceSeconds(1);
        auto r = h->core().recovery().resetWithToken(token, kNew, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidToken);
    }

    void refusedPasswordLeavesTheTokenUsable()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString token = resetToken(a->id);
        for (const QString &bad : {u"short"_s, u"anna-was-here-123"_s, QString()}) {
            auto r = h->core().recovery().resetWithToken(token, bad, {});
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::Validation);
            QVERIFY(r.error().fields.contains(u"new_password"_s));
        }
        QVERIFY(h->core().recovery().resetWithToken(token, kNew, {}));
    }

    void resetByEmailAndCode()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString code = codeIn(lastMail(u"password_reset"_s, a->id));
        QCOMPARE(code.size(), 6);
        auto r = h->core().recovery().resetWithCode(u"Anna@Example.com"_s, code, kNew, {});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(canLogIn(u"anna"_s, kNew));
        auto again = h->core().recovery().resetWithCode(a->email, code, kOld, {});
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidToken);
    }

    void fiveWrongCodesBurnTheToken()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString code = codeIn(lastMail(u"password_reset"_s, a->id));
        const QString wrong = code == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < RecoveryService::kMaxCodeAttempts; ++i) {
            auto r = h->core().recovery().resetWithCode(a->email, wrong, kNew, {});
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::InvalidToken);
        }
        auto right = h->core().recovery().resetWithCode(a->email, code, kNew, {});
        QVERIFY(!right);
        QCOMPARE(right.error().code, ErrorCode::InvalidToken);
        const QStringList actions = h->auditActions(a->id);
        QVERIFY(actions.contains(u"token.burned"_s));
        QCOMPARE(actions.count(u"password_reset.failed"_s), 6);
        QVERIFY(!h->core().recovery().inspect(resetToken(a->id))); // the link is burned too
        QVERIFY(canLogIn(u"anna"_s, kOld));
    }

    void unknownAddressAndWrongCodeFailAlike()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        auto unknown =
            h->core().recovery().resetWithCode(u"nobody@example.com"_s, u"123456"_s, kNew, {});
        auto noToken =
            h->core().recovery().resetWithCode(u"ben@example.com"_s, u"123456"_s, kNew, {});
        QVERIFY(!unknown && !noToken);
        QCOMPARE(unknown.error().code, ErrorCode::InvalidToken);
        QCOMPARE(noToken.error().code, ErrorCode::InvalidToken);
    }

    void accountWithoutPasswordSetsOne()
    {
        // As an OAuth-made account: no usable password until a reset gives it one.
        const auto a = h->activeAccount(u"anna"_s);
        auto db = h->database().connection();
        QVERIFY(sd::store::runQuery(*db, u"UPDATE users SET password_hash = NULL WHERE id = ?"_s,
                                    {a->id}));
        QVERIFY(!canLogIn(u"anna"_s, kOld));
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        QVERIFY(h->core().recovery().resetWithToken(resetToken(a->id), kNew, {}));
        QVERIFY(canLogIn(u"anna"_s, kNew));
    }

    void disabledMeanwhileCannotReset()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const QString token = resetToken(a->id);
        setStatus(a->id, u"disabled"_s);
        auto r = h->core().recovery().resetWithToken(token, kNew, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidToken);
    }

    void changePasswordEndsOtherSessions()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QString mine, other;
        const SessionUser me = signedIn(u"anna"_s, kOld, &mine);
        QVERIFY(!signedIn(u"anna"_s, kOld, &other).sessionId.isEmpty());
        QSignalSpy changed(&h->core().events(), &Events::passwordChanged);

        auto wrong = h->core().recovery().changePassword(me, u"not my password"_s, kNew, {});
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::InvalidCredentials);
        QVERIFY(h->auditActions(a->id).contains(u"login.failed"_s));
        auto weak = h->core().recovery().changePassword(me, kOld, u"short"_s, {});
        QVERIFY(!weak);
        QCOMPARE(weak.error().code, ErrorCode::Validation);
        QVERIFY(weak.error().fields.contains(u"new_password"_s));
        QCOMPARE(changed.size(), 0);

        auto r = h->core().recovery().changePassword(me, kOld, kNew, {});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QVERIFY(h->core().sessions().check(mine));
        QVERIFY(!h->core().sessions().check(other));
        QVERIFY(canLogIn(u"anna"_s, kNew));
        QVERIFY(!canLogIn(u"anna"_s, kOld));
        QCOMPARE(h->mails(u"password_changed"_s, a->id).size(), 1);
        QVERIFY(h->auditActions(a->id).contains(u"password.changed"_s));
        QCOMPARE(changed.size(), 1);
    }

    void wrongCurrentPasswordCountsAsFailedLogin()
    {
        h = std::make_unique<CoreHarness>([](Config &c) {
            c.rateLimitEnabled = true;
            c.lockoutEnabled = false;
            c.loginFailuresPerWindow = 3;
        });
        QVERIFY(h->ok());
        const auto a = h->activeAccount(u"anna"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        for (int i = 0; i < 3; ++i) {
            auto r = h->core().recovery().changePassword(me, u"guess %1"_s.arg(i), kNew, {});
            QCOMPARE(r.error().code, ErrorCode::InvalidCredentials);
        }
        auto limited = h->core().recovery().changePassword(me, kOld, kNew, {});
        QVERIFY(!limited);
        QCOMPARE(limited.error().code, ErrorCode::RateLimited);
        auto login = h->core().sessions().login(u"anna"_s, kOld, {});
        QVERIFY(!login);
        QCOMPARE(login.error().code, ErrorCode::RateLimited);
    }

    void emailChangeNeedsConfirmation()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        QSignalSpy changed(&h->core().events(), &Events::emailChanged);
        auto wrong = h->core().emailChange().request(me, u"new@example.org"_s, u"nope"_s, {});
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::InvalidCredentials);
        auto invalid = h->core().emailChange().request(me, u"not an address"_s, kOld, {});
        QVERIFY(!invalid);
        QCOMPARE(invalid.error().code, ErrorCode::Validation);
        QVERIFY(invalid.error().fields.contains(u"new_email"_s));

        QVERIFY(h->core().emailChange().request(me, u"New@Example.org"_s, kOld, {}));
        const auto link = lastMail(u"email_change"_s, a->id);
        QCOMPARE(link.message.to, u"New@Example.org"_s);
        QVERIFY(
            link.message.textBody.contains(u"https://desk.example/confirm-email-change?token="_s));
        QVERIFY(!link.message.textBody.contains(u"anna"_s)); // an unproven address: no names
        const auto notice = lastMail(u"email_change_notice"_s, a->id);
        QCOMPARE(notice.message.to, u"anna@example.com"_s);
        QVERIFY(notice.message.textBody.contains(u"New@Example.org"_s));
        QCOMPARE(h->account(a->id)->email, u"anna@example.com"_s); // nothing changed yet

        const QString token = CoreHarness::tokenIn(link);
        auto view = h->core().emailChange().inspect(token);
        QVERIFY(view);
        QCOMPARE(view->newEmail, u"New@Example.org"_s);
        auto r = h->core().emailChange().confirm(token, {});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(r->email, u"New@Example.org"_s);
        QCOMPARE(h->account(a->id)->email, u"New@Example.org"_s);
        QVERIFY(h->account(a->id)->verifiedEmail);
        QCOMPARE(h->accountByEmail(u"new@example.org"_s)->id, a->id);
        QCOMPARE(changed.size(), 1);
        QVERIFY(h->auditActions(a->id).contains(u"email.changed"_s));
        QCOMPARE(h->core().emailChange().confirm(token, {}).error().code, ErrorCode::InvalidToken);
    }

    void emailChangeByCode()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        QVERIFY(h->core().emailChange().request(me, u"new@example.org"_s, kOld, {}));
        const QString code = codeIn(lastMail(u"email_change"_s, a->id));
        QCOMPARE(code.size(), 6);
        const QString wrong = code == u"000000"_s ? u"111111"_s : u"000000"_s;
        QCOMPARE(h->core().emailChange().confirmCode(me, wrong, {}).error().code,
                 ErrorCode::InvalidToken);
        auto r = h->core().emailChange().confirmCode(me, code, {});
        QVERIFY2(r, r ? "" : qPrintable(r.error().detail));
        QCOMPARE(h->account(a->id)->email, u"new@example.org"_s);
    }

    void emailChangeToATakenAddressSendsOnlyANotice()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto b = h->activeAccount(u"ben"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        QVERIFY(h->core().emailChange().request(me, u"BEN@example.com"_s, kOld, {}));
        QVERIFY(h->mails(u"email_change"_s).isEmpty());
        const auto notice = lastMail(u"already_registered"_s);
        QCOMPARE(notice.message.to, u"BEN@example.com"_s);
        QCOMPARE(h->mails(u"email_change_notice"_s, a->id).size(), 1);
        QCOMPARE(h->account(a->id)->email, u"anna@example.com"_s);
        QCOMPARE(h->account(b->id)->email, u"ben@example.com"_s);
    }

    void addressTakenMeanwhileRefusesTheChange()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        QVERIFY(h->core().emailChange().request(me, u"carl@example.com"_s, kOld, {}));
        const QString token = CoreHarness::tokenIn(lastMail(u"email_change"_s, a->id));
        QVERIFY(h->signUp(u"carl"_s)); // takes carl@example.com
        auto r = h->core().emailChange().confirm(token, {});
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidToken);
        QCOMPARE(h->account(a->id)->email, u"anna@example.com"_s);
    }

    void emailChangeExpires()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const SessionUser me = signedIn(u"anna"_s, kOld);
        QVERIFY(h->core().emailChange().request(me, u"new@example.org"_s, kOld, {}));
        const QString token = CoreHarness::tokenIn(lastMail(u"email_change"_s, a->id));
        h->clock().advanceSeconds(h->config().recoveryTtlSeconds);
        QCOMPARE(h->core().emailChange().confirm(token, {}).error().code, ErrorCode::InvalidToken);
    }

    void adminReset()
    {
        const auto a = h->activeAccount(u"anna"_s);
        const auto pending = h->signUp(u"ben"_s);
        const Actor admin{u"admin:usr_boss"_s};
        QCOMPARE(h->core().recovery().adminReset(u"usr_nobody"_s, admin).error().code,
                 ErrorCode::NotFound);
        QCOMPARE(h->core().recovery().adminReset(pending->userId, admin).error().code,
                 ErrorCode::Conflict);
        QVERIFY(h->core().recovery().adminReset(a->id, admin));
        QCOMPARE(h->mails(u"password_reset"_s, a->id).size(), 1);
        QVERIFY(h->core().recovery().resetWithToken(resetToken(a->id), kNew, {}));
        QVERIFY(canLogIn(u"anna"_s, kNew));
    }

    void mailsInTheAccountsLanguage_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QString>("subject");
        QTest::newRow("en") << u"en"_s << u"Reset your password"_s;
        QTest::newRow("fr") << u"fr"_s << u"Réinitialisez votre mot de passe"_s;
        QTest::newRow("de") << u"de"_s << u"Setzen Sie Ihr Passwort zurück"_s;
    }
    void mailsInTheAccountsLanguage()
    {
        QFETCH(QString, language);
        QFETCH(QString, subject);
        const auto a = h->activeAccount(u"anna"_s);
        auto db = h->database().connection();
        QVERIFY(sd::store::runQuery(*db, u"UPDATE users SET language = ? WHERE id = ?"_s,
                                    {language, a->id}));
        QVERIFY(h->core().recovery().requestReset(a->email, {}));
        const auto m = lastMail(u"password_reset"_s, a->id);
        QCOMPARE(m.message.subject, subject);
        QVERIFY(m.message.htmlBody.contains(u"lang=\""_s + language + u'"'));
        QVERIFY(m.message.htmlBody.contains(u"/reset-password?token="_s));
        QVERIFY(m.message.htmlBody.contains(codeIn(m)));
        QVERIFY(h->core().recovery().resetWithToken(resetToken(a->id), kNew, {}));
        const auto notice = lastMail(u"password_changed"_s, a->id);
        QVERIFY(!notice.message.subject.isEmpty());
        QVERIFY(notice.message.htmlBody.contains(u"lang=\""_s + language + u'"'));
        if (language != u"en"_s)
            QVERIFY(notice.message.subject != u"Your password was changed"_s);
    }
};

QTEST_GUILESS_MAIN(TestRecoveryService)
#include "tst_recoveryservice.moc"
