#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"
#include "core/io/decompress.h"

#include <functional>
#include <string>
#include <string_view>

namespace webthreat {

// Zeek's connection log, conn.log, in either of Zeek's two log formats:
//   - TSV (Zeek's default): meta lines starting with '#' (#separator \x09, #set_separator,
//     #empty_field, #unset_field, #path, #open, #fields, #types, #close) and one connection per
//     line, fields separated by #separator in the order #fields names (never assumed). A later
//     #fields line (logs joined with `cat`) starts a new order. A field equal to #unset_field ('-')
//     or #empty_field ('(empty)') is missing; Zeek's \xHH escapes are undone.
//   - JSON lines (LogAscii::use_json): one flat object a line with keys "ts", "uid", "id.orig_h",
//     ... ("id_orig_h" as some shippers rename them is read the same); unset fields are absent or
//     null; ts is epoch seconds or an ISO 8601 string (LogAscii::json_timestamps). Arrays (sets)
//     become their elements joined by ',' and true/false become T/F, as TSV writes them.
//
// One record is one connection, both directions: the originator (the side that sent the first
// packet) is the client. Mapping (README.md, "Input formats"): ts = creation_time and time, ts +
// duration = end_time (ts when Zeek left duration unset: it saw a single packet), id.orig_h =
// src_ip, id.resp_h = dst_ip, id.resp_p = dst_port, proto upper-cased = protocol.
//
// Bytes: bytes_in = orig_bytes, bytes_out = resp_bytes. "In" is toward the server, as in the
// CloudWatch export the product was built on and in the other readers (VPC: the client-to-server
// record's bytes; ALB/NLB: received_bytes, what the load balancer received from the client): the
// bytes the originator sent are the bytes that came in to the service it connected to.
// id.orig_p, orig_pkts and resp_pkts become the src_port, packets_in and packets_out columns the
// other readers fill; every other field (uid, service, conn_state, history, ...) is kept as a text
// column of its Zeek name. Malformed lines are skipped and counted with their line numbers.
ReadResult readZeekConnLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                           const ReadOptions& options = {}, const Progress& progress = {});

// For format detection: Zeek's TSV header (a #separator line, or a #fields line naming id.orig_h)...
bool looksLikeZeekHeader(std::string_view line) noexcept;
// ...or a JSON object naming id.orig_h and conn_state: a conn.log record in Zeek's JSON logging.
bool looksLikeZeekJsonRecord(std::string_view line) noexcept;

} // namespace webthreat
