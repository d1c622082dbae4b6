#include "blake2b.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace sd::core::argon2 {

static_assert(std::endian::native == std::endian::little, "argon2 code reads words in place");

namespace {

constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                             0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                             0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

inline void mix(uint64_t *v, int a, int b, int c, int d, uint64_t x, uint64_t y)
{
    v[a] = v[a] + v[b] + x;
    v[d] = std::rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = std::rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = std::rotr(v[b] ^ v[c], 63);
}

} // namespace

Blake2b::Blake2b(size_t outlen) : m_outlen(outlen)
{
    std::memcpy(m_h, kIv, sizeof m_h);
    m_h[0] ^= 0x01010000ULL ^ outlen; // depth 1, fanout 1, no key
}

void Blake2b::compress(const uint8_t *block, bool last)
{
    uint64_t m[16];
    std::memcpy(m, block, sizeof m);
    uint64_t v[16];
    std::memcpy(v, m_h, sizeof m_h);
    std::memcpy(v + 8, kIv, sizeof kIv);
    v[12] ^= m_counter;
    if (last)
        v[14] = ~v[14];
    for (const auto &s : kSigma) {
        mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i)
        m_h[i] ^= v[i] ^ v[i + 8];
}

void Blake2b::update(const void *data, size_t size)
{
    const auto *in = static_cast<const uint8_t *>(data);
    while (size > 0) {
        // The last block is compressed by final() with the last-block flag, so a full buffer
        // waits until more input comes.
        if (m_buffered == sizeof m_buffer) {
            m_counter += sizeof m_buffer;
            compress(m_buffer, false);
            m_buffered = 0;
        }
        const size_t take = std::min(size, sizeof m_buffer - m_buffered);
        std::memcpy(m_buffer + m_buffered, in, take);
        m_buffered += take;
        in += take;
        size -= take;
    }
}

void Blake2b::updateLe32(uint32_t value)
{
    update(&value, sizeof value); // little-endian host (asserted above)
}

void Blake2b::final(void *out)
{
    m_counter += m_buffered;
    std::memset(m_buffer + m_buffered, 0, sizeof m_buffer - m_buffered);
    compress(m_buffer, true);
    std::memcpy(out, m_h, m_outlen);
    std::memset(m_buffer, 0, sizeof m_buffer);
    std::memset(m_h, 0, sizeof m_h);
}

void Blake2b::hash(void *out, size_t outlen, const void *data, size_t size)
{
    Blake2b b(outlen);
    b.update(data, size);
    b.final(out);
}

} // namespace sd::core::argon2
