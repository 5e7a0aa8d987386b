#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace webthreat {

// Reads a traffic CSV (RFC 4180: quoted fields, doubled quotes, separators and newlines inside
// quotes; LF, CRLF or CR line ends; optional final newline; optional UTF-8 byte-order mark).
// Columns are matched by header name in any order (see fieldForHeader). Throws InputError naming
// the file, line and column when the file cannot be used at all: unreadable, empty, no header,
// a required column missing, a column named twice, an unterminated quoted field, binary data, a
// file too large for the memory available (refused before reading). Problems in
// single rows or cells are counted in the report instead.
ReadResult readTrafficCsv(const std::string& path, const ReadOptions& options = {}, const Progress& progress = {});

// The same over text in memory; displayName is used in messages.
ReadResult readTrafficCsvText(std::string_view text, const std::string& displayName, const ReadOptions& options = {},
                              const Progress& progress = {});

// The same over a stream of bytes (a decompressed file): read(buffer, capacity) returns the bytes
// it put there, 0 at the end; fraction() says how much of the input is consumed, for progress.
ReadResult readTrafficCsvStream(const std::function<std::size_t(char*, std::size_t)>& read,
                                const std::function<double()>& fraction, const std::string& displayName,
                                const ReadOptions& options = {}, const Progress& progress = {});

} // namespace webthreat
