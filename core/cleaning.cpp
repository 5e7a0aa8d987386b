#include "core/cleaning.h"

#include "core/log.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>

namespace webthreat {

namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t value) noexcept
{
    h ^= value + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

std::uint64_t cellBits(const Column& column, std::size_t row) noexcept
{
    switch (column.kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp: return static_cast<std::uint64_t>(column.integers[row]);
    case ColumnKind::Text: return column.text[row];
    case ColumnKind::Real: {
        std::uint64_t bits;
        std::memcpy(&bits, &column.reals[row], sizeof bits);
        return bits;
    }
    }
    return 0;
}

bool sameRow(const TrafficTable& table, std::size_t a, std::size_t b) noexcept
{
    for (const Column& column : table.columns) {
        if (cellBits(column, a) != cellBits(column, b))
            return false;
    }
    return true;
}

std::string describeCount(std::size_t count, const char* what)
{
    return std::to_string(count) + " " + what;
}

} // namespace

CleanResult cleanTraffic(TrafficTable input, const CleanParams& params, const Progress& progress)
{
    params.validate();
    CleanResult result;
    CleanReport& report = result.report;
    report.rowsIn = input.rowCount();
    const std::size_t rows = input.rowCount();

    // 1. Exact duplicates: a row equal in every column to an earlier row. Interned text makes a
    // cell comparison one integer comparison.
    std::vector<std::size_t> kept;
    kept.reserve(rows);
    if (params.dropDuplicates) {
        // Open addressing over row hashes: a slot holds row + 1 of the first row seen with that
        // content; equal hashes are confirmed cell by cell.
        std::size_t capacity = 16;
        while (capacity < rows * 2)
            capacity *= 2;
        std::vector<std::uint32_t> slots(capacity, 0);
        std::vector<std::uint64_t> hashes(capacity, 0);
        const std::size_t mask = capacity - 1;
        for (std::size_t row = 0; row < rows; ++row) {
            if ((row & 0xFFFF) == 0)
                progress.check();
            std::uint64_t h = 0;
            for (const Column& column : input.columns)
                h = mix(h, cellBits(column, row));
            bool duplicate = false;
            std::size_t slot = h & mask;
            for (; slots[slot] != 0; slot = (slot + 1) & mask) {
                if (hashes[slot] == h && sameRow(input, slots[slot] - 1, row)) {
                    duplicate = true;
                    break;
                }
            }
            if (!duplicate) {
                slots[slot] = static_cast<std::uint32_t>(row + 1);
                hashes[slot] = h;
                kept.push_back(row);
            }
        }
        report.steps.push_back({"drop_duplicates",
                                describeCount(rows - kept.size(), "exact duplicate row(s) dropped"),
                                rows - kept.size()});
    } else {
        for (std::size_t row = 0; row < rows; ++row)
            kept.push_back(row);
    }
    progress.report("clean", 0.4);

    if (kept.size() != rows)
        input.keepRows(kept);
    result.table = std::move(input);
    TrafficTable& table = result.table;

    // 2. Missing bytes_in takes the median of the present values (the mean of the middle two
    // for an even count, as pandas' median does, rounded to whole bytes).
    if (params.fillBytesInMedian) {
        auto& bytesIn = table.column(Field::BytesIn).integers;
        std::vector<std::int64_t> present;
        present.reserve(bytesIn.size());
        for (std::int64_t value : bytesIn) {
            if (value != kMissingInteger)
                present.push_back(value);
        }
        const std::size_t missing = bytesIn.size() - present.size();
        std::string description;
        if (missing > 0 && !present.empty()) {
            const std::size_t middle = present.size() / 2;
            std::nth_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle), present.end());
            double median = static_cast<double>(present[middle]);
            if (present.size() % 2 == 0) {
                const auto below = *std::max_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle));
                median = (median + static_cast<double>(below)) / 2.0;
            }
            const auto fill = static_cast<std::int64_t>(std::llround(median));
            for (std::int64_t& value : bytesIn) {
                if (value == kMissingInteger)
                    value = fill;
            }
            description = describeCount(missing, "missing bytes_in value(s) filled with the median, ") + std::to_string(fill);
        } else if (missing > 0) {
            description = "bytes_in is missing in every row: nothing to take a median of, left missing";
            report.warnings.push_back("bytes_in is missing in every row; the detector will see its mean fill instead");
        } else {
            description = "no missing bytes_in values";
        }
        report.steps.push_back({"fill_bytes_in_median", description, missing > 0 && !present.empty() ? missing : 0});
    }
    progress.report("clean", 0.6);

    // 3. Rows without a source or destination address cannot be attributed: drop them.
    if (params.dropMissingAddresses) {
        const auto& source = table.column(Field::SrcIp).text;
        const auto& destination = table.column(Field::DstIp).text;
        std::vector<std::size_t> addressed;
        addressed.reserve(table.rowCount());
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            if (source[row] != StringPool::kMissing && destination[row] != StringPool::kMissing)
                addressed.push_back(row);
        }
        const std::size_t dropped = table.rowCount() - addressed.size();
        if (dropped > 0)
            table.keepRows(addressed);
        report.steps.push_back({"drop_missing_addresses",
                                describeCount(dropped, "row(s) without src_ip or dst_ip dropped"), dropped});
    }
    progress.report("clean", 0.8);

    // 4. Country codes in upper case. Work on the distinct values, not the rows.
    if (params.upperCaseCountries) {
        auto& countries = table.column(Field::SrcIpCountryCode).text;
        std::unordered_map<std::uint32_t, std::uint32_t> upper;
        std::size_t changed = 0;
        for (std::uint32_t& id : countries) {
            if (id == StringPool::kMissing)
                continue;
            auto found = upper.find(id);
            if (found == upper.end()) {
                std::string text(table.strings->view(id));
                for (char& c : text)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                found = upper.emplace(id, table.strings->intern(text)).first;
            }
            if (found->second != id) {
                id = found->second;
                ++changed;
            }
        }
        report.steps.push_back({"upper_case_countries",
                                describeCount(changed, "country code(s) changed to upper case"), changed});
    }
    progress.report("clean", 1.0);

    report.rowsOut = table.rowCount();
    auto log = logger::core();
    log->info("clean: {} rows in, {} rows out", report.rowsIn, report.rowsOut);
    for (const CleanStep& step : report.steps)
        log->info("clean: {}: {}", step.name, step.description);
    return result;
}

} // namespace webthreat
