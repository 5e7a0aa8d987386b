#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"
#include "core/io/decompress.h"

#include <functional>
#include <string>
#include <string_view>

namespace webthreat {

// AWS VPC Flow Logs: one record per line, fields separated by blanks, "-" for a field with no value.
// The field order is the default version 2 order, or a custom order named by a header line (S3
// exports start with one); without a header, records with exactly the fields of the default format
// or of "all fields up to version 3, 4, 5, 7 or 8" in AWS's order are read by their version.
//
// Each record is one direction of a flow on one network interface in one aggregation interval. The
// two directions of a connection (the same addresses and ports reversed, same protocol, same
// interface, overlapping intervals) become one row: the client is src_ip, the server (the side with
// the lower port; with equal or absent ports, the side that started first) is dst_ip and dst_port,
// bytes the client sent are bytes_in and bytes the server sent are bytes_out. See README.md, "Input
// formats", for every mapping. NODATA and SKIPDATA records are counted and reported, not rows.
ReadResult readVpcFlowLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                          const ReadOptions& options = {}, const Progress& progress = {});

// For format detection: a header line naming VPC Flow Log fields (srcaddr and dstaddr among them)...
bool looksLikeVpcFlowHeader(std::string_view line) noexcept;
// ...or a record of the default or an all-fields layout (version number, addresses or "-").
bool looksLikeVpcFlowRecord(std::string_view line) noexcept;

// The usual name of an IP protocol number (6 -> "TCP"); the number itself when not a common one.
std::string ipProtocolName(int number);

} // namespace webthreat
