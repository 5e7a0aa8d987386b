#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace webthreat {

// The file formats the workbench reads. Every reader fills the same TrafficTable and ReadReport, so
// cleaning, features and detection do not know which one a table came from.
enum class InputFormat : std::uint8_t {
    Auto, // detect from the first lines
    TrafficCsv, // the dataset's CSV (csvreader.h)
    VpcFlowLog, // AWS VPC Flow Logs, default or custom field order (vpcflowreader.h)
    ElbAccessLog, // AWS ALB and NLB access logs, ALB connection logs (elblogreader.h)
    ZeekConn, // Zeek's conn.log, TSV or JSON lines (zeekconnreader.h)
};

// Short stable names used on the command line: auto, csv, vpc-flow, elb, zeek.
std::string_view inputFormatName(InputFormat format) noexcept;
// In the analyst's words, for reports: "AWS VPC Flow Logs".
std::string_view inputFormatDescription(InputFormat format) noexcept;
// Throws ParameterError listing the valid names.
InputFormat inputFormatByName(std::string_view name);

struct FormatDetection {
    InputFormat format = InputFormat::Auto; // Auto: nothing fits
    std::int64_t line = 0; // the line that decided, or the first line when nothing fits
    std::string explanation; // why, in a sentence; says what was expected when nothing fits
};

// The format of a text from its first bytes (decompressed; a few KiB are plenty). Looks at the first
// few non-blank lines: a Zeek TSV header (#separator, #fields) or conn.log JSON record, a VPC Flow
// Log header or record, a load-balancer log entry, or a CSV header naming a traffic column decides. Text the CSV reader explains better itself (empty, binary,
// UTF-16) is left to the CSV reader.
FormatDetection detectFormat(std::string_view head, char delimiter = ',');

} // namespace webthreat
