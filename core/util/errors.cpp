#include "core/util/errors.h"

namespace webthreat {

namespace {
std::string locate(const std::string& file, std::int64_t line, const std::string& column, const std::string& what)
{
    std::string message = file;
    if (line > 0)
        message += ":" + std::to_string(line);
    if (!column.empty())
        message += ", column '" + column + "'";
    if (!message.empty())
        message += ": ";
    return message + what;
}

std::string locateOffset(const std::string& file, std::int64_t line, std::int64_t offset, const std::string& what)
{
    std::string message = file;
    if (line > 0) {
        message += ":" + std::to_string(line);
        if (offset > 0)
            message += ":" + std::to_string(offset);
    }
    if (!message.empty())
        message += ": ";
    return message + what;
}
} // namespace

InputError::InputError(std::string file, std::int64_t line, std::string column, const std::string& what)
    : Error(locate(file, line, column, what))
    , m_file(std::move(file))
    , m_line(line)
    , m_column(std::move(column))
    , m_problem(what)
{
}

InputError::InputError(std::string file, std::int64_t line, std::int64_t offset, const std::string& what)
    : Error(locateOffset(file, line, offset, what))
    , m_file(std::move(file))
    , m_line(line)
    , m_offset(offset)
    , m_problem(what)
{
}

} // namespace webthreat
