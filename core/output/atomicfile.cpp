#include "core/output/atomicfile.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace webthreat {

namespace {
constexpr std::size_t kBufferBytes = 1u << 20;
} // namespace

AtomicFile::AtomicFile(std::string path)
    : m_path(std::move(path))
{
    if (m_path.empty())
        throw OutputError("no output file name given");
    std::filesystem::path target(m_path);
    std::error_code error;
    if (std::filesystem::is_directory(target, error))
        throw OutputError(m_path + ": is a folder, not a file");
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written straight through: renaming a
    // temporary file over it would replace the device with a plain file (as root, /dev/null itself).
    if (isDeviceOrPipe(m_path)) {
        m_descriptor = ::open(m_path.c_str(), O_WRONLY | O_CLOEXEC);
        if (m_descriptor < 0) {
            const int code = errno;
            throw OutputError(m_path + ": cannot open it for writing: " + std::strerror(code));
        }
        m_direct = true;
        m_buffer.reserve(kBufferBytes);
        return;
    }
    const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string pattern = (folder / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    m_descriptor = ::mkstemp(name.data());
    if (m_descriptor < 0) {
        const int code = errno;
        throw OutputError(m_path + ": cannot create a file in '" + folder.string() + "': " + std::strerror(code));
    }
    m_temporaryPath = name.data();
    // mkstemp makes the file private (0600); an output file should get the usual permissions.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(m_descriptor, 0666 & ~mask);
    m_buffer.reserve(kBufferBytes);
}

AtomicFile::~AtomicFile()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
    if (!m_committed && !m_direct && !m_temporaryPath.empty())
        ::unlink(m_temporaryPath.c_str());
}

void AtomicFile::fail(const std::string& action, int error)
{
    if (m_descriptor >= 0) {
        ::close(m_descriptor);
        m_descriptor = -1;
    }
    if (!m_direct)
        ::unlink(m_temporaryPath.c_str());
    m_temporaryPath.clear();
    std::string reason = std::strerror(error);
    if (error == ENOSPC)
        reason = "the disk is full";
    throw OutputError(m_path + ": " + action + " failed: " + reason + "; the previous file, if any, is unchanged");
}

void AtomicFile::flushBuffer()
{
    const char* data = m_buffer.data();
    std::size_t left = m_buffer.size();
    while (left > 0) {
        const ssize_t written = ::write(m_descriptor, data, left);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            fail("writing", errno);
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    m_buffer.clear();
}

void AtomicFile::write(std::string_view bytes)
{
    if (m_descriptor < 0)
        throw OutputError(m_path + ": write after the file was closed");
    if (m_buffer.size() + bytes.size() > kBufferBytes)
        flushBuffer();
    if (bytes.size() > kBufferBytes) {
        m_buffer.assign(bytes);
        flushBuffer();
        return;
    }
    m_buffer.append(bytes);
}

void AtomicFile::commit()
{
    if (m_descriptor < 0)
        throw OutputError(m_path + ": commit after the file was closed");
    flushBuffer();
    if (m_direct) {
        // Nothing to rename; a device or pipe has no disk to flush to.
        const int closed = ::close(m_descriptor);
        m_descriptor = -1;
        if (closed != 0)
            fail("closing", errno);
        m_committed = true;
        return;
    }
    if (::fsync(m_descriptor) != 0)
        fail("flushing to disk", errno);
    if (::close(m_descriptor) != 0) {
        m_descriptor = -1;
        fail("closing", errno);
    }
    m_descriptor = -1;
    if (::rename(m_temporaryPath.c_str(), m_path.c_str()) != 0)
        fail("renaming into place", errno);
    m_committed = true;
}

bool isDeviceOrPipe(const std::string& path)
{
    struct stat status { };
    return ::stat(path.c_str(), &status) == 0 && !S_ISREG(status.st_mode) && !S_ISDIR(status.st_mode);
}

void writeFileAtomically(const std::string& path, std::string_view bytes)
{
    AtomicFile file(path);
    file.write(bytes);
    file.commit();
}

} // namespace webthreat
