#include "core/detect/cleaning.h"

#include "core/util/hash.h"
#include "core/util/log.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <utility>

namespace webthreat {

namespace {

// The row hash is multilinear: each cell times its column's odd constant, summed, then mixed
// once. One multiply a cell (a chain of full mixes per cell cost most of the cleaning), and equal
// rows still hash equal; rows that collide are told apart by comparing their cells.
constexpr std::uint64_t columnFactor(std::size_t column) noexcept
{
    return (0x9E3779B97F4A7C15ull * (2 * column + 1)) | 1u;
}

std::uint64_t cellBits(const Column& column, std::size_t row) noexcept
{
    switch (column.kind) {
    case ColumnKind::Integer:
    case ColumnKind::Timestamp:
        return static_cast<std::uint64_t>(column.integers[row]);
    case ColumnKind::Text:
        return column.text[row];
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

// Every row index below rows except the ascending ones listed.
std::vector<std::uint32_t> rowsExcept(std::size_t rows, const std::vector<std::uint32_t>& ascendingDropped)
{
    std::vector<std::uint32_t> kept;
    kept.reserve(rows - ascendingDropped.size());
    std::size_t next = 0;
    for (std::size_t row = 0; row < rows; ++row) {
        if (next < ascendingDropped.size() && ascendingDropped[next] == row)
            ++next;
        else
            kept.push_back(static_cast<std::uint32_t>(row));
    }
    return kept;
}

// The rows equal in every cell to an earlier row, ascending. Open addressing over one array of
// 4-byte slots, each row + 1 in its low bits and as many bits of the row's hash as are left above
// them as a tag (12 at a million rows), so a new row costs one cache miss and rows are compared
// cell by cell only when their tags agree. Rows are hashed a batch at a time, column by column,
// and their slots prefetched before probing, so the misses of a batch overlap instead of
// queueing. Equal rows hash equal, so bits of the hash split the rows into independent parts,
// one per thread, each with its own share of the slots: every thread hashes every row (cheap)
// and probes only its part's. (Hashing once into an array was faster by 7 ms at a million rows
// but its 4 MB came on top of the table at the run's peak of memory.) The answer does not depend
// on the number of threads.
std::vector<std::uint32_t> findDuplicateRows(const TrafficTable& table, unsigned threads, const Progress& progress)
{
    const std::size_t rows = table.rowCount();
    const std::size_t parts = rows < 65536 ? 1 : std::max(1u, std::min(threads, 16u));
    unsigned rowBits = 1;
    while (rowBits < 32 && (std::uint64_t(1) << rowBits) <= rows)
        ++rowBits;
    const unsigned tagBits = 32 - rowBits;
    const std::uint32_t rowMask = rowBits == 32 ? 0xFFFFFFFFu : (std::uint32_t(1) << rowBits) - 1;
    const auto tagOf = [tagBits, rowBits](std::uint64_t hash) -> std::uint32_t {
        return tagBits == 0 ? 0u : static_cast<std::uint32_t>(hash >> (64 - tagBits)) << rowBits;
    };
    // A quarter more slots than rows (5 MB at a million rows): the hash's low half picks the slot
    // by multiplication, not by a mask, so the count need not be a power of two.
    const std::size_t partCapacity = (rows + rows / 4) / parts + 16;
    std::vector<std::uint32_t> slots(partCapacity * parts, 0);
    std::vector<std::vector<std::uint32_t>> found(parts);

    parallelFor(parts, static_cast<unsigned>(parts), [&](std::size_t part) {
        std::uint32_t* const partSlots = slots.data() + part * partCapacity;
        const auto slotOf = [partCapacity](std::uint64_t hash) {
            return static_cast<std::size_t>(((hash & 0xFFFFFFFFull) * partCapacity) >> 32);
        };
        std::vector<std::uint32_t>& duplicates = found[part];
        constexpr std::size_t kBatch = 64;
        std::array<std::uint64_t, kBatch> hashes{};
        std::array<std::uint32_t, kBatch> mine{};
        for (std::size_t begin = 0; begin < rows; begin += kBatch) {
            if ((begin & 0xFFFF) == 0)
                progress.check();
            const std::size_t count = std::min(kBatch, rows - begin);
            hashes.fill(0);
            for (std::size_t c = 0; c < table.columns.size(); ++c) {
                const Column& column = table.columns[c];
                const std::uint64_t factor = columnFactor(c);
                switch (column.kind) {
                case ColumnKind::Integer:
                case ColumnKind::Timestamp: {
                    const auto values = column.integers.view().sub(begin, count);
                    for (std::size_t i = 0; i < count; ++i)
                        hashes[i] += static_cast<std::uint64_t>(values[i]) * factor;
                    break;
                }
                case ColumnKind::Text: {
                    const auto values = column.text.view().sub(begin, count);
                    for (std::size_t i = 0; i < count; ++i)
                        hashes[i] += (values[i] + 0x51ED27ull) * factor;
                    break;
                }
                case ColumnKind::Real:
                    for (std::size_t i = 0; i < count; ++i)
                        hashes[i] += cellBits(column, begin + i) * factor;
                    break;
                }
            }
            std::size_t own = 0;
            for (std::size_t i = 0; i < count; ++i) {
                hashes[i] = mix64(hashes[i]);
                if ((hashes[i] >> 40) % parts == part) {
                    mine[own++] = static_cast<std::uint32_t>(i);
                    __builtin_prefetch(partSlots + slotOf(hashes[i]));
                }
            }
            for (std::size_t k = 0; k < own; ++k) {
                const std::size_t i = mine[k];
                const std::size_t row = begin + i;
                const std::uint32_t tag = tagOf(hashes[i]);
                std::size_t slot = slotOf(hashes[i]);
                bool duplicate = false;
                for (; partSlots[slot] != 0; slot = slot + 1 == partCapacity ? 0 : slot + 1) {
                    if ((partSlots[slot] & ~rowMask) == tag && sameRow(table, (partSlots[slot] & rowMask) - 1, row)) {
                        duplicate = true;
                        break;
                    }
                }
                if (duplicate)
                    duplicates.push_back(static_cast<std::uint32_t>(row));
                else
                    partSlots[slot] = tag | static_cast<std::uint32_t>(row + 1);
            }
        }
    });
    std::vector<std::uint32_t> duplicates;
    for (const auto& part : found) {
        const auto middle = static_cast<std::ptrdiff_t>(duplicates.size());
        duplicates.insert(duplicates.end(), part.begin(), part.end());
        std::inplace_merge(duplicates.begin(), duplicates.begin() + middle, duplicates.end());
    }
    return duplicates;
}

std::string describeCount(std::size_t count, const char* what)
{
    return std::to_string(count) + " " + what;
}

} // namespace

namespace {

// Step 2: missing bytes_in takes the median of the present values (the mean of the middle two
// for an even count, as pandas' median does, rounded to whole bytes).
CleanStep fillBytesInWithMedian(TrafficTable& table, CleanReport& report)
{
    auto& bytesIn = table.column(Field::BytesIn).integers;
    // Read through const: a uniform column (all missing, say) is not stored unless a cell changes.
    const auto& readBytesIn = std::as_const(bytesIn);
    const auto missing
        = static_cast<std::size_t>(std::count(readBytesIn.begin(), readBytesIn.end(), kMissingInteger));
    // The present values are copied only when there is something to fill (8 bytes a row).
    std::vector<std::int64_t> present;
    if (missing > 0) {
        present.reserve(bytesIn.size() - missing);
        for (std::int64_t value : readBytesIn) {
            if (value != kMissingInteger)
                present.push_back(value);
        }
    }
    std::string description;
    if (missing > 0 && !present.empty()) {
        const std::size_t middle = present.size() / 2;
        std::nth_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle), present.end());
        double median = static_cast<double>(present[middle]);
        if (present.size() % 2 == 0) {
            const auto below
                = *std::max_element(present.begin(), present.begin() + static_cast<std::ptrdiff_t>(middle));
            median = (median + static_cast<double>(below)) / 2.0;
        }
        const auto fill = static_cast<std::int64_t>(std::llround(median));
        for (std::int64_t& value : bytesIn) {
            if (value == kMissingInteger)
                value = fill;
        }
        description
            = describeCount(missing, "missing bytes_in value(s) filled with the median, ") + std::to_string(fill);
    } else if (missing > 0) {
        description = "bytes_in is missing in every row: nothing to take a median of, left missing";
        report.warnings.push_back("bytes_in is missing in every row; the detector will see its mean fill instead");
    } else {
        description = "no missing bytes_in values";
    }
    return {"fill_bytes_in_median", description, missing > 0 && !present.empty() ? missing : 0};
}

// Step 4: country codes in upper case. Works on the distinct values, not the rows.
CleanStep upperCaseCountries(TrafficTable& table)
{
    auto& countries = table.column(Field::SrcIpCountryCode).text;
    // By string id (ids are dense); 0 = not looked at yet, as kMissing is never upper-cased.
    std::vector<std::uint32_t> upper(table.strings->size(), StringPool::kMissing);
    std::size_t changed = 0;
    // Read through const and written only where a code changes: a uniform column (a log with no
    // country, every row missing) is not stored.
    const auto& readCountries = std::as_const(countries);
    for (std::size_t row = 0; row < readCountries.size(); ++row) {
        const std::uint32_t id = readCountries[row];
        if (id == StringPool::kMissing)
            continue;
        std::uint32_t& to = upper[id];
        if (to == StringPool::kMissing) {
            std::string text(table.strings->view(id));
            for (char& c : text)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            to = table.strings->intern(text);
        }
        if (to != id) {
            countries[row] = to;
            ++changed;
        }
    }
    return {"upper_case_countries", describeCount(changed, "country code(s) changed to upper case"), changed};
}

// Lets go of the columns neither the features nor keepOnly name (CleanParams::keepOnly).
void releaseUnneededColumns(TrafficTable& table, const std::vector<std::string>& keepOnly)
{
    auto sameName = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                   return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
               });
    };
    std::size_t released = 0;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const bool featureInput = c == static_cast<std::size_t>(Field::BytesIn)
            || c == static_cast<std::size_t>(Field::BytesOut) || c == static_cast<std::size_t>(Field::CreationTime)
            || c == static_cast<std::size_t>(Field::EndTime);
        const bool named = std::any_of(keepOnly.begin(), keepOnly.end(),
                                       [&](const std::string& name) { return sameName(name, table.columns[c].name); });
        if (!featureInput && !named) {
            table.releaseColumn(c);
            ++released;
        }
    }
    logger::core()->info("clean: {} column(s) not needed by this run released", released);
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
    if (params.dropDuplicates) {
        const std::vector<std::uint32_t> duplicates
            = findDuplicateRows(input, resolveThreads(params.threads), progress);
        if (!duplicates.empty())
            input.keepRows(rowsExcept(rows, duplicates));
        report.steps.push_back(
            {"drop_duplicates", describeCount(duplicates.size(), "exact duplicate row(s) dropped"), duplicates.size()});
    }
    progress.report("clean", 0.4);

    result.table = std::move(input);
    TrafficTable& table = result.table;

    // 2. Missing bytes_in takes the median of the present values.
    if (params.fillBytesInMedian)
        report.steps.push_back(fillBytesInWithMedian(table, report));
    progress.report("clean", 0.6);

    // 3. Rows without a source or destination address cannot be attributed: drop them.
    if (params.dropMissingAddresses) {
        const auto& source = table.column(Field::SrcIp).text;
        const auto& destination = table.column(Field::DstIp).text;
        std::vector<std::uint32_t> unaddressed;
        for (std::size_t row = 0; row < table.rowCount(); ++row) {
            if (source[row] == StringPool::kMissing || destination[row] == StringPool::kMissing)
                unaddressed.push_back(static_cast<std::uint32_t>(row));
        }
        const std::size_t dropped = unaddressed.size();
        if (dropped > 0)
            table.keepRows(rowsExcept(table.rowCount(), unaddressed));
        report.steps.push_back(
            {"drop_missing_addresses", describeCount(dropped, "row(s) without src_ip or dst_ip dropped"), dropped});
    }
    progress.report("clean", 0.8);

    // 4. Country codes in upper case.
    if (params.upperCaseCountries)
        report.steps.push_back(upperCaseCountries(table));
    progress.report("clean", 1.0);

    if (!params.keepOnly.empty())
        releaseUnneededColumns(table, params.keepOnly);

    report.rowsOut = table.rowCount();
    auto log = logger::core();
    log->info("clean: {} rows in, {} rows out", report.rowsIn, report.rowsOut);
    for (const CleanStep& step : report.steps)
        log->info("clean: {}: {}", step.name, step.description);
    return result;
}

} // namespace webthreat
