#pragma once

#include <QString>

#include <atomic>
#include <optional>

namespace sd::core {

struct Argon2Params
{
    quint32 memoryKib = 19456; // OWASP: m=19 MiB, t=2, p=1
    quint32 iterations = 2;
    quint32 parallelism = 1;

    static Argon2Params owaspDefaults() { return {}; }
    // Parses the parameters of a PHC string "$argon2id$v=19$m=…,t=…,p=…$salt$hash".
    static std::optional<Argon2Params> fromPhc(const QString &phc);
};

// argon2id: 16-byte random salt, 32-byte tag, PHC strings as libargon2 writes them. Computed
// by crypto/argon2 (bit-exact with libargon2, SIMD block fill chosen at run time, each thread's
// block memory kept between hashes); libargon2 verifies any PHC form our code does not write. The
// cost is injectable so tests stay fast. Counts its hash computations (a verify is one), so tests
// can prove every login branch spends the same work. Thread-safe.
class PasswordHasher
{
public:
    explicit PasswordHasher(Argon2Params params = Argon2Params::owaspDefaults());

    const Argon2Params &params() const { return m_params; }

    QString hash(const QString &password) const;
    bool verify(const QString &password, const QString &phc) const;
    // True when the stored hash is weaker than the configured cost: rehash at the next login.
    bool needsRehash(const QString &phc) const;
    // Spends one verification against a hash made at the live cost, so unknown users cost the
    // same as known ones. Always false.
    bool verifyDummy(const QString &password) const;

    quint64 hashCount() const { return m_hashCount.load(); }
    // Hashes being computed right now, on any thread (/metrics: signupdesk_password_hash_queue).
    int inProgress() const { return m_inProgress.load(std::memory_order_relaxed); }

private:
    Argon2Params m_params;
    QString m_dummyHash;
    mutable std::atomic<quint64> m_hashCount{0};
    mutable std::atomic<int> m_inProgress{0};
    struct InProgress
    {
        explicit InProgress(std::atomic<int> &n) : count(n) { count.fetch_add(1); }
        ~InProgress() { count.fetch_sub(1); }
        std::atomic<int> &count;
    };
};

} // namespace sd::core
