// Milliseconds per argon2id hash at SignupDesk's cost (m=19456 KiB, t=2, p=1, 16-byte salt,
// 32-byte tag) through every implementation Debian 12 offers and through ours
// (crypto/argon2, each kernel this CPU runs), in one process, interleaved round by round so
// a change in the machine's load hits all alike. All must print the same tag.
//
//   build/tests/bench/bench_argon2 [rounds=5] [hashes per round=10]
#include "crypto/argon2/argon2id.h"

#include <argon2.h>
#include <botan/pwdhash.h>
#include <gcrypt.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace a2 = sd::core::argon2;

namespace {

constexpr uint32_t kMemoryKib = 19456, kPasses = 2, kLanes = 1;
const char kPassword[] = "correct horse battery staple";
const unsigned char kSalt[16] = {'s', 'a', 'l', 't', 's', 'a', 'l', 't',
                                 's', 'a', 'l', 't', '1', '6', 'b', 'y'};

struct Candidate
{
    std::string name;
    std::function<bool(unsigned char *tag)> hash;
    std::vector<double> ms;
};

} // namespace

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    const int perRound = argc > 2 ? std::atoi(argv[2]) : 10;
    const size_t pwdLen = std::strlen(kPassword);
    if (sodium_init() < 0 || !gcry_check_version(nullptr))
        return 1;
    auto botan = Botan::PasswordHashFamily::create_or_throw("Argon2id")
                     ->from_params(kMemoryKib, kPasses, kLanes);

    std::vector<Candidate> all;
    all.push_back({"libargon2 (Debian, reference code)",
                   [&](unsigned char *tag) {
                       return argon2id_hash_raw(kPasses, kMemoryKib, kLanes, kPassword, pwdLen,
                                                kSalt, 16, tag, 32) == ARGON2_OK;
                   },
                   {}});
    all.push_back({"libsodium 1.0.18",
                   [&](unsigned char *tag) {
                       return crypto_pwhash(tag, 32, kPassword, pwdLen, kSalt, kPasses,
                                            size_t(kMemoryKib) * 1024,
                                            crypto_pwhash_ALG_ARGON2ID13) == 0;
                   },
                   {}});
    all.push_back({"Botan 2.19",
                   [&](unsigned char *tag) {
                       botan->derive_key(tag, 32, kPassword, pwdLen, kSalt, 16);
                       return true;
                   },
                   {}});
    all.push_back({"libgcrypt 1.10",
                   [&](unsigned char *tag) {
                       unsigned long params[4] = {32, kPasses, kMemoryKib, kLanes};
                       gcry_kdf_hd_t h;
                       if (gcry_kdf_open(&h, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, params, 4,
                                         kPassword, pwdLen, kSalt, 16, nullptr, 0, nullptr, 0))
                           return false;
                       const bool ok = !gcry_kdf_compute(h, nullptr) && !gcry_kdf_final(h, 32, tag);
                       gcry_kdf_close(h);
                       return ok;
                   },
                   {}});
    for (a2::Kernel k : {a2::Kernel::Portable, a2::Kernel::Sse2, a2::Kernel::Avx2}) {
        if (!a2::kernelSupported(k))
            continue;
        all.push_back({std::string("SignupDesk crypto/argon2, ") + a2::kernelName(k) +
                           (k == a2::bestKernel() ? " (chosen)" : ""),
                       [k](unsigned char *tag) {
                           a2::Extras extras;
                           extras.kernel = k;
                           return a2::hashRaw({kMemoryKib, kPasses, kLanes}, kPassword,
                                              std::strlen(kPassword), kSalt, 16, tag, 32, extras);
                       },
                       {}});
    }

    unsigned char first[32] = {};
    for (size_t i = 0; i < all.size(); ++i) {
        unsigned char tag[32];
        if (!all[i].hash(tag)) { // warm-up, and the check that all agree
            std::fprintf(stderr, "%s failed\n", all[i].name.c_str());
            return 1;
        }
        if (i == 0)
            std::memcpy(first, tag, 32);
        else if (std::memcmp(first, tag, 32) != 0) {
            std::fprintf(stderr, "%s gives another tag than libargon2\n", all[i].name.c_str());
            return 1;
        }
    }
    for (int r = 0; r < rounds; ++r) {
        for (auto &c : all) {
            unsigned char tag[32];
            const auto start = std::chrono::steady_clock::now();
            for (int n = 0; n < perRound; ++n)
                c.hash(tag);
            c.ms.push_back(
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count() /
                perRound);
        }
    }
    std::printf("ms per hash, argon2id m=%u KiB t=%u p=%u, %d rounds x %d hashes\n", kMemoryKib,
                kPasses, kLanes, rounds, perRound);
    std::printf("%-44s %8s %8s\n", "implementation", "best", "median");
    for (auto &c : all) {
        std::sort(c.ms.begin(), c.ms.end());
        std::printf("%-44s %8.2f %8.2f\n", c.name.c_str(), c.ms.front(), c.ms[c.ms.size() / 2]);
    }
    return 0;
}
