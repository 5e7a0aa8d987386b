#include "core/output/sha256.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstring>
#include <vector>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define WEBTHREAT_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace webthreat {

namespace {

constexpr std::uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr std::uint32_t rotateRight(std::uint32_t value, int bits)
{
    return (value >> bits) | (value << (32 - bits));
}

void compressPortable(std::array<std::uint32_t, 8>& state, const std::uint8_t* block)
{
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = (std::uint32_t(block[4 * i]) << 24) | (std::uint32_t(block[4 * i + 1]) << 16)
            | (std::uint32_t(block[4 * i + 2]) << 8) | std::uint32_t(block[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotateRight(w[i - 15], 7) ^ rotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotateRight(w[i - 2], 17) ^ rotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t s1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
        const std::uint32_t choose = (e & f) ^ (~e & g);
        const std::uint32_t t1 = h + s1 + choose + kRound[i] + w[i];
        const std::uint32_t s0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
        const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        const std::uint32_t t2 = s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

#ifdef WEBTHREAT_SHA_NI
// The x86 SHA extensions (Intel's published scheme): the state is kept as ABEF and CDGH, each
// sha256rnds2 does two rounds, sha256msg1/msg2 extend the message schedule four words at a time.
__attribute__((target("sha,sse4.1,ssse3"))) void compressShaNi(std::array<std::uint32_t, 8>& state,
                                                              const std::uint8_t* data, std::size_t count)
{
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
    __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
    tmp = _mm_shuffle_epi32(tmp, 0xB1);             // CDAB
    state1 = _mm_shuffle_epi32(state1, 0x1B);       // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8); // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);    // CDGH

    for (; count > 0; --count, data += 64) {
        const __m128i abefSaved = state0;
        const __m128i cdghSaved = state1;
        __m128i message[4];
#pragma GCC unroll 16
        for (int group = 0; group < 16; ++group) {
            __m128i& words = message[group % 4];
            if (group < 4)
                words = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * group)), byteSwap);
            __m128i sum = _mm_add_epi32(words, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&kRound[4 * group])));
            state1 = _mm_sha256rnds2_epu32(state1, state0, sum);
            if (group >= 3 && group <= 14) {
                __m128i& next = message[(group + 1) % 4];
                next = _mm_add_epi32(next, _mm_alignr_epi8(words, message[(group + 3) % 4], 4));
                next = _mm_sha256msg2_epu32(next, words);
            }
            sum = _mm_shuffle_epi32(sum, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, sum);
            if (group >= 1 && group <= 12) {
                __m128i& previous = message[(group + 3) % 4];
                previous = _mm_sha256msg1_epu32(previous, words);
            }
        }
        state0 = _mm_add_epi32(state0, abefSaved);
        state1 = _mm_add_epi32(state1, cdghSaved);
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);          // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1);       // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);    // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8);       // ABEF
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}
#endif

} // namespace

bool Sha256::hardwareAvailable()
{
#ifdef WEBTHREAT_SHA_NI
    static const bool available = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (!__get_cpuid(1, &a, &b, &c, &d))
            return false;
        const bool sse41 = (c & (1u << 19)) != 0;
        const bool ssse3 = (c & (1u << 9)) != 0;
        if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
            return false;
        const bool sha = (b & (1u << 29)) != 0;
        return sse41 && ssse3 && sha;
    }();
    return available;
#else
    return false;
#endif
}

Sha256::Sha256(Implementation implementation)
    : m_state{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
    , m_hardware(implementation == Implementation::Best && hardwareAvailable())
{
}

void Sha256::compress(const std::uint8_t* blocks, std::size_t count)
{
#ifdef WEBTHREAT_SHA_NI
    if (m_hardware) {
        compressShaNi(m_state, blocks, count);
        return;
    }
#endif
    for (std::size_t i = 0; i < count; ++i)
        compressPortable(m_state, blocks + 64 * i);
}

void Sha256::update(const void* data, std::size_t size)
{
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    m_totalBytes += size;
    if (m_blockUsed > 0) {
        const std::size_t take = std::min(size, m_block.size() - m_blockUsed);
        std::memcpy(m_block.data() + m_blockUsed, bytes, take);
        m_blockUsed += take;
        bytes += take;
        size -= take;
        if (m_blockUsed < m_block.size())
            return;
        compress(m_block.data(), 1);
        m_blockUsed = 0;
    }
    // Whole blocks straight from the caller's buffer, without copying.
    if (size >= 64) {
        const std::size_t blocks = size / 64;
        compress(bytes, blocks);
        bytes += 64 * blocks;
        size -= 64 * blocks;
    }
    if (size > 0) {
        std::memcpy(m_block.data(), bytes, size);
        m_blockUsed = size;
    }
}

void Sha256::update(std::string_view bytes)
{
    update(bytes.data(), bytes.size());
}

Sha256::Digest Sha256::finish()
{
    const std::uint64_t bitLength = m_totalBytes * 8;
    // Padding: one 1 bit, zeros up to 56 mod 64, then the message length in bits, big-endian.
    std::uint8_t padding[72] = {0x80};
    const std::size_t padBytes = (m_blockUsed < 56 ? 56 - m_blockUsed : 120 - m_blockUsed);
    for (int i = 0; i < 8; ++i)
        padding[padBytes + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(bitLength >> (56 - 8 * i));
    const std::uint64_t total = m_totalBytes;
    update(padding, padBytes + 8);
    m_totalBytes = total;
    Digest digest{};
    for (int i = 0; i < 8; ++i) {
        digest[4 * i] = static_cast<std::uint8_t>(m_state[i] >> 24);
        digest[4 * i + 1] = static_cast<std::uint8_t>(m_state[i] >> 16);
        digest[4 * i + 2] = static_cast<std::uint8_t>(m_state[i] >> 8);
        digest[4 * i + 3] = static_cast<std::uint8_t>(m_state[i]);
    }
    return digest;
}

std::string Sha256::toHex(const Digest& digest)
{
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(64);
    for (std::uint8_t byte : digest) {
        hex.push_back(kHex[byte >> 4]);
        hex.push_back(kHex[byte & 0xf]);
    }
    return hex;
}

std::string sha256Hex(std::string_view bytes)
{
    Sha256 hash;
    hash.update(bytes);
    return Sha256::toHex(hash.finish());
}

std::string sha256FileHex(const std::string& path, const Progress& progress)
{
    const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        throw InputError(path, 0, "", std::string("cannot open the file to fingerprint it: ") + std::strerror(errno));
    struct Closer {
        int descriptor;
        ~Closer() { ::close(descriptor); }
    } closer{descriptor};
    struct stat status {};
    const double size = ::fstat(descriptor, &status) == 0 && status.st_size > 0 ? static_cast<double>(status.st_size) : 0.0;
    // 1 MiB blocks: large enough that system calls do not matter, small enough to poll cancel
    // every few milliseconds.
    std::vector<char> buffer(1u << 20);
    Sha256 hash;
    double done = 0.0;
    for (;;) {
        progress.check();
        const ssize_t got = ::read(descriptor, buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw InputError(path, 0, "", std::string("cannot read the file to fingerprint it: ") + std::strerror(errno));
        }
        if (got == 0)
            break;
        hash.update(buffer.data(), static_cast<std::size_t>(got));
        done += static_cast<double>(got);
        if (size > 0)
            progress.report("fingerprint", std::min(1.0, done / size));
    }
    return Sha256::toHex(hash.finish());
}

} // namespace webthreat
