#pragma once

#include "core/progress.h"

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

    Sha256();
    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // The digest of everything fed so far. The object must not be updated afterwards.
    Digest finish();

    static std::string toHex(const Digest& digest);

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_block{};
    std::size_t m_blockUsed = 0;
    std::uint64_t m_totalBytes = 0;
};

// Lower-case hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file, read in blocks (memory does not grow with the file). Reports
// progress as stage "fingerprint" and polls cancel between blocks. Throws InputError naming the
// file when it cannot be opened or read.
std::string sha256FileHex(const std::string& path, const Progress& progress = {});

} // namespace webthreat
