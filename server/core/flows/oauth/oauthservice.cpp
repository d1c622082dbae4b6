#include "flows/oauth/oauthservice.h"

#include "accounts/accountstore.h"
#include "accounts/tokenstore.h"
#include "audit/auditlog.h"
#include "context.h"
#include "crypto/crypto.h"
#include "flows/approval/approvalservice.h"
#include "flows/oauth/oauthstore.h"
#include "sqlquery.h"
#include "transaction.h"
#include "validation/names.h"
#include "webhooks/webhooks.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace sd::core {

namespace {

// Appends key=value pairs, each value percent-encoded (so '+', '&' and '=' survive), to a URL
// that may already carry a query.
QString withQuery(const QString &base, const QList<std::pair<QString, QString>> &items)
{
    QString out = base;
    bool first = !QUrl(base).hasQuery();
    for (const auto &[key, value] : items) {
        out += first ? u'?' : u'&';
        first = false;
        out += key + u'=' + QString::fromLatin1(QUrl::toPercentEncoding(value));
    }
    return out;
}

// The PKCE verifier is not stored: it is the HMAC of the state under the server secret (a
// purpose prefix keeps it apart from the stored state digest). Reading the database therefore
// yields neither the state nor the verifier, and nothing secret sits in the state row.
QString pkceVerifier(const TokenDigest &digest, const QString &state)
{
    return digest.digest(u"oauth-pkce|"_s + state); // 64 hex characters: a valid verifier
}

QString pkceChallenge(const QString &verifier)
{
    return crypto::base64Url(crypto::sha256(verifier.toLatin1()));
}

} // namespace

QString OAuthService::publicBase() const
{
    QString base = m_ctx.publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return base;
}

QString OAuthService::frontendUrl() const
{
    if (m_ctx.config.oauthFrontendUrl.isEmpty())
        return publicBase() + u"/oauth/done"_s;
    QString url = m_ctx.config.oauthFrontendUrl;
    return url.replace(u"{public_url}"_s, publicBase());
}

QString OAuthService::donePageUrl() const
{
    return publicBase() + u"/oauth/done"_s;
}

QString OAuthService::redirectUri(OAuthProvider provider) const
{
    return publicBase() + u"/oauth/callback/from/"_s + toString(provider);
}

Result<OAuthStart> OAuthService::init(const QString &providerName,
                                      const std::optional<QString> &language,
                                      const RequestInfo &request)
{
    Q_UNUSED(request);
    return begin(providerName, language, {});
}

Result<OAuthBrowserStart> OAuthService::startInBrowser(const QString &providerName,
                                                       const QString &language,
                                                       const RequestInfo &request)
{
    Q_UNUSED(request);
    const QString binding = crypto::newToken(); // 256 bits, like the state
    auto started = begin(providerName, language, m_ctx.digest.digest(binding));
    if (!started)
        return std::unexpected(started.error());
    return OAuthBrowserStart{started->state, started->authorizeUrl, binding};
}

Result<OAuthStart> OAuthService::begin(const QString &providerName,
                                       const std::optional<QString> &language,
                                       const QString &bindingHash)
{
    const auto provider = oauthProviderFromString(providerName);
    if (!provider)
        return fail(ErrorCode::UnknownProvider, u"unknown provider"_s);
    const OAuthProviderSettings &settings = providerSettings(m_ctx.config, *provider);
    if (!settings.isConfigured())
        return fail(ErrorCode::NotConfigured, toString(*provider) + u" has no client_id"_s);
    const QString lang = language.value_or(u"en"_s);
    if (!Config::languages().contains(lang)) {
        Error e{ErrorCode::Validation, u"unsupported language"_s, {}, 0};
        e.fields[u"language"_s] << u"unsupported"_s;
        return std::unexpected(e);
    }

    const qint64 now = m_ctx.clock.nowMs();
    const QString state = crypto::newToken(); // 256 bits
    auto db = m_ctx.database.connection();
    if (!db)
        return dbFail(db.error());
    // Old rows go on the way: nothing reads them after they expire.
    if (auto r = oauthstore::deleteExpiredStates(*db, now); !r)
        return dbFail(r.error());
    if (auto r = oauthstore::insertState(*db, m_ctx.digest.digest(state), toString(*provider), lang,
                                         now, now + kStateTtlSeconds * 1000, bindingHash);
        !r)
        return dbFail(r.error());

    const QString url =
        withQuery(settings.authorizeUrl,
                  {{u"response_type"_s, u"code"_s},
                   {u"client_id"_s, settings.clientId},
                   {u"redirect_uri"_s, redirectUri(*provider)},
                   {u"scope"_s, providerScope(*provider)},
                   {u"state"_s, state},
                   {u"code_challenge"_s, pkceChallenge(pkceVerifier(m_ctx.digest, state))},
                   {u"code_challenge_method"_s, u"S256"_s}});
    return OAuthStart{state, url};
}

