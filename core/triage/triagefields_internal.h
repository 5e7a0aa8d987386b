#pragma once

// What a triage value may be, checked the same way wherever one enters: written to the workspace,
// read back from it, and read from an exchange file (workspace.cpp, triageexchange.cpp only).

#include "core/triage/mark.h"
#include "core/triage/suppression.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webthreat::triage {

inline constexpr std::size_t kMaxNoteBytes = 64 * 1024;
inline constexpr std::size_t kMaxIpBytes = 255;
inline constexpr std::size_t kMaxFileNameBytes = 4096;
inline constexpr std::size_t kMaxRuleTextBytes = 1024;
inline constexpr std::int64_t kMaxLine = 4294967295; // RowMark::line is 32-bit
inline constexpr std::int64_t kMaxTime = 253402300799; // 9999-12-31T23:59:59Z

// 64 hexadecimal digits (either case).
bool isSha256(std::string_view text) noexcept;
std::string lowerCase(std::string_view text);

// The rules file's field names: "src_ip", "dst_ip", "dst_port", "protocol", "src_ip_country_code",
// "rule_names", "pair". Kept here, not taken from suppression.cpp, so that the workspace stores
// exactly what it wrote whatever the rules parser accepts.
std::string_view fieldText(RuleField field) noexcept;
// One of those names, or "country"; nullopt for anything else.
std::optional<RuleField> parseFieldText(std::string_view text) noexcept;

// Each returns nullptr when the value may be kept, else why not ("is not UTF-8", ...).
const char* checkNote(std::string_view note) noexcept; // UTF-8, at most kMaxNoteBytes
const char* checkIp(std::string_view ip) noexcept; // non-empty, one line, no control characters
const char* checkFileName(std::string_view name) noexcept; // may be empty
const char* checkRuleValue(std::string_view value) noexcept; // non-empty, one line, no '#'
const char* checkRuleReason(std::string_view reason) noexcept; // may be empty, one line
const char* checkTime(std::int64_t seconds) noexcept; // 0 to kMaxTime
// The value as the rules parser reads it for field ("10.0.0.0/8", "TCP"), or why not (a bad
// address, a port out of range): a rule taken from a file or the workspace is the same rule a rules
// file would give. Call after checkRuleValue.
std::string normaliseRuleValue(RuleField field, std::string_view value, std::string& problem);

// Unix seconds as "2026-12-06T23:12:36Z", and back (nullopt unless exactly that form and a real time).
std::string formatUtc(std::int64_t seconds);
std::optional<std::int64_t> parseUtc(std::string_view text) noexcept;
std::int64_t nowSeconds() noexcept;

} // namespace webthreat::triage
