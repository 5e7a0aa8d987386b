#pragma once

#include "core/table/traffictable.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

struct Verdicts;

// An address as 128 bits, high word first; IPv4 a.b.c.d is the IPv4-mapped ::ffff:a.b.c.d, so one
// range of 128-bit numbers describes an IPv4 or an IPv6 network and ::/0 contains every address.
struct IpNumber {
    std::uint64_t high = 0;
    std::uint64_t low = 0;

    friend bool operator==(const IpNumber&, const IpNumber&) = default;
    friend auto operator<=>(const IpNumber&, const IpNumber&) = default;
    bool isV4Mapped() const noexcept { return high == 0 && (low >> 32) == 0xFFFFu; }
};

// An address in text ("203.0.113.7", "2001:db8::7", "::ffff:203.0.113.7") as an IpNumber; false
// when it is not one. Blanks around it are not accepted.
bool parseIpNumber(std::string_view text, IpNumber* out) noexcept;
// "203.0.113.7" for IPv4-mapped numbers, "2001:db8::7" otherwise.
std::string ipNumberText(const IpNumber& number);

// One entry of a list: the addresses first..last (inclusive), from a CIDR, an address or a range.
struct IpRange {
    IpNumber first;
    IpNumber last;
    std::uint32_t line = 0; // 1-based line of the list file it came from
};
// "203.0.113.0/24" when the range is a network, "203.0.113.7" for one address, "A-B" otherwise.
std::string ipRangeText(const IpRange& range);

// How a list file is read.
struct ThreatListOptions {
    std::string name; // shown in every view; empty: the file's stem ("abuse-ip" for abuse-ip.txt)
    // A CSV: the column holding the addresses, by header name or 1-based number. Empty: plain text.
    std::string column;
    // false (the default): the first bad line refuses the whole file with file:line:column (a list
    // is a claim about addresses; silently dropping part of it hides that the analyst's list is not
    // what they think). true: bad lines are skipped and counted, the first few kept with their lines.
    bool skipBadLines = false;
};

// Limits a list file is refused past (file and line named).
inline constexpr std::size_t kMaxThreatListBytes = 1u << 30;
inline constexpr std::size_t kMaxThreatListLineBytes = 64 * 1024;
inline constexpr std::size_t kMaxThreatLists = 64;
inline constexpr std::size_t kThreatListProblemsKept = 5;

// A line the loader skipped (ThreatListOptions::skipBadLines).
struct ThreatListProblem {
    std::uint32_t line = 0;
    std::uint32_t column = 0; // 1-based character column of the bad text
    std::string message;
};

// One loaded list: its entries and what loading it found.
struct ThreatList {
    std::string name;
    std::string path; // as given; empty for text not read from a file
    std::string sha256; // of the file's bytes, lower-case hex
    std::string format; // "text" or "csv column 'ip'"
    std::string column; // ThreatListOptions::column it was read with
    bool skipBadLines = false; // ThreatListOptions::skipBadLines it was read with
    std::vector<IpRange> entries; // in file order
    std::size_t lines = 0;
    std::size_t commentLines = 0; // blank lines and comments (and a CSV's header)
    std::size_t badLines = 0; // skipped (only with skipBadLines)
    std::vector<ThreatListProblem> problems; // the first kThreatListProblemsKept bad lines

    // "abuse-ip: 1 204 entries (abuse-ip.txt)"
    std::string summary() const;
};

// Reads a list from text. fileName names it in messages. Throws InputError "file:line:column:
// what" for the first bad line (unless skipBadLines), ParameterError for a bad option.
ThreatList parseThreatList(std::string_view text, const std::string& fileName, const ThreatListOptions& options = {});
// The same from a file, with its SHA-256. Throws InputError when it cannot be read.
ThreatList readThreatList(const std::string& path, const ThreatListOptions& options = {});

// A list argument as the command line and the window take it: "[NAME=]FILE[:COLUMN]". The column
// is split off at the last ':' only when the whole text is not an existing file.
struct ThreatListSpec {
    std::string path;
    ThreatListOptions options;
};
ThreatListSpec parseThreatListSpec(std::string_view text);
std::string threatListSpecText(const ThreatListSpec& spec); // back to "[NAME=]FILE[:COLUMN]"

