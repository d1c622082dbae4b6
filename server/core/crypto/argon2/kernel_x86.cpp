// The compression function G with SSE2 (every x86-64 CPU) and AVX2 (chosen at run time by
// bestKernel()): the same arithmetic as kernel_portable.cpp, two or four words per
// instruction. The AVX2 functions carry their own target attribute, so the rest of the
// program stays buildable and runnable on any x86-64.
#include "kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

namespace sd::core::argon2 {

namespace {

// ---- SSE2: a register holds two words; P works on 8 registers (a row or a column) ----

inline __m128i blamka2(__m128i x, __m128i y)
{
    const __m128i z = _mm_mul_epu32(x, y); // low halves multiplied, 64-bit products
    return _mm_add_epi64(_mm_add_epi64(x, y), _mm_add_epi64(z, z));
}

template <int N> inline __m128i rotr2(__m128i x)
{
    return _mm_or_si128(_mm_srli_epi64(x, N), _mm_slli_epi64(x, 64 - N));
}

inline void gb2(__m128i &a, __m128i &b, __m128i &c, __m128i &d)
{
    a = blamka2(a, b);
    d = _mm_shuffle_epi32(_mm_xor_si128(d, a), _MM_SHUFFLE(2, 3, 0, 1)); // rotr 32
    c = blamka2(c, d);
    b = rotr2<24>(_mm_xor_si128(b, c));
    a = blamka2(a, b);
    d = rotr2<16>(_mm_xor_si128(d, a));
    c = blamka2(c, d);
    b = _mm_xor_si128(_mm_srli_epi64(b ^ c, 63), _mm_add_epi64(b ^ c, b ^ c)); // rotr 63
}

// (x[1], y[0]) from two registers.
inline __m128i hiLo(__m128i x, __m128i y)
{
    return _mm_castpd_si128(_mm_shuffle_pd(_mm_castsi128_pd(x), _mm_castsi128_pd(y), 1));
}

// P over words v0..v15 held as s[k] = (v[2k], v[2k+1]).
inline void permute2(__m128i *s[8])
{
    __m128i a0 = *s[0], a1 = *s[1], b0 = *s[2], b1 = *s[3];
    __m128i c0 = *s[4], c1 = *s[5], d0 = *s[6], d1 = *s[7];
    gb2(a0, b0, c0, d0); // columns (0,4,8,12), (1,5,9,13)
    gb2(a1, b1, c1, d1); // (2,6,10,14), (3,7,11,15)
    // Diagonals (0,5,10,15), (1,6,11,12) and (2,7,8,13), (3,4,9,14).
    __m128i e0 = hiLo(b0, b1), e1 = hiLo(b1, b0);
    __m128i f0 = hiLo(d1, d0), f1 = hiLo(d0, d1);
    gb2(a0, e0, c1, f0);
    gb2(a1, e1, c0, f1);
    *s[0] = a0;
    *s[1] = a1;
    *s[2] = hiLo(e1, e0);
    *s[3] = hiLo(e0, e1);
    *s[4] = c0;
    *s[5] = c1;
    *s[6] = hiLo(f0, f1);
    *s[7] = hiLo(f1, f0);
}

// ---- AVX2: a register holds four words; P works on 4 registers ----

__attribute__((target("avx2"))) inline __m256i blamka4(__m256i x, __m256i y)
{
    const __m256i z = _mm256_mul_epu32(x, y);
    return _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(z, z));
}

__attribute__((target("avx2"))) inline void gb4(__m256i &a, __m256i &b, __m256i &c, __m256i &d)
{
    const __m256i rot24 = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3,
                                           4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    const __m256i rot16 = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2,
                                           3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    a = blamka4(a, b);
    d = _mm256_shuffle_epi32(_mm256_xor_si256(d, a), _MM_SHUFFLE(2, 3, 0, 1));
    c = blamka4(c, d);
    b = _mm256_shuffle_epi8(_mm256_xor_si256(b, c), rot24);
    a = blamka4(a, b);
    d = _mm256_shuffle_epi8(_mm256_xor_si256(d, a), rot16);
    c = blamka4(c, d);
    const __m256i x = _mm256_xor_si256(b, c);
    b = _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

// P over words v0..v15 held as a = v0..3, b = v4..7, c = v8..11, d = v12..15: the columns
// are the lanes; rotating b, c, d by 1, 2, 3 lanes lines up the diagonals.
__attribute__((target("avx2"))) inline void permute4(__m256i &a, __m256i &b, __m256i &c, __m256i &d)
{
    gb4(a, b, c, d);
    b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
    c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
    gb4(a, b, c, d);
    b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
    c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
    d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
}

__attribute__((target("avx2"))) inline __m256i pair(const __m128i *lo, const __m128i *hi)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_load_si128(lo)), _mm_load_si128(hi),
                                   1);
}

