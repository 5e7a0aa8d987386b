#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"

#include <string>
#include <string_view>

namespace webthreat {

// The one way into the workbench for a traffic file of any supported format: decompresses gzip,
// bzip2, xz and zstd and opens zip and tar archives (tar.gz and the like too), all recognised by
// their magic bytes whatever the file is called. A path FILE:MEMBER (when FILE exists and the whole
// path does not) reads that member of an archive; an archive holding one file reads it, one holding
// several is refused with a message listing them. Archives inside archives are refused; the
// decompressed size is checked as it grows (see below). Then it detects the format from the first
// lines unless options.format names one, and dispatches to the CSV, VPC Flow Log or load-balancer
// log reader. Every reader returns the same TrafficTable and ReadReport (report.format says what
// the file was read as). Throws InputError naming the file when it cannot be used: unreadable,
// corrupt or truncated gzip, a format nothing fits (the message says what was expected), or what
// the chosen reader refuses; a file too large for the memory available is refused before reading,
// and a compressed one as soon as its decompressed size passes that limit.
ReadResult readTrafficFile(const std::string& path, const ReadOptions& options = {}, const Progress& progress = {});

// The format a text is read as: options.format when it names one, CSV when the caller described a
// CSV layout (a column map, a delimiter, no header...), else detectFormat over head (the first
// 64 KiB of decompressed text are plenty). Throws InputError naming file when nothing fits.
InputFormat chooseInputFormat(std::string_view head, const std::string& file, const ReadOptions& options);
// The same over bytes in memory (possibly gzip), for tests and the fuzzer.
ReadResult readTrafficBytes(std::string_view bytes, const std::string& displayName, const ReadOptions& options = {},
                            const Progress& progress = {});

} // namespace webthreat
