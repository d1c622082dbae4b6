#pragma once

#include <cstddef>
#include <cstdint>

namespace sd::core::argon2 {

// BLAKE2b (RFC 7693), unkeyed, 1 to 64 output bytes: the hash inside argon2 (H0 and H'). A
// small port, since libargon2 exports none of its internals; tests compare it with OpenSSL's
// BLAKE2b-512 and, through argon2id, with libargon2.
class Blake2b
{
public:
    explicit Blake2b(size_t outlen);
    void update(const void *data, size_t size);
    void updateLe32(uint32_t value);
    void final(void *out);

    static void hash(void *out, size_t outlen, const void *data, size_t size);

private:
    void compress(const uint8_t *block, bool last);

    uint64_t m_h[8];
    uint64_t m_counter = 0; // bytes compressed so far (inputs stay far below 2^64)
    uint8_t m_buffer[128];
    size_t m_buffered = 0;
    size_t m_outlen;
};

} // namespace sd::core::argon2
