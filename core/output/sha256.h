#pragma once

#include "core/util/progress.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX, kept out of this header so that core links OpenSSL privately

namespace webthreat {

// SHA-256 (FIPS 180-4), streaming: feed bytes in any number of update() calls, then finish().
// A thin wrapper over OpenSSL's libcrypto (EVP digests), which picks the processor's SHA or AVX2
// code itself; our own implementation went in its favour (issue 14).
class Sha256 {
public:
    using Digest = std::array<std::uint8_t, 32>;

    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    void update(const void* data, std::size_t size);
    // The digest of everything fed so far. The object must not be updated afterwards.
    Digest finish();

    static std::string toHex(const Digest& digest);

private:
    struct FreeContext {
        void operator()(evp_md_ctx_st* context) const noexcept;
    };
    std::unique_ptr<evp_md_ctx_st, FreeContext> m_context;
};

// Lower-case hex SHA-256 of bytes.
std::string sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file, read in blocks (memory does not grow with the file). Reports
// progress as stage "fingerprint" and polls cancel between blocks. Throws InputError naming the
// file when it cannot be opened or read.
std::string sha256FileHex(const std::string& path, const Progress& progress = {});

} // namespace webthreat
