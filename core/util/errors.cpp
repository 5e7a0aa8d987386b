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
} // namespace

InputError::InputError(std::string file, std::int64_t line, std::string column, const std::string& what)
    : Error(locate(file, line, column, what))
    , m_file(std::move(file))
    , m_line(line)
    , m_column(std::move(column))
    , m_problem(what)
{
}

} // namespace webthreat
