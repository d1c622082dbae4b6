// MfaService driven directly (no HTTP), fake clock, real SQLite file: RFC 6238's test vectors,
// the sealed secret at rest, enrolment, the challenge of every way in, replay and drift, the
// burned mfa_token, recovery codes, renewal, disabling and the administrators' reset.

#include "coreharness.h"

#include "accounts/tokenstore.h"
#include "crypto/secretbox.h"
#include "flows/mfa/totp.h"

#include <QSignalSpy>

using namespace Qt::StringLiterals;
using namespace sd::core;

namespace {

const QString kPassword = u"correct battery staple horse"_s;

// A failure's detail for a check's message (QVERIFY2 evaluates it on success too).
template <typename T> QString whyNot(const Result<T> &r)
{
    return r ? QString() : r.error().detail;
}

} // namespace

class TestMfaService : public QObject
{
    Q_OBJECT

    std::unique_ptr<CoreHarness> h;

    SessionUser signedIn(const QString &username)
    {
        auto r = h->core().sessions().login(username, kPassword, {});
        if (!r || r->mfaRequired())
            return {};
        auto check = h->core().sessions().check(r->ust);
        return check ? SessionUser{check->account, check->tokenId} : SessionUser{};
    }
    qint64 step() const { return totp::stepAt(h->clock().nowMs()); }
    static QString codeAt(const QString &base32, qint64 step)
    {
        return totp::code(*totp::fromBase32(base32), step);
    }
    // Enrols `username` (active, signed in) and returns the base32 secret and the codes.
    QString enrol(const QString &username, QStringList *recovery = nullptr)
    {
        const SessionUser user = signedIn(username);
        auto started = h->core().mfa().startTotp(user, kPassword, {});
        if (!started)
            return {};
        auto codes = h->core().mfa().confirmTotp(user, codeAt(started->secret, step()), {});
        if (!codes)
            return {};
        if (recovery)
            *recovery = *codes;
        return started->secret;
    }
    QString sealedSecretOf(const QString &userId)
    {
        auto db = h->database().connection();
        auto q = sd::store::runQuery(*db, u"SELECT secret_sealed FROM mfa_totp WHERE user_id = ?"_s,
                                     {userId});
        return q && q->next() ? q->value(0).toString() : QString();
    }

private slots:
    void init()
    {
        h = std::make_unique<CoreHarness>();
        QVERIFY2(h->ok(), qPrintable(h->error()));
    }

    // RFC 6238 appendix B, SHA-1 rows (the key is the ASCII "12345678901234567890").
    void rfc6238Vectors_data()
    {
        QTest::addColumn<qint64>("unixSeconds");
        QTest::addColumn<QString>("expected");
        QTest::newRow("59") << qint64(59) << u"94287082"_s;
        QTest::newRow("1111111109") << qint64(1111111109) << u"07081804"_s;
        QTest::newRow("1111111111") << qint64(1111111111) << u"14050471"_s;
        QTest::newRow("1234567890") << qint64(1234567890) << u"89005924"_s;
        QTest::newRow("2000000000") << qint64(2000000000) << u"69279037"_s;
        QTest::newRow("20000000000") << qint64(20000000000) << u"65353130"_s;
    }
    void rfc6238Vectors()
    {
        QFETCH(qint64, unixSeconds);
        QFETCH(QString, expected);
        const QByteArray key = "12345678901234567890";
        const qint64 s = totp::stepAt(unixSeconds * 1000);
        QCOMPARE(totp::code(key, s, 8), expected);
        // Six digits, as served: the last six of the eight.
        QCOMPARE(totp::code(key, s), expected.right(6));
    }

    void base32RoundTrips()
    {
        // RFC 4648 section 10, without padding.
        QCOMPARE(totp::toBase32("foobar"), u"MZXW6YTBOI"_s);
        QCOMPARE(totp::toBase32("f"), u"MY"_s);
        QCOMPARE(*totp::fromBase32(u"mzxw 6ytb oi=="_s), QByteArray("foobar"));
        QVERIFY(!totp::fromBase32(u"MZXW1"_s)); // 1 is not base32
        QVERIFY(totp::normalizedCode(u"123 456"_s));
        QVERIFY(!totp::normalizedCode(u"12345"_s));
        QVERIFY(!totp::normalizedCode(u"12345a"_s));
    }