OAuthRedirect OAuthService::callback(const QString &providerName, const OAuthCallbackInput &input,
                                     const RequestInfo &request)
{
    const qint64 now = m_ctx.clock.nowMs();
    std::optional<OAuthStateRow> state;
    // A state of the browser flow ends on the done page, in the language it was started in;
    // any other callback on oauth/frontend_url, as API.md's JSON flow has it.
    const auto endOn = [&](const QString &key, const QString &value) {
        if (state && !state->bindingHash.isEmpty())
            return withQuery(donePageUrl(), {{u"language"_s, state->language}, {key, value}});
        return withQuery(frontendUrl(), {{key, value}});
    };
    const auto failWith = [&](const QString &code, const QString &detail) {
        qInfo("oauth callback (%s) failed: %s: %s", qPrintable(providerName.left(32)),
              qPrintable(code), qPrintable(detail));
        // The callback ends in an error either way; a lost audit entry is logged, not raised.
        auto db = m_ctx.database.connection();
        auto audited =
            db ? auditlog::record(*db, now, u"system"_s, u"oauth.failed"_s, QString(),
                                  u"%1 via %2 from %3: %4"_s.arg(code, providerName.left(32),
                                                                 request.remoteIp, detail))
               : std::unexpected(db.error());
        if (!audited)
            qWarning("oauth.failed not audited: %s", qPrintable(audited.error().message));
        return OAuthRedirect{endOn(u"error"_s, code), code, {}};
    };

    // The state is burned on any presentation, before anything else and before any network
    // call, so it can never be replayed, whichever way this callback ends.
    if (!input.state.isEmpty()) {
        auto db = m_ctx.database.connection();
        if (!db)
            return failWith(u"server_error"_s, db.error().message);
        auto consumed = oauthstore::consumeState(*db, m_ctx.digest.digest(input.state), now);
        if (!consumed)
            return failWith(u"server_error"_s, consumed.error().message);
        state = *consumed;
    }
    const auto provider = oauthProviderFromString(providerName);
    if (!provider)
        return failWith(u"unknown_provider"_s, u"unknown provider"_s);
    if (!input.error.isEmpty()) {
        return failWith(input.error == u"access_denied"_s ? u"access_denied"_s
                                                          : u"provider_error"_s,
                        u"provider said "_s + input.error.left(64));
    }
    // Bound to its provider: a state made for another provider is a mix-up (SEC-26).
    if (!state || state->provider != toString(*provider))
        return failWith(u"invalid_state"_s, u"unknown, used, expired or other-provider state"_s);
    // SEC-26: a state made by /oauth/start comes back only with the cookie of the browser it
    // was made for (a callback link handed to someone else signs nobody in).
    if (!state->bindingHash.isEmpty() &&
        (input.binding.isEmpty() ||
         !crypto::constantTimeEquals(m_ctx.digest.digest(input.binding).toLatin1(),
                                     state->bindingHash.toLatin1())))
        return failWith(u"invalid_state"_s, u"state of another browser (no or wrong cookie)"_s);
    const OAuthProviderSettings &settings = providerSettings(m_ctx.config, *provider);
    if (!settings.isConfigured() || !m_client)
        return failWith(u"not_configured"_s, u"provider not configured"_s);
    if (input.code.isEmpty())
        return failWith(u"provider_error"_s, u"no code"_s);

    auto identity =
        m_client->exchangeCode(*provider, settings, input.code,
                               pkceVerifier(m_ctx.digest, input.state), redirectUri(*provider));
    if (!identity) {
        return failWith(identity.error().code == ErrorCode::ProviderTimeout ? u"provider_timeout"_s
                                                                            : u"provider_error"_s,
                        identity.error().detail);
    }
    // Only an address the provider vouches for counts (SEC-27).
    if (!identity->emailVerified || !SignupValidator::isValidEmail(identity->email))
        return failWith(u"unverified_email"_s, u"provider email not verified"_s);
    if (identity->providerUserId.isEmpty())
        return failWith(u"provider_error"_s, u"no provider user id"_s);

    QString confirmation;
    auto account = signIn(*provider, *identity, state->language, request, &confirmation);
    if (!account)
        return failWith(account.error().code, account.error().detail);
    return OAuthRedirect{endOn(u"confirmation"_s, confirmation), {}, account->id};
}

