#pragma once

#include "kernels.h"

#include <cstddef>
#include <cstdint>

namespace sd::core::argon2 {

struct Cost
{
    uint32_t memoryKib = 0;
    uint32_t iterations = 0;
    uint32_t parallelism = 0;
};

// What the product never sets: RFC 9106's secret K and associated data X (its test vector
// has both), and the kernel (default: the fastest this CPU runs; tests compare them all).
struct Extras
{
    const void *secret = nullptr;
    size_t secretSize = 0;
    const void *associated = nullptr;
    size_t associatedSize = 0;
    Kernel kernel = bestKernel();
};

// argon2id, version 0x13 (RFC 9106): the same bytes as libargon2's argon2id_hash_raw (or
// argon2_ctx with a secret and associated data). Lanes are filled one after the other on the
// calling thread. Returns false, writing nothing, for costs or lengths argon2 does not allow (then
// ask libargon2 for the reason).
//
// Memory: each thread keeps its block array between hashes (no 19 MiB allocation and page
// faults per hash), up to kKeptBytes; a larger one is made for the one hash and released.
// So a process's argon2 memory is at most (threads that hash) x max(cost, kKeptBytes) while
// they hash, and (threads that have hashed) x the largest kept array after.
bool hashRaw(const Cost &cost, const void *password, size_t passwordSize, const void *salt,
             size_t saltSize, void *tag, size_t tagSize, const Extras &extras = {});

inline constexpr size_t kKeptBytes = size_t(64) << 20;

// Bytes of the calling thread's kept block array (0 before its first hash): for tests.
size_t keptBytesOnThisThread();

} // namespace sd::core::argon2
