#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace webthreat {

// Writes a file so that it appears whole or not at all: the bytes go to a temporary file in the
// same folder, which commit() flushes to disk and renames over the target. Destroying an
// uncommitted AtomicFile removes the temporary file and leaves any earlier target untouched.
// A target that exists and is not a regular file (/dev/null, a FIFO) is written in place instead.
// Failures (unwritable folder, full disk) throw OutputError naming the file and the reason.
class AtomicFile {
public:
    explicit AtomicFile(std::string path);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    ~AtomicFile();

    void write(std::string_view bytes);
    void commit();
    const std::string& path() const noexcept { return m_path; }

private:
    void flushBuffer();
    [[noreturn]] void fail(const std::string& action, int error);

    std::string m_path;
    std::string m_temporaryPath;
    int m_descriptor = -1;
    std::string m_buffer;
    bool m_committed = false;
    bool m_direct = false; // the target is a device or pipe, written in place
};

// Whether path names an existing device or pipe (/dev/null, a FIFO), which AtomicFile writes in
// place and which has no folder of its own for files beside it.
bool isDeviceOrPipe(const std::string& path);

// Writes bytes to path atomically, in one call.
void writeFileAtomically(const std::string& path, std::string_view bytes);

} // namespace webthreat

#include <streambuf>

namespace webthreat {

// An std::streambuf over an AtomicFile, for code that writes to an std::ostream.
class AtomicFileBuffer : public std::streambuf {
public:
    explicit AtomicFileBuffer(AtomicFile& file)
        : m_file(file)
    {
    }

protected:
    std::streamsize xsputn(const char* data, std::streamsize count) override
    {
        m_file.write(std::string_view(data, static_cast<std::size_t>(count)));
        return count;
    }
    int_type overflow(int_type c) override
    {
        if (c != traits_type::eof()) {
            const char byte = static_cast<char>(c);
            m_file.write(std::string_view(&byte, 1));
        }
        return c;
    }

private:
    AtomicFile& m_file;
};

} // namespace webthreat
