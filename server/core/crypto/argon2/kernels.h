#pragma once

#include <cstdint>

namespace sd::core::argon2 {

// One argon2 memory block: 1 KiB, 128 little-endian words, aligned for 256-bit loads.
struct alignas(64) Block
{
    uint64_t v[128];
};

// The compression function G of RFC 9106 3.5 (BLAKE2b's round with multiplications, over rows
// then columns): next = G(prev, ref), or next ^= G(prev, ref) when `withXor` (passes after the
// first, version 0x13). `next` may alias `ref` (address generation), never `prev`.
using FillBlock = void (*)(const Block *prev, const Block *ref, Block *next, bool withXor);

enum class Kernel
{
    Portable,
    Sse2,
    Avx2,
};

void fillBlockPortable(const Block *prev, const Block *ref, Block *next, bool withXor);
#if defined(__x86_64__)
void fillBlockSse2(const Block *prev, const Block *ref, Block *next, bool withXor);
void fillBlockAvx2(const Block *prev, const Block *ref, Block *next, bool withXor);
#endif

// The fastest kernel this CPU runs (AVX2, else SSE2 on x86-64, else portable), chosen once.
Kernel bestKernel();
bool kernelSupported(Kernel kernel);
FillBlock fillBlockFor(Kernel kernel);
const char *kernelName(Kernel kernel);

} // namespace sd::core::argon2
