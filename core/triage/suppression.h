#pragma once

#include "core/table/traffictable.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

struct Verdicts;

// What an allow-list rule looks at.
enum class RuleField : std::uint8_t {
    SrcIp, // src_ip: an address or a CIDR (IPv4 or IPv6)
    DstIp, // dst_ip: an address or a CIDR
    DstPort, // dst_port: a port, or a range 8000-8080
    Protocol, // protocol, ignoring ASCII case
    Country, // src_ip_country_code, ignoring ASCII case
    RuleNames, // rule_names, the whole cell, ignoring ASCII case
    Pair, // src -> dst: two addresses or CIDRs
};

// One suppression rule: rows it matches are known to be fine (the office NAT, the health checker,
// NTP) and leave the suspicious list, the findings and the charts' red without a refit. Written
// one a line as "FIELD VALUE [# reason]" (rules files, the workspace): "src_ip 10.0.0.0/8",
// "dst_port 123 # NTP server", "pair 10.0.0.7 -> 10.0.0.5".
struct SuppressionRule {
    RuleField field = RuleField::SrcIp;
    std::string value; // as written, normalised ("10.0.0.0/8", "123", "TCP")
    std::string reason; // may be empty
    bool enabled = true;

    // "src_ip 10.0.0.0/8 # office NAT" (no " # ..." without a reason); parseRule reads it back.
    // A disabled rule's line starts with "disabled " (kept in a rules file, not applied).
    std::string line() const;
    // "src_ip 10.0.0.0/8": the rule without its reason.
    std::string condition() const;
};

std::string_view ruleFieldName(RuleField field) noexcept; // "src_ip", ..., "pair"

// One rule from "FIELD VALUE [# reason]". FIELD is src_ip, dst_ip, dst_port, protocol,
// src_ip_country_code (also "country"), rule_names or pair. Throws ParameterError naming what is
// wrong (unknown field, bad address or prefix length, port out of range, missing value).
SuppressionRule parseRule(std::string_view text);

// Limits of a rules file (what parseRules and readRulesFile refuse past, naming the line).
inline constexpr std::size_t kMaxRules = 100000;
inline constexpr std::size_t kMaxRuleLineBytes = 4096;
inline constexpr std::size_t kMaxRulesFileBytes = 64u << 20;

// A rules file's text: blank lines and lines starting with '#' skipped. Throws InputError with
// fileName and the 1-based line (and column of the value where it applies) of the first bad rule.
std::vector<SuppressionRule> parseRules(std::string_view text, const std::string& fileName);
// The same from a file (CLI --allow). Throws InputError when it cannot be read or a rule is bad.
std::vector<SuppressionRule> readRulesFile(const std::string& path);
// Rules as a rules file's text, with a comment header; parseRules reads it back.
std::string writeRules(const std::vector<SuppressionRule>& rules);

// Which rows a set of rules suppresses. Disabled rules are skipped (their count is 0).
struct Suppression {
    std::vector<SuppressionRule> rules; // the rules matched, in order: rowsPerRule[i] counts rules[i]
    std::vector<std::uint8_t> rows; // per table row: 1 = an enabled rule matches
    std::vector<std::size_t> rowsPerRule; // rows each rule matches (a row may count for several)
    std::size_t matchedRows = 0; // rows with rows[i] == 1
    std::size_t activeRules = 0; // enabled rules

    bool empty() const noexcept { return matchedRows == 0; }
};

// Matches rules against every row; each distinct text cell is tested once (interned strings),
// an address parsed once per distinct value. Polls cancel and throws CancelledError.
Suppression matchRules(const TrafficTable& table, const std::vector<SuppressionRule>& rules,
                       const std::atomic<bool>* cancel = nullptr);

// Moves the suspicious rows that suppression matches to normal; verdicts.suppressedCount says how
// many.
void applySuppression(Verdicts& verdicts, const Suppression& suppression);

} // namespace webthreat
