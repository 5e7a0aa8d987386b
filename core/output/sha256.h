#pragma once

#include "core/util/progress.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace webthreat {

// SHA-256 (FIPS 180-4), streaming: feed bytes in any number of update() calls, then finish().
// Small and dependency-free so that core can fingerprint its input without Qt or OpenSSL.
class Sha256 {
public:
    using Digest = std::array<std::uint8_t, 32>;
    // Best uses the x86 SHA extensions where the processor has them (about 5x faster), else the
    // portable code; Portable always uses the portable code (so tests can check both).
    enum class Implementation { Best, Portable };

    explicit Sha256(Implementation implementation = Implementation::Best);
    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // The digest of everything fed so far. The object must not be updated afterwards.
    Digest finish();

    static std::string toHex(const Digest& digest);
    // Whether Best means the SHA extensions on this processor.
    static bool hardwareAvailable();

private:
    void compress(const std::uint8_t* blocks, std::size_t count);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_block{};
    std::size_t m_blockUsed = 0;
    std::uint64_t m_totalBytes = 0;
    bool m_hardware = false;
};

// Lower-case hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file, read in blocks (memory does not grow with the file). Reports
// progress as stage "fingerprint" and polls cancel between blocks. Throws InputError naming the
// file when it cannot be opened or read.
std::string sha256FileHex(const std::string& path, const Progress& progress = {});

} // namespace webthreat