std::expected<Account, OAuthService::Failure>
OAuthService::signIn(OAuthProvider provider, const ProviderIdentity &identity,
                     const QString &language, const RequestInfo &request, QString *confirmation)
{
    const auto live = m_ctx.live.current();
    const qint64 now = m_ctx.clock.nowMs();
    const QString providerName = toString(provider);
    const auto dbError = [](const store::DbError &e) {
        return std::unexpected(Failure{u"server_error"_s, e.message});
    };
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbError(tx.error());
    const QSqlDatabase &db = tx->db();

    bool created = false;
    std::optional<Account> account;
    auto known = oauthstore::findIdentity(db, providerName, identity.providerUserId);
    if (!known)
        return dbError(known.error());
    if (*known) {
        auto found = accountstore::findById(db, (*known)->userId);
        if (!found)
            return dbError(found.error());
        account = *found;
    }
    if (!account) {
        auto byEmail = accountstore::findByEmail(db, identity.email);
        if (!byEmail)
            return dbError(byEmail.error());
        if (*byEmail && (*byEmail)->verifiedEmail) {
            account = **byEmail; // the same verified address: link
        } else if (*byEmail) {
            // An unverified local account is never taken over: whoever made it never proved the
            // address. It goes, with its tokens (and so its password), and a new account is made.
            const Account &old = **byEmail;
            if (old.isSuperuser)
                return std::unexpected(Failure{u"server_error"_s, u"unverified super-user"_s});
            if (auto r = store::runQuery(db, u"DELETE FROM tokens WHERE user_id = ?"_s, {old.id});
                !r)
                return dbError(r.error());
            auto removed = store::runQuery(
                db, u"DELETE FROM users WHERE id = ? AND verified_email = 0 AND is_superuser = 0"_s,
                {old.id});
            if (!removed)
                return dbError(removed.error());
            if (removed->numRowsAffected() != 1)
                return std::unexpected(
                    Failure{u"server_error"_s, u"unverified account changed concurrently"_s});
            if (auto r =
                    auditlog::record(db, now, u"system"_s, u"oauth.replaced_unverified"_s, old.id,
                                     u"username=%1; verified %2 identity took the address"_s.arg(
                                         old.username, providerName));
                !r)
                return dbError(r.error());
            // Announced when it was made, so its end is announced too.
            if (auto r = queueWebhookEvent(m_ctx, db, webhookevent::Deleted, userSummary(old)); !r)
                return std::unexpected(Failure{u"server_error"_s, r.error().detail});
        }
    }
    if (!account) {
        // Closed signup (the console's panic switch) stops new accounts through OAuth too;
        // the transaction rolls back whatever was done above.
        if (!live->signupEnabled)
            return std::unexpected(Failure{u"signup_disabled"_s, u"signup/enabled is false"_s});
        Account a;
        a.id = crypto::newId(u"usr_");
        a.username = usernameFor(db, identity.email);
        a.email = identity.email.trimmed();
        // The provider's profile is not typed here: refusing it would refuse the account, so its
        // name is made to fit the rule instead (names.h), and the forms never trip over it.
        a.displayName = names::sanitizedDisplayName(identity.displayName);
        a.status = statusAfterVerification(live->approvalRequired);
        a.verifiedEmail = true;
        a.apps = live->apps.mid(0, 1);
        a.language = language;
        a.signUpTimeMs = now;
        a.remoteIp = request.remoteIp;
        if (auto r = accountstore::insert(db, a); !r)
            return dbError(r.error());
        if (auto r = auditlog::record(
                db, now, u"system"_s, u"oauth.signup"_s, a.id,
                u"via %1 from %2; %3"_s.arg(providerName, request.remoteIp, toString(a.status)));
            !r)
            return dbError(r.error());
        if (auto r = queueWebhookEvent(m_ctx, db, webhookevent::Registered, userObject(a)); !r)
            return std::unexpected(Failure{u"server_error"_s, r.error().detail});
        if (a.status == AccountStatus::Active) {
            auto activated = ApprovalService(m_ctx).activate(db, a);
            if (!activated)
                return std::unexpected(Failure{u"server_error"_s, activated.error().detail});
            a = *activated;
        }
        account = a;
        created = true;
    }
    if (!*known) {
        OAuthIdentityRow row{
            crypto::newId(u"oid_"),   account->id, providerName, identity.providerUserId,
            identity.email.trimmed(), now};
        if (auto r = oauthstore::insertIdentity(db, row); !r)
            return dbError(r.error());
        if (!created) {
            if (auto r =
                    auditlog::record(db, now, u"system"_s, u"oauth.linked"_s, account->id,
                                     u"%1 identity linked by verified email"_s.arg(providerName));
                !r)
                return dbError(r.error());
        }
    }

    *confirmation = crypto::newToken();
    TokenRow token;
    token.id = crypto::newId(u"tok_");
    token.userId = account->id;
    token.kind = toString(TokenKind::OAuthConfirmation);
    token.createdAt = now;
    token.expiresAt = now + kConfirmationTtlSeconds * 1000;
    if (auto r = tokenstore::insert(db, token, m_ctx.digest.digest(*confirmation)); !r)
        return dbError(r.error());
    if (auto r = auditlog::record(db, now, u"system"_s, u"oauth.confirmed"_s, account->id,
                                  u"via %1 from %2"_s.arg(providerName, request.remoteIp));
        !r)
        return dbError(r.error());
    if (auto r = tx->commit(); !r)
        return dbError(r.error());
    if (created) {
        emit m_ctx.events.signupCreated(account->id);
        if (account->status == AccountStatus::Active && live->mailWelcome)
            emit m_ctx.events.mailQueued();
    }
    return *account;
}

