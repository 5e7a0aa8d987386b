#include "core/io/inputfile.h"

#include "core/util/errors.h"

#include <cerrno>
#include <cstring>

namespace webthreat {

InputFile::InputFile(const std::string& path)
    : m_path(path)
    , m_file(std::fopen(path.c_str(), "rb"), &std::fclose)
{
    if (!m_file)
        throw InputError(path, 0, "", std::string("cannot open the file: ") + std::strerror(errno));
    if (std::fseek(m_file.get(), 0, SEEK_END) == 0) {
        const long end = std::ftell(m_file.get());
        m_size = end > 0 ? static_cast<std::uint64_t>(end) : 0;
        std::fseek(m_file.get(), 0, SEEK_SET);
    }
}

std::size_t InputFile::read(char* into, std::size_t capacity)
{
    const std::size_t got = std::fread(into, 1, capacity, m_file.get());
    if (got == 0 && std::ferror(m_file.get()))
        throw InputError(m_path, 0, "", std::string("reading the file failed: ") + std::strerror(errno));
    return got;
}

} // namespace webthreat
