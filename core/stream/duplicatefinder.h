#pragma once

#include "core/util/progress.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webthreat {

// Exact duplicates among a file's rows, by 64-bit row hashes, in memory bounded for any file size.
// Rows are added in file order; the first of equal hashes is kept, every later one is a duplicate
// and its bit is set (bit i of the vector = row i).
//  While the distinct hashes fit in setBytes they stay in an in-memory set (8-byte slots, at most
//  70 % full, a power of two), and a duplicate is known as soon as its row is added.
//  When the set would outgrow setBytes, it spills: the set's hashes, then every later row's hash
//  and row index, go to one of a few hundred partition files (by the hash's top bits) in a
//  private folder made under scratchDir. resolve() then reads the partitions one by one, each
//  through a set of its own (a partition larger than setBytes is split again by the next bits),
//  and sets the bits of the duplicates found late. The folder is removed when the finder is
//  destroyed, whether the run succeeded, failed or was cancelled.
// A full disk or an unwritable folder throws OutputError naming the path.
struct DuplicateFinderParams {
    std::size_t setBytes = std::size_t(256) << 20; // the in-memory set's share of the budget
    std::string scratchDir; // where the private folder is made; empty: $TMPDIR, else /tmp
    std::uint64_t expectedRows = 0; // an estimate of the file's rows (0: unknown), to size partitions
};

class DuplicateFinder {
public:
    explicit DuplicateFinder(DuplicateFinderParams params);
    ~DuplicateFinder();
    DuplicateFinder(const DuplicateFinder&) = delete;
    DuplicateFinder& operator=(const DuplicateFinder&) = delete;

    void setExpectedRows(std::uint64_t rows);
    // The hashes of rows first, first + 1, ...; bits must cover them. Returns the duplicates found
    // now (in memory); those of rows added after a spill are found by resolve().
    std::size_t add(const std::vector<std::uint64_t>& hashes, std::uint64_t first, std::vector<std::uint64_t>& bits,
                    const Progress& progress);
    // After the last add: finds the duplicates among spilled rows, sets their bits, returns how many.
    // Polls progress as "duplicates". Nothing to do when the set never spilled.
    std::size_t resolve(std::vector<std::uint64_t>& bits, const Progress& progress);

    bool spilled() const noexcept;
    std::size_t partitions() const noexcept; // at the first level
    std::size_t peakSetSize() const noexcept; // distinct hashes held in memory at most
    std::uint64_t rowsAtSpill() const noexcept; // rows added before the spill
    std::uint64_t spilledBytes() const noexcept; // written to the scratch folder in all
    const std::string& scratchPath() const noexcept; // the private folder made at the spill (removed since)

    struct State;

private:
    std::unique_ptr<State> m;
};

} // namespace webthreat
