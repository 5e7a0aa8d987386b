#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace webthreat {

// Base of every error core reports to a user: the message is meant to be shown as it is.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A parameter struct's validate() failed: the message names the parameter and its allowed range.
class ParameterError : public Error {
public:
    using Error::Error;
};

// The input file cannot be used. Carries where: file, 1-based line and column (0 = not known).
class InputError : public Error {
public:
    InputError(std::string file, std::int64_t line, std::string column, const std::string& what);
    // A text file's position, compiler style: "rules.txt:4:8: what" (offset: 1-based character
    // column in the line, 0 = not known).
    InputError(std::string file, std::int64_t line, std::int64_t offset, const std::string& what);

    const std::string& file() const noexcept { return m_file; }
    std::int64_t line() const noexcept { return m_line; }
    const std::string& column() const noexcept { return m_column; }
    std::int64_t offset() const noexcept { return m_offset; }
    // The message without the location prefix.
    const std::string& problem() const noexcept { return m_problem; }

private:
    std::string m_file;
    std::int64_t m_line;
    std::string m_column;
    std::int64_t m_offset = 0;
    std::string m_problem;
};

// Writing an output file failed (unwritable folder, full disk); nothing was left half-written.
class OutputError : public Error {
public:
    using Error::Error;
};

// The user cancelled a long operation; nothing it produced is kept.
class CancelledError : public Error {
public:
    CancelledError()
        : Error("cancelled")
    {
    }
};

} // namespace webthreat
