#pragma once

#include "core/detect/explain.h"

#include <QString>

#include <cstddef>

namespace webthreat {

class TrafficTable;
struct Enrichment;

// The Row details dock's words, apart from its widgets: what the row is (its time, source and
// country, destination, port and protocol, rule), what each feature is called with its unit, and
// where the row's value stands among all rows.
namespace rowdetails {

// The feature's name, with its unit where the name alone misleads: avg_packet_size is a rate,
// "avg_packet_size (bytes/s)".
QString featureLabel(Feature feature);

// Where the row's value stands: "higher than 71.0 % of rows", "lower than ...", or, for a value
// every row shares, "the same on every row: it cannot separate anything here".
QString standing(const FeatureExplanation& part);

// The explanation's sentence, with a rate said in words ("avg_packet_size 268 B/s (bytes per
// second) is above ..."): the sentence comes from core, which names the value with its short unit.
QString sentence(const RowExplanation& explanation);

// The row's facts as rich text lines: "2024-04-25 23:00 UTC", "155.91.45.242 (US) → 10.138.69.97",
// "port 443, HTTPS", "rule: Suspicious Web Traffic". Missing values are left out. With enrichment,
// who each end is: "source: AS15169 GOOGLE, US; anycast".
QString rowFacts(const TrafficTable& table, std::size_t row, const Enrichment* enrichment = nullptr);

} // namespace rowdetails

} // namespace webthreat