    // SEC-46: the stored value is not the secret and opens only with this server's secret and
    // for this account.
    void secretIsSealedAtRest()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const QString secret = enrol(u"anna"_s);
        QVERIFY(!secret.isEmpty());
        const QString sealed = sealedSecretOf(a->id);
        QVERIFY(!sealed.isEmpty());
        QVERIFY(!sealed.contains(secret, Qt::CaseInsensitive));
        const QByteArray raw = *totp::fromBase32(secret);
        QVERIFY(!sealed.toLatin1().contains(raw.toBase64()));
        QVERIFY(!sealed.toLatin1().contains(raw.toHex()));
        // It opens with the server's own key for this account…
        const auto opened = h->core().context().secrets.open(sealed, a->id.toUtf8());
        QVERIFY(opened);
        QCOMPARE(*opened, raw);
        // …but neither for another account nor with another security/secret.
        QVERIFY(!h->core().context().secrets.open(sealed, "usr_other"));
        const SecretBox other("another security/secret", "totp");
        QVERIFY(!other.open(sealed, a->id.toUtf8()));
        // Two sealings of one value differ (a random nonce each time).
        const SecretBox box("k", "totp");
        QVERIFY(box.seal(raw, "x") != box.seal(raw, "x"));
        QCOMPARE(*box.open(box.seal(raw, "x"), "x"), raw);
    }

    void enrolmentNeedsPasswordAndAFirstCode()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const SessionUser user = signedIn(u"anna"_s);
        QVERIFY(!user.sessionId.isEmpty());
        auto wrong = h->core().mfa().startTotp(user, u"not the password"_s, {});
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, ErrorCode::InvalidCredentials);
        // Nothing pending yet: a code has nothing to match.
        QCOMPARE(h->core().mfa().confirmTotp(user, u"123456"_s, {}).error().code,
                 ErrorCode::InvalidCode);

        auto first = h->core().mfa().startTotp(user, kPassword, {});
        QVERIFY(first);
        auto started = h->core().mfa().startTotp(user, kPassword, {}); // replaces the pending one
        QVERIFY(started);
        QVERIFY(started->secret != first->secret);
        QCOMPARE(started->secret.size(), 32); // 160 bits
        QCOMPARE(started->otpauthUri, u"otpauth://totp/SignupDesk:anna?secret="_s +
                                          started->secret + u"&issuer=SignupDesk"_s);
        // The replaced secret's code no longer turns it on.
        QCOMPARE(h->core().mfa().confirmTotp(user, codeAt(first->secret, step()), {}).error().code,
                 ErrorCode::InvalidCode);
        QVERIFY(!h->account(a->id)->mfaEnabled);

        QSignalSpy changed(&h->core().events(), &Events::secondFactorChanged);
        auto codes = h->core().mfa().confirmTotp(user, codeAt(started->secret, step()), {});
        QVERIFY2(codes, qPrintable(whyNot(codes)));
        QCOMPARE(codes->size(), 10);
        QCOMPARE(QSet<QString>(codes->begin(), codes->end()).size(), 10);
        QVERIFY(h->account(a->id)->mfaEnabled);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(h->mails(u"mfa_enabled"_s, a->id).size(), 1);
        QVERIFY(h->auditActions(a->id).contains(u"mfa.enabled"_s));
        // Recovery codes are stored only as digests.
        auto db = h->database().connection();
        auto q = sd::store::runQuery(*db, u"SELECT code_hash FROM mfa_recovery_codes"_s);
        QVERIFY(q);
        int rows = 0;
        while (q->next()) {
            ++rows;
            for (const QString &c : *codes) {
                QVERIFY(!q->value(0).toString().contains(c));
                QVERIFY(!q->value(0).toString().contains(QString(c).remove(u'-')));
            }
        }
        QCOMPARE(rows, 10);
        // On: enrolment again is refused (after the password check).
        QCOMPARE(h->core().mfa().startTotp(user, kPassword, {}).error().code,
                 ErrorCode::MfaEnabled);
    }

    void loginAsksForTheCodeReplayAndDrift()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(a);
        const QString secret = enrol(u"anna"_s); // uses the code of the current step
        QVERIFY(!secret.isEmpty());
        auto login = [&] { return h->core().sessions().login(u"anna"_s, kPassword, {}); };

        auto first = login();
        QVERIFY(first);
        QVERIFY(first->mfaRequired());
        QVERIFY(first->ust.isEmpty());
        QCOMPARE(first->expiresAtMs, h->clock().nowMs() + 300'000);
        QVERIFY(h->auditActions(a->id).contains(u"login.mfa_required"_s));
        // The enrolment's code again: a replay of its step.
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(first->mfaToken, codeAt(secret, step()), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidLoginCode);
        // Two steps ahead: outside the window.
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(first->mfaToken, codeAt(secret, step() + 2), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidLoginCode);
        // One step ahead (the phone's clock is fast): accepted, once.
        auto ok =
            h->core().mfa().completeLogin(first->mfaToken, codeAt(secret, step() + 1), {}, {});
        QVERIFY2(ok, qPrintable(whyNot(ok)));
        QVERIFY(!ok->ust.isEmpty());
        QVERIFY(h->core().sessions().check(ok->ust));
        // The token is spent.
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(first->mfaToken, codeAt(secret, step() + 1), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidToken);
        // An older step than the newest used one is refused even inside the window.
        auto second = login();
        QVERIFY(second && second->mfaRequired());
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(second->mfaToken, codeAt(secret, step()), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidLoginCode);
        // Three steps later, one step behind (the phone is slow) is accepted.
        h->clock().advanceSeconds(90);
        auto late =
            h->core().mfa().completeLogin(second->mfaToken, codeAt(secret, step() - 1), {}, {});
        QVERIFY2(late, qPrintable(whyNot(late)));
        // Two steps behind is refused.
        auto third = login();
        h->clock().advanceSeconds(60);
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(third->mfaToken, codeAt(secret, step() - 2), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidLoginCode);
    }

    void fiveWrongCodesBurnTheToken()
    {
        QVERIFY(h->activeAccount(u"anna"_s));
        const QString secret = enrol(u"anna"_s);
        h->clock().advanceSeconds(30);
        auto challenge = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(challenge && challenge->mfaRequired());
        const QString right = codeAt(secret, step());
        const QString wrong = right == u"000000"_s ? u"111111"_s : u"000000"_s;
        for (int i = 0; i < 5; ++i)
            QCOMPARE(h->core().mfa().completeLogin(challenge->mfaToken, wrong, {}, {}).error().code,
                     ErrorCode::InvalidLoginCode);
        QCOMPARE(h->core().mfa().completeLogin(challenge->mfaToken, right, {}, {}).error().code,
                 ErrorCode::InvalidToken);
        // Expired tokens are refused too.
        auto again = h->core().sessions().login(u"anna"_s, kPassword, {});
        h->clock().advanceSeconds(301);
        QCOMPARE(h->core()
                     .mfa()
                     .completeLogin(again->mfaToken, codeAt(secret, step()), {}, {})
                     .error()
                     .code,
                 ErrorCode::InvalidToken);
    }

    void recoveryCodesWorkOnceAndRenewalRevokesThem()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QStringList codes;
        const QString secret = enrol(u"anna"_s, &codes);
        QCOMPARE(codes.size(), 10);
        auto challenge = h->core().sessions().login(u"anna"_s, kPassword, {});
        // Typed in capitals and without the dash: the same code.
        auto ok = h->core().mfa().completeLogin(challenge->mfaToken, {},
                                                codes[0].toUpper().remove(u'-'), {});
        QVERIFY2(ok, qPrintable(whyNot(ok)));
        QCOMPARE(h->mails(u"mfa_recovery_code_used"_s, a->id).size(), 1);
        challenge = h->core().sessions().login(u"anna"_s, kPassword, {});
        QCOMPARE(h->core().mfa().completeLogin(challenge->mfaToken, {}, codes[0], {}).error().code,
                 ErrorCode::InvalidLoginCode);

        const SessionUser user{h->account(a->id).value(), ok->ust};
        h->clock().advanceSeconds(30);
        auto renewed = h->core().mfa().renewRecoveryCodes(user, codeAt(secret, step()), {});
        QVERIFY2(renewed, qPrintable(whyNot(renewed)));
        QCOMPARE(renewed->size(), 10);
        QCOMPARE(h->mails(u"mfa_recovery_codes"_s, a->id).size(), 1);
        QCOMPARE(h->core().mfa().completeLogin(challenge->mfaToken, {}, codes[1], {}).error().code,
                 ErrorCode::InvalidLoginCode);
        auto fresh = h->core().mfa().completeLogin(challenge->mfaToken, {}, renewed->at(1), {});
        QVERIFY2(fresh, qPrintable(whyNot(fresh)));
    }

    void disableNeedsPasswordAndCode()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QStringList codes;
        const QString secret = enrol(u"anna"_s, &codes);
        const SessionUser user{h->account(a->id).value(), {}};
        QCOMPARE(h->core().mfa().disable(user, u"wrong password"_s, codes[0], {}).error().code,
                 ErrorCode::InvalidCredentials);
        QCOMPARE(h->core().mfa().disable(user, kPassword, u"zzzzz-zzzzz"_s, {}).error().code,
                 ErrorCode::InvalidCode);
        QVERIFY(h->account(a->id)->mfaEnabled);
        QVERIFY(h->core().mfa().disable(user, kPassword, codes[2], {}));
        QVERIFY(!h->account(a->id)->mfaEnabled);
        QCOMPARE(h->mails(u"mfa_disabled"_s, a->id).size(), 1);
        QVERIFY(sealedSecretOf(a->id).isEmpty());
        // Off: a password login gives a session at once; disabling again is a conflict.
        auto login = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(login && !login->mfaRequired() && !login->ust.isEmpty());
        QCOMPARE(h->core().mfa().disable(user, kPassword, codeAt(secret, step()), {}).error().code,
                 ErrorCode::Conflict);
    }

    void adminResetTurnsItOffAndTells()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(!enrol(u"anna"_s).isEmpty());
        auto pending = h->core().sessions().login(u"anna"_s, kPassword, {});
        QVERIFY(pending->mfaRequired());
        QCOMPARE(h->core().mfa().adminReset(u"usr_nobody"_s, {u"console:root"_s}).error().code,
                 ErrorCode::NotFound);
        QSignalSpy changed(&h->core().events(), &Events::secondFactorChanged);
        QVERIFY(h->core().mfa().adminReset(a->id, {u"console:root"_s}));
        QVERIFY(!h->account(a->id)->mfaEnabled);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(h->mails(u"mfa_reset"_s, a->id).size(), 1);
        QVERIFY(h->auditActions(a->id).contains(u"mfa.reset"_s));
        // A challenge issued before the reset is void.
        QCOMPARE(h->core().mfa().completeLogin(pending->mfaToken, u"123456"_s, {}, {}).error().code,
                 ErrorCode::InvalidToken);
        // Again: nothing to do, no second mail.
        QVERIFY(h->core().mfa().adminReset(a->id, {u"console:root"_s}));
        QCOMPARE(h->mails(u"mfa_reset"_s, a->id).size(), 1);
    }

    // SEC-47: the email link asks for the second factor too (OAuth: tst_oauth).
    void emailLinkAsksForTheCode()
    {
        const auto a = h->activeAccount(u"anna"_s);
        QVERIFY(!enrol(u"anna"_s).isEmpty());
        QVERIFY(h->core().emailLogin().requestLink(a->email, {}, {}));
        const QString token = CoreHarness::tokenIn(h->mails(u"login_link"_s, a->id).value(0));
        QVERIFY(!token.isEmpty());
        auto result = h->core().emailLogin().confirm({token, std::nullopt, false}, {});
        QVERIFY2(result, qPrintable(whyNot(result)));
        QVERIFY(result->mfaRequired());
        QVERIFY(result->ust.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMfaService)
#include "tst_mfaservice.moc"
