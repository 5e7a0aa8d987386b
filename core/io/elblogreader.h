#pragma once

#include "core/io/readoptions.h"
#include "core/io/readreport.h"
#include "core/util/progress.h"
#include "core/io/decompress.h"

#include <functional>
#include <string>
#include <string_view>

namespace webthreat {

// AWS Elastic Load Balancing logs, one entry per line, fields separated by blanks and quoted where
// they may hold blanks. A file may mix the three kinds of entry; each line is read by its own kind:
//   - Application Load Balancer access log: type (http, https, h2, grpcs, ws, wss), time, elb,
//     client:port, target:port, three processing times, elb_status_code, target_status_code,
//     received_bytes, sent_bytes, "request", "user_agent", ... (later fields optional).
//   - Network Load Balancer access log (TLS listeners): tls, version, time, elb, listener,
//     client:port, destination:port, connection_time, tls_handshake_time, received_bytes,
//     sent_bytes, ... tls_connection_creation_time.
//   - Application Load Balancer connection log: time, client_ip, client_port, listener_port,
//     tls_protocol, tls_cipher, tls_handshake_latency, "leaf_client_cert_subject", ...
// Mapping (README.md, "Input formats"): client = src_ip, target or destination = dst_ip and
// dst_port, received_bytes = bytes_in, sent_bytes = bytes_out, request_creation_time (ALB) or
// tls_connection_creation_time (NLB) = creation_time, time = end_time and time, elb_status_code =
// response.code, the type field = protocol; the other fields are kept as text columns.
ReadResult readElbLog(const ByteReader& read, const std::function<double()>& fraction, const std::string& file,
                      const ReadOptions& options = {}, const Progress& progress = {});

// For format detection: the line starts like one of the three kinds of entry.
bool looksLikeElbEntry(std::string_view line) noexcept;

} // namespace webthreat
