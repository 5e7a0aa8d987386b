#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace webthreat {

// A file opened for reading in blocks: its size when the system can tell it (0 otherwise), and
// read(), a pull for the readers that names the file when reading fails. Opening it throws
// InputError naming the file and the system's reason.
class InputFile {
public:
    explicit InputFile(const std::string& path);
    std::uint64_t size() const noexcept { return m_size; }
    // Up to capacity bytes into into; 0 at the end.
    std::size_t read(char* into, std::size_t capacity);

private:
    std::string m_path;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> m_file;
    std::uint64_t m_size = 0;
};

} // namespace webthreat
