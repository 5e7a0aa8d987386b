#include "core/output/sha256.h"

#include "core/util/errors.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace webthreat {

void Sha256::FreeContext::operator()(evp_md_ctx_st* context) const noexcept
{
    EVP_MD_CTX_free(context);
}

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes)
{
    update(bytes.data(), bytes.size());
}

void Sha256::update(const void* data, std::size_t size)
{
    if (size > 0 && EVP_DigestUpdate(m_context.get(), data, size) != 1)
        throw std::runtime_error("OpenSSL's SHA-256 digest failed");
}

Sha256::Digest Sha256::finish()
{
    Digest digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_context.get(), digest.data(), &length) != 1 || length != digest.size())
        throw std::runtime_error("OpenSSL's SHA-256 digest failed");
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
    struct stat status { };
    const double size
        = ::fstat(descriptor, &status) == 0 && status.st_size > 0 ? static_cast<double>(status.st_size) : 0.0;
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
            throw InputError(path, 0, "",
                             std::string("cannot read the file to fingerprint it: ") + std::strerror(errno));
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
