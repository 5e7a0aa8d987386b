#pragma once

// JSON inside core, with nlohmann-json. Core links it privately: include this from core's .cpp
// files only, never from a header that users of core include.

#include <nlohmann/json.hpp>

#include <string>

namespace webthreat {

// Members stay in the order they are written, so documents read in a stable, meaningful order.
using Json = nlohmann::ordered_json;

// The document as written to files and stdout: two-space indent, newline at the end. Text that is
// not valid UTF-8 (a file name, a cell) is written with U+FFFD in its place instead of refused.
// Non-finite numbers are written as null.
inline std::string jsonDocument(const Json& document)
{
    return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

struct OperatingPoint;
// One operating point (threshold, counts, precision, recall, F1) as the evaluation's JSON writes it;
// defined in export.cpp, also used by the streaming report for the whole file's point.
Json operatingPointJson(const OperatingPoint& point);

} // namespace webthreat
