#include "argon2id.h"

#include "blake2b.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <sys/mman.h>

namespace sd::core::argon2 {

namespace {

constexpr uint32_t kSyncPoints = 4;
constexpr uint32_t kVersion = 0x13;
constexpr uint32_t kTypeId = 2;
constexpr size_t kPrehashBytes = 64;

// Block memory from mmap, 2 MiB-aligned and marked for transparent huge pages: the fill reads
// blocks at random across 19 MiB, and 4 KiB pages would cost a TLB miss on most of them.
class BlockArray
{
public:
    BlockArray() = default;
    BlockArray(const BlockArray &) = delete;
    BlockArray &operator=(const BlockArray &) = delete;
    ~BlockArray() { release(); }

    bool reserve(size_t blocks)
    {
        if (blocks <= m_blocks)
            return true;
        release();
        const size_t bytes = (blocks * sizeof(Block) + kHuge - 1) / kHuge * kHuge;
        void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return false;
        (void)madvise(p, bytes, MADV_HUGEPAGE); // advice only: fine when refused
        m_data = static_cast<Block *>(p);
        m_bytes = bytes;
        m_blocks = bytes / sizeof(Block);
        return true;
    }
    void release()
    {
        if (m_data)
            munmap(m_data, m_bytes);
        m_data = nullptr;
        m_bytes = m_blocks = 0;
    }
    Block *data() const { return m_data; }
    size_t bytes() const { return m_bytes; }

private:
    static constexpr size_t kHuge = size_t(2) << 20;
    Block *m_data = nullptr;
    size_t m_bytes = 0;
    size_t m_blocks = 0;
};

thread_local BlockArray t_kept;

// H' of RFC 9106 3.3: BLAKE2b with any output length, chained 32 bytes at a time.
void hashLong(void *out, uint32_t outlen, const void *in, size_t inlen)
{
    auto *dst = static_cast<uint8_t *>(out);
    if (outlen <= 64) {
        Blake2b b(outlen);
        b.updateLe32(outlen);
        b.update(in, inlen);
        b.final(dst);
        return;
    }
    uint8_t v[64];
    Blake2b b(64);
    b.updateLe32(outlen);
    b.update(in, inlen);
    b.final(v);
    std::memcpy(dst, v, 32);
    dst += 32;
    uint32_t left = outlen - 32;
    while (left > 64) {
        uint8_t w[64];
        Blake2b::hash(w, 64, v, 64);
        std::memcpy(v, w, 64);
        std::memcpy(dst, v, 32);
        dst += 32;
        left -= 32;
    }
    uint8_t w[64];
    Blake2b::hash(w, left, v, 64);
    std::memcpy(dst, w, left);
    std::memset(v, 0, sizeof v);
    std::memset(w, 0, sizeof w);
}

struct Instance
{
    Block *memory;
    uint32_t passes, lanes, laneLength, segmentLength, memoryBlocks;
    FillBlock fill;
};

// The reference index of RFC 9106 3.4.1.2, from the 32 low bits of the pseudo-random word.
uint32_t referenceIndex(const Instance &in, uint32_t pass, uint32_t slice, uint32_t index,
                        uint32_t pseudoRand, bool sameLane)
{
    uint32_t area;
    if (pass == 0) {
        if (slice == 0)
            area = index - 1;
        else if (sameLane)
            area = slice * in.segmentLength + index - 1;
        else
            area = slice * in.segmentLength - (index == 0 ? 1 : 0);
    } else {
        area = in.laneLength - in.segmentLength + (sameLane ? index - 1 : 0) -
               (!sameLane && index == 0 ? 1 : 0);
    }
    uint64_t rel = pseudoRand;
    rel = rel * rel >> 32;
    rel = area - 1 - (uint64_t(area) * rel >> 32);
    const uint32_t start =
        (pass != 0 && slice != kSyncPoints - 1) ? (slice + 1) * in.segmentLength : 0;
    return uint32_t((start + rel) % in.laneLength);
}

void fillSegment(const Instance &in, uint32_t pass, uint32_t lane, uint32_t slice)
{
    // argon2id: data-independent addresses in the first half of the first pass.
    const bool independent = pass == 0 && slice < kSyncPoints / 2;
    Block zero{};
    Block input{};
    Block addresses{};
    const auto nextAddresses = [&] {
        ++input.v[6];
        in.fill(&zero, &input, &addresses, false);
        in.fill(&zero, &addresses, &addresses, false);
    };
    if (independent) {
        input.v[0] = pass;
        input.v[1] = lane;
        input.v[2] = slice;
        input.v[3] = in.memoryBlocks;
        input.v[4] = in.passes;
        input.v[5] = kTypeId;
    }
    uint32_t start = 0;
    if (pass == 0 && slice == 0) {
        start = 2; // the first two blocks come from H'
        if (independent)
            nextAddresses();
    }
    uint32_t current = lane * in.laneLength + slice * in.segmentLength + start;
    uint32_t previous = current % in.laneLength == 0 ? current + in.laneLength - 1 : current - 1;
    for (uint32_t i = start; i < in.segmentLength; ++i, ++current, ++previous) {
        if (current % in.laneLength == 1)
            previous = current - 1;
        uint64_t pseudoRand;
        if (independent) {
            if (i % 128 == 0)
                nextAddresses();
            pseudoRand = addresses.v[i % 128];
        } else {
            pseudoRand = in.memory[previous].v[0];
        }
        uint32_t refLane = uint32_t((pseudoRand >> 32) % in.lanes);
        if (pass == 0 && slice == 0)
            refLane = lane;
        const uint32_t refIndex =
            referenceIndex(in, pass, slice, i, uint32_t(pseudoRand), refLane == lane);
        in.fill(in.memory + previous, in.memory + size_t(in.laneLength) * refLane + refIndex,
                in.memory + current, pass != 0);
    }
}

} // namespace

size_t keptBytesOnThisThread()
{
    return t_kept.bytes();
}

bool hashRaw(const Cost &cost, const void *password, size_t passwordSize, const void *salt,
             size_t saltSize, void *tag, size_t tagSize, const Extras &extras)
{
    // The limits libargon2 checks (argon2.h), so an accepted input gives its bytes.
    const uint32_t lanes = cost.parallelism;
    if (tagSize < 4 || tagSize > 0xffffffffULL || saltSize < 8 || saltSize > 0xffffffffULL ||
        passwordSize > 0xffffffffULL || cost.iterations < 1 || lanes < 1 || lanes > 0xffffff ||
        cost.memoryKib < 8 || uint64_t(cost.memoryKib) < 8ULL * lanes ||
        extras.secretSize > 0xffffffffULL || extras.associatedSize > 0xffffffffULL ||
        !kernelSupported(extras.kernel))
        return false;

    const uint32_t segmentLength = cost.memoryKib / (lanes * kSyncPoints);
    const uint32_t memoryBlocks = segmentLength * lanes * kSyncPoints;
    BlockArray own; // only for an array above the kept size
    BlockArray &array = size_t(memoryBlocks) * sizeof(Block) <= kKeptBytes ? t_kept : own;
    if (!array.reserve(memoryBlocks))
        return false;
    const Instance in{array.data(),
                      cost.iterations,
                      lanes,
                      segmentLength * kSyncPoints,
                      segmentLength,
                      memoryBlocks,
                      fillBlockFor(extras.kernel)};

    // H0 (RFC 9106 3.2), then the first two blocks of every lane.
    uint8_t h0[kPrehashBytes + 8];
    {
        Blake2b b(kPrehashBytes);
        for (uint32_t word : {lanes, uint32_t(tagSize), cost.memoryKib, cost.iterations, kVersion,
                              kTypeId, uint32_t(passwordSize)})
            b.updateLe32(word);
        b.update(password, passwordSize);
        b.updateLe32(uint32_t(saltSize));
        b.update(salt, saltSize);
        b.updateLe32(uint32_t(extras.secretSize));
        if (extras.secretSize)
            b.update(extras.secret, extras.secretSize);
        b.updateLe32(uint32_t(extras.associatedSize));
        if (extras.associatedSize)
            b.update(extras.associated, extras.associatedSize);
        b.final(h0);
    }
    for (uint32_t lane = 0; lane < lanes; ++lane) {
        for (uint32_t k = 0; k < 2; ++k) {
            std::memcpy(h0 + kPrehashBytes, &k, 4);
            std::memcpy(h0 + kPrehashBytes + 4, &lane, 4);
            hashLong(in.memory + size_t(lane) * in.laneLength + k, sizeof(Block), h0, sizeof h0);
        }
    }
    std::memset(h0, 0, sizeof h0);

    for (uint32_t pass = 0; pass < cost.iterations; ++pass)
        for (uint32_t slice = 0; slice < kSyncPoints; ++slice)
            for (uint32_t lane = 0; lane < lanes; ++lane)
                fillSegment(in, pass, lane, slice);

    Block last = in.memory[in.laneLength - 1];
    for (uint32_t lane = 1; lane < lanes; ++lane) {
        const Block &b = in.memory[size_t(lane) * in.laneLength + in.laneLength - 1];
        for (int k = 0; k < 128; ++k)
            last.v[k] ^= b.v[k];
    }
    hashLong(tag, uint32_t(tagSize), &last, sizeof last);
    std::memset(&last, 0, sizeof last);
    return true;
}

} // namespace sd::core::argon2