// Every list's entries as one sorted table of disjoint ranges, each with the set of lists that
// contain it; IPv4 and IPv6 apart (IPv4 in 32 bits). A lookup is one binary search.
class ThreatIndex {
public:
    // lists: at most kMaxThreatLists; names must be distinct (ParameterError otherwise).
    explicit ThreatIndex(std::vector<std::shared_ptr<const ThreatList>> lists);

    const std::vector<std::shared_ptr<const ThreatList>>& lists() const noexcept { return m_lists; }
    // The set of lists containing the address: bit i = lists()[i]. 0: on none.
    std::uint64_t lookup(const IpNumber& address) const noexcept;
    // The same for text; 0 when the text is not an address.
    std::uint64_t lookup(std::string_view address) const noexcept;
    std::size_t rangesV4() const noexcept { return m_v4Start.size(); }
    std::size_t rangesV6() const noexcept { return m_v6Start.size(); }

private:
    std::vector<std::shared_ptr<const ThreatList>> m_lists;
    // Disjoint ranges sorted by start; a range's sets entry names its lists (0 for gaps kept so
    // that the search needs no end compare).
    static constexpr std::size_t kV4Buckets = 65536; // one per /16
    std::vector<std::uint32_t> m_v4Start;
    std::vector<std::uint64_t> m_v4Sets;
    // kV4Buckets + 1: the first range starting in each /16; empty for a small table (searched whole).
    std::vector<std::uint32_t> m_v4Buckets;
    std::vector<IpNumber> m_v6Start;
    std::vector<std::uint64_t> m_v6Sets;
};

// The slow reference: every entry of every list tested in turn (tests, and one row's details).
std::uint64_t lookupByScan(const std::vector<std::shared_ptr<const ThreatList>>& lists, const IpNumber& address);
// The narrowest entry of list containing address (its text and line), for "on list 'x'
// (1.2.3.0/24)"; nullptr when none does.
const IpRange* narrowestEntry(const ThreatList& list, const IpNumber& address);

// Which rows' addresses are on which lists.
struct ThreatMatches {
    std::shared_ptr<const ThreatIndex> index;
    std::vector<std::uint64_t> src; // per table row: the lists src_ip is on
    std::vector<std::uint64_t> dst; // per table row: the lists dst_ip is on
    std::size_t matchedRows = 0; // rows with src or dst on a list
    std::size_t distinctAddresses = 0; // distinct src/dst texts looked up
    double seconds = 0.0;

    std::uint64_t row(std::size_t row) const noexcept { return src[row] | dst[row]; }
    // "abuse-ip;tor-exits": the names of the lists in set, in list order.
    std::string names(std::uint64_t set) const;
};

// Looks every row's src_ip and dst_ip up, each distinct text once (the table's string pool ids).
// Polls cancel (CancelledError).
ThreatMatches matchThreatLists(const TrafficTable& table, std::shared_ptr<const ThreatIndex> index,
                               const std::atomic<bool>* cancel = nullptr);

// What one list found: "12 suspicious rows from 3 sources on list 'abuse-ip'".
struct ThreatListCount {
    std::string name;
    std::size_t rows = 0; // rows with src_ip or dst_ip on the list
    std::size_t sourceRows = 0; // rows with src_ip on it
    std::size_t destinationRows = 0; // rows with dst_ip on it
    std::size_t sources = 0; // distinct src_ip of those rows
    std::size_t suspiciousRows = 0; // of rows, the suspicious ones
    std::size_t suspiciousSources = 0; // distinct src_ip of the suspicious ones

    std::string sentence() const; // "12 suspicious rows from 3 sources on list 'abuse-ip' (40 rows in all)"
};

struct ThreatFindings {
    std::vector<ThreatListCount> lists; // in ThreatIndex::lists() order
    std::size_t rows = 0; // rows on any list
    std::size_t suspiciousRows = 0; // suspicious rows on any list
};

// Counts per list; verdicts may be null (no detection): the suspicious counts are then 0.
ThreatFindings countThreatFindings(const TrafficTable& table, const ThreatMatches& matches, const Verdicts* verdicts);

} // namespace webthreat