QString OAuthService::usernameFor(const QSqlDatabase &db, const QString &email) const
{
    QString base;
    for (const QChar ch : email.section(u'@', 0, 0))
        if (ch.isLetterOrNumber() && ch.unicode() < 128)
            base += ch;
        else if (ch == u'.' || ch == u'_' || ch == u'-')
            base += ch;
    base = base.left(24);
    if (base.size() < 3)
        base = u"user"_s;
    const auto usable = [&](const QString &name) {
        SignupInput probe;
        probe.username = name;
        if (m_ctx.validator.validate(probe).contains(u"username"_s))
            return false;
        auto taken = accountstore::findByUsername(db, name);
        return taken && !*taken;
    };
    if (usable(base))
        return base;
    for (int n = 2; n < 10; ++n)
        if (usable(base + QString::number(n)))
            return base + QString::number(n);
    // Crowded: a random suffix (22 characters of an id are far too many; 8 are plenty).
    for (int attempt = 0; attempt < 5; ++attempt) {
        const QString name = base + u'-' + crypto::newId(u"").left(8);
        if (usable(name))
            return name;
    }
    return u"user-"_s + crypto::newId(u"").left(16);
}

Result<LoginResult> OAuthService::login(const QString &confirmation, const RequestInfo &request)
{
    if (confirmation.isEmpty())
        return fail(ErrorCode::InvalidConfirmation, u"no confirmation"_s);
    const qint64 now = m_ctx.clock.nowMs();
    auto tx = store::Transaction::begin(m_ctx.database);
    if (!tx)
        return dbFail(tx.error());
    auto row = tokenstore::findByHash(tx->db(), m_ctx.digest.digest(confirmation),
                                      TokenKind::OAuthConfirmation);
    if (!row)
        return dbFail(row.error());
    if (!*row || !(*row)->isLive(now))
        return fail(ErrorCode::InvalidConfirmation, u"unknown, used or expired confirmation"_s);
    auto consumed = tokenstore::consume(tx->db(), (*row)->id, now);
    if (!consumed)
        return dbFail(consumed.error());
    if (!*consumed)
        return fail(ErrorCode::InvalidConfirmation, u"confirmation consumed concurrently"_s);
    auto found = accountstore::findById(tx->db(), (*row)->userId);
    if (!found)
        return dbFail(found.error());
    if (!*found)
        return fail(ErrorCode::InvalidConfirmation, u"account gone"_s);
    const Account &account = **found;
    if (account.status != AccountStatus::Active) {
        // The confirmation is spent either way: a refused login is audited and committed.
        const ErrorCode code =
            account.status == AccountStatus::PendingApproval ? ErrorCode::PendingApproval
            : account.status == AccountStatus::Disabled      ? ErrorCode::AccountDisabled
                                                             : ErrorCode::NotVerified;
        if (auto r = auditlog::record(tx->db(), now, u"user:"_s + account.id,
                                      u"oauth.login_refused"_s, account.id,
                                      toString(account.status) + u" from "_s + request.remoteIp);
            !r)
            return dbFail(r.error());
        if (auto r = tx->commit(); !r)
            return dbFail(r.error());
        return fail(code, account.id);
    }
    auto result = SessionService(m_ctx).admit(tx->db(), account,
                                              u"oauth from "_s + request.remoteIp, request);
    if (!result)
        return result;
    if (auto r = tx->commit(); !r)
        return dbFail(r.error());
    if (!result->mfaRequired())
        emit m_ctx.events.userLoggedIn(account.id);
    return result;
}

} // namespace sd::core
