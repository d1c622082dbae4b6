#include "kernels.h"

#include <bit>
#include <cstring>

namespace sd::core::argon2 {

namespace {

inline uint64_t blamka(uint64_t x, uint64_t y)
{
    return x + y + 2 * (x & 0xffffffffULL) * (y & 0xffffffffULL);
}

inline void gb(uint64_t &a, uint64_t &b, uint64_t &c, uint64_t &d)
{
    a = blamka(a, b);
    d = std::rotr(d ^ a, 32);
    c = blamka(c, d);
    b = std::rotr(b ^ c, 24);
    a = blamka(a, b);
    d = std::rotr(d ^ a, 16);
    c = blamka(c, d);
    b = std::rotr(b ^ c, 63);
}

// The permutation P on 16 words given by their indices into the block.
inline void permute(uint64_t *w, const int (&i)[16])
{
    gb(w[i[0]], w[i[4]], w[i[8]], w[i[12]]);
    gb(w[i[1]], w[i[5]], w[i[9]], w[i[13]]);
    gb(w[i[2]], w[i[6]], w[i[10]], w[i[14]]);
    gb(w[i[3]], w[i[7]], w[i[11]], w[i[15]]);
    gb(w[i[0]], w[i[5]], w[i[10]], w[i[15]]);
    gb(w[i[1]], w[i[6]], w[i[11]], w[i[12]]);
    gb(w[i[2]], w[i[7]], w[i[8]], w[i[13]]);
    gb(w[i[3]], w[i[4]], w[i[9]], w[i[14]]);
}

} // namespace

void fillBlockPortable(const Block *prev, const Block *ref, Block *next, bool withXor)
{
    Block r;
    Block q;
    for (int k = 0; k < 128; ++k)
        r.v[k] = prev->v[k] ^ ref->v[k];
    q = r;
    // Rows: 16 consecutive words each; columns: word pairs 2c, 2c+1 of every row.
    for (int row = 0; row < 8; ++row) {
        int idx[16];
        for (int k = 0; k < 16; ++k)
            idx[k] = 16 * row + k;
        permute(q.v, idx);
    }
    for (int col = 0; col < 8; ++col) {
        int idx[16];
        for (int k = 0; k < 8; ++k) {
            idx[2 * k] = 2 * col + 16 * k;
            idx[2 * k + 1] = 2 * col + 16 * k + 1;
        }
        permute(q.v, idx);
    }
    for (int k = 0; k < 128; ++k)
        next->v[k] = (withXor ? next->v[k] : 0) ^ q.v[k] ^ r.v[k];
}

Kernel bestKernel()
{
#if defined(__x86_64__)
    static const Kernel best = __builtin_cpu_supports("avx2") ? Kernel::Avx2 : Kernel::Sse2;
    return best;
#else
    return Kernel::Portable;
#endif
}

bool kernelSupported(Kernel kernel)
{
    switch (kernel) {
    case Kernel::Portable:
        return true;
#if defined(__x86_64__)
    case Kernel::Sse2:
        return true; // part of x86-64
    case Kernel::Avx2:
        return __builtin_cpu_supports("avx2");
#else
    default:
        return false;
#endif
    }
    return false;
}

FillBlock fillBlockFor(Kernel kernel)
{
    switch (kernel) {
#if defined(__x86_64__)
    case Kernel::Sse2:
        return fillBlockSse2;
    case Kernel::Avx2:
        return fillBlockAvx2;
#endif
    default:
        return fillBlockPortable;
    }
}

const char *kernelName(Kernel kernel)
{
    switch (kernel) {
    case Kernel::Sse2:
        return "sse2";
    case Kernel::Avx2:
        return "avx2";
    default:
        return "portable";
    }
}

} // namespace sd::core::argon2
