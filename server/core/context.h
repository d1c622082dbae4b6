#pragma once

#include "accounts/sessioncache.h"
#include "afteranswer.h"
#include "clock.h"
#include "config.h"
#include "crypto/passwordhasher.h"
#include "crypto/secretbox.h"
#include "crypto/tokendigest.h"
#include "database.h"
#include "events.h"
#include "livesettings.h"
#include "ratelimiter.h"
#include "validation/signupvalidator.h"

namespace sd::core {

class SessionReader; // flows/login/sessionreader.h

// What every flow needs, handed in by the composition root (app/). No globals.
struct Context
{
    // The start-up settings. The live ones (signup/enabled, TTLs, …: LiveSettings) are read
    // from `live`, once per operation, so one operation sees one consistent set.
    const Config &config;
    store::Database &database;
    const Clock &clock;
    const PasswordHasher &hasher;
    const TokenDigest &digest;
    RateLimiter &limiter;
    const SignupValidator &validator;
    Events &events;
    SessionCache &sessionCache;
    LiveConfig &live;
    // Work that runs after the answer (mail of resend and email-link requests).
    AfterAnswer &afterAnswer;
    // Seals the TOTP secrets (flows/mfa): the one reversible secret at rest.
    const SecretBox &secrets;
    // The base of every link in an email; fixed before the server takes requests.
    QString publicUrl;
    // Session checks that missed the cache, batched off the server threads (PostgreSQL only;
    // null on SQLite, whose checks read the local file where they are asked).
    SessionReader *sessionReader = nullptr;
};

} // namespace sd::core