__attribute__((target("avx2"))) inline void unpair(__m256i x, __m128i *lo, __m128i *hi)
{
    _mm_store_si128(lo, _mm256_castsi256_si128(x));
    _mm_store_si128(hi, _mm256_extracti128_si256(x, 1));
}

} // namespace

void fillBlockSse2(const Block *prev, const Block *ref, Block *next, bool withXor)
{
    alignas(64) __m128i r[64];
    alignas(64) __m128i q[64];
    const auto *p = reinterpret_cast<const __m128i *>(prev->v);
    const auto *f = reinterpret_cast<const __m128i *>(ref->v);
    for (int k = 0; k < 64; ++k)
        q[k] = r[k] = _mm_xor_si128(_mm_load_si128(p + k), _mm_load_si128(f + k));
    // Register k holds words 2k, 2k+1: row `i` is registers 8i..8i+7, column `i` is i, i+8, ….
    for (int i = 0; i < 8; ++i) {
        __m128i *s[8];
        for (int k = 0; k < 8; ++k)
            s[k] = &q[8 * i + k];
        permute2(s);
    }
    for (int i = 0; i < 8; ++i) {
        __m128i *s[8];
        for (int k = 0; k < 8; ++k)
            s[k] = &q[i + 8 * k];
        permute2(s);
    }
    auto *out = reinterpret_cast<__m128i *>(next->v);
    for (int k = 0; k < 64; ++k) {
        __m128i z = _mm_xor_si128(q[k], r[k]);
        if (withXor)
            z = _mm_xor_si128(z, _mm_load_si128(out + k));
        _mm_store_si128(out + k, z);
    }
}

__attribute__((target("avx2"))) void fillBlockAvx2(const Block *prev, const Block *ref, Block *next,
                                                   bool withXor)
{
    alignas(64) __m256i r[32];
    alignas(64) __m256i q[32];
    const auto *p = reinterpret_cast<const __m256i *>(prev->v);
    const auto *f = reinterpret_cast<const __m256i *>(ref->v);
    for (int k = 0; k < 32; ++k)
        q[k] = r[k] = _mm256_xor_si256(_mm256_load_si256(p + k), _mm256_load_si256(f + k));
    // Row i: words 16i..16i+15, four registers in a row.
    for (int i = 0; i < 8; ++i)
        permute4(q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3]);
    // Column i: word pairs (2i, 2i+1) + 16k; two pairs make a register.
    auto *h = reinterpret_cast<__m128i *>(q);
    for (int i = 0; i < 8; ++i) {
        __m256i a = pair(h + i, h + i + 8), b = pair(h + i + 16, h + i + 24);
        __m256i c = pair(h + i + 32, h + i + 40), d = pair(h + i + 48, h + i + 56);
        permute4(a, b, c, d);
        unpair(a, h + i, h + i + 8);
        unpair(b, h + i + 16, h + i + 24);
        unpair(c, h + i + 32, h + i + 40);
        unpair(d, h + i + 48, h + i + 56);
    }
    auto *out = reinterpret_cast<__m256i *>(next->v);
    for (int k = 0; k < 32; ++k) {
        __m256i z = _mm256_xor_si256(q[k], r[k]);
        if (withXor)
            z = _mm256_xor_si256(z, _mm256_load_si256(out + k));
        _mm256_store_si256(out + k, z);
    }
}

} // namespace sd::core::argon2

#endif
