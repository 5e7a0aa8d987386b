#include "core/io/inputformat.h"

#include "core/io/csvsniffer.h"
#include "core/io/elblogreader.h"
#include "core/util/errors.h"
#include "core/io/textcheck.h"
#include "core/table/traffictable.h"
#include "core/io/vpcflowreader.h"
#include "core/io/zeekconnreader.h"

#include <array>

namespace webthreat {

namespace {
constexpr std::array<InputFormat, 5> kFormats{InputFormat::Auto, InputFormat::TrafficCsv, InputFormat::VpcFlowLog,
                                              InputFormat::ElbAccessLog, InputFormat::ZeekConn};

// Does this line, split at the delimiter, name at least one column of the traffic schema?
bool namesTrafficColumn(std::string_view line, char delimiter)
{
    while (true) {
        const auto stop = line.find(delimiter);
        std::string_view name = line.substr(0, stop);
        while (!name.empty() && (name.front() == ' ' || name.front() == '"'))
            name.remove_prefix(1);
        while (!name.empty() && (name.back() == ' ' || name.back() == '"' || name.back() == '\r'))
            name.remove_suffix(1);
        if (!name.empty() && fieldForHeader(name))
            return true;
        if (stop == std::string_view::npos)
            return false;
        line.remove_prefix(stop + 1);
    }
}
} // namespace

std::string_view inputFormatName(InputFormat format) noexcept
{
    switch (format) {
    case InputFormat::Auto:
        return "auto";
    case InputFormat::TrafficCsv:
        return "csv";
    case InputFormat::VpcFlowLog:
        return "vpc-flow";
    case InputFormat::ElbAccessLog:
        return "elb";
    case InputFormat::ZeekConn:
        return "zeek";
    }
    return "auto";
}

std::string_view inputFormatDescription(InputFormat format) noexcept
{
    switch (format) {
    case InputFormat::Auto:
        return "detected from the file";
    case InputFormat::TrafficCsv:
        return "traffic CSV";
    case InputFormat::VpcFlowLog:
        return "AWS VPC Flow Logs";
    case InputFormat::ElbAccessLog:
        return "AWS load balancer logs (ALB/NLB access, ALB connection)";
    case InputFormat::ZeekConn:
        return "Zeek conn.log";
    }
    return "";
}

InputFormat inputFormatByName(std::string_view name)
{
    for (InputFormat format : kFormats) {
        if (inputFormatName(format) == name)
            return format;
    }
    throw ParameterError("the input format must be one of auto, csv, vpc-flow, elb, zeek; got '" + std::string(name) + "'");
}

FormatDetection detectFormat(std::string_view head, char delimiter)
{
    head.remove_prefix(utf8ByteOrderMarkLength(head));
    // UTF-16 and empty text: the CSV reader names the problem precisely.
    if (startsWithUtf16ByteOrderMark(head))
        return {InputFormat::TrafficCsv, 1, "UTF-16 text: left to the CSV reader, which explains it"};
    // Only a CSV written by a spreadsheet starts with "sep=;": the CSV reader takes its delimiter.
    if (parseSepLine(head))
        return {InputFormat::TrafficCsv, 1, "line 1 is a spreadsheet's 'sep=' line naming the CSV delimiter"};
    constexpr int kLinesLooked = 5;
    std::int64_t line = 1;
    std::int64_t firstLine = 0;
    std::string_view first;
    int looked = 0;
    while (!head.empty() && looked < kLinesLooked) {
        auto stop = head.find_first_of("\r\n");
        const std::string_view text = head.substr(0, stop);
        if (!text.empty()) {
            for (char c : text) {
                const auto byte = static_cast<unsigned char>(c);
                if (byte < 0x20 && c != '\t')
                    return {InputFormat::TrafficCsv, line, "binary data: left to the CSV reader, which explains it"};
            }
            if (looked++ == 0) {
                first = text;
                firstLine = line;
            }
            // Zeek first: its '#' header lines and JSON objects are nothing the other formats write.
            if (looksLikeZeekHeader(text))
                return {InputFormat::ZeekConn, line, "line " + std::to_string(line) + " is a Zeek TSV log header"};
            if (looksLikeZeekJsonRecord(text))
                return {InputFormat::ZeekConn, line,
                        "line " + std::to_string(line) + " is a Zeek conn.log record in JSON"};
            if (looksLikeVpcFlowHeader(text))
                return {InputFormat::VpcFlowLog, line, "line " + std::to_string(line) + " is a VPC Flow Log header"};
            if (looksLikeVpcFlowRecord(text))
                return {InputFormat::VpcFlowLog, line, "line " + std::to_string(line) + " is a VPC Flow Log record"};
            if (looksLikeElbEntry(text))
                return {InputFormat::ElbAccessLog, line,
                        "line " + std::to_string(line) + " is a load-balancer log entry"};
            if (namesTrafficColumn(text, delimiter))
                return {InputFormat::TrafficCsv, line, "line " + std::to_string(line) + " is a traffic CSV header"};
        }
        if (stop == std::string_view::npos)
            break;
        if (head[stop] == '\r' && stop + 1 < head.size() && head[stop + 1] == '\n')
            ++stop;
        head.remove_prefix(stop + 1);
        ++line;
    }
    if (looked == 0)
        return {InputFormat::TrafficCsv, 0, "no text: left to the CSV reader, which explains it"};
    return {InputFormat::Auto, firstLine,
            "the file's format is not recognised: line " + std::to_string(firstLine) + " ('" + shortenForMessage(first)
                + "') is not a traffic CSV header (naming columns such as bytes_in, src_ip, dst_ip), an AWS VPC Flow "
                  "Log header or record, an ALB/NLB access-log or ALB connection-log entry, or a Zeek conn.log header "
                  "(#separator, #fields) or JSON record; these (also "
                  "compressed, or in a zip or tar archive) are the formats the workbench reads"};
}

} // namespace webthreat
