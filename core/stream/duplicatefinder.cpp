#include "core/stream/duplicatefinder.h"

#include "core/util/errors.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace webthreat {

namespace {

// A set of 64-bit row hashes, open addressing (8 bytes a slot, at most 70 % full, a power of two).
// 0 marks an empty slot: the finder stores a hash of 0 as 1.
class RowHashSet {
public:
    // True when the hash was new.
    bool insert(std::uint64_t hash)
    {
        if (needsGrowth())
            rehash(std::max<std::size_t>(1024, m_slots.size() * 2));
        std::size_t slot = static_cast<std::size_t>(hash) & (m_slots.size() - 1);
        while (m_slots[slot] != 0) {
            if (m_slots[slot] == hash)
                return false;
            slot = (slot + 1) & (m_slots.size() - 1);
        }
        m_slots[slot] = hash;
        ++m_size;
        return true;
    }
    bool needsGrowth() const noexcept { return (m_size + 1) * 10 > m_slots.size() * 7; }
    // What growing would hold at once: the old table and the new, twice its size.
    std::size_t bytesWhileGrowing() const noexcept
    {
        return std::max<std::size_t>(1024, m_slots.size() * 2) * 8 + m_slots.size() * 8;
    }
    std::size_t size() const noexcept { return m_size; }
    // Room for rows hashes without growing (growing holds the old and the new table at once), in
    // at most maxBytes.
    void reserve(std::size_t rows, std::size_t maxBytes)
    {
        std::size_t slots = 1024;
        if (slots * 8 > maxBytes)
            return;
        while (slots * 7 < rows * 10 && slots * 2 * 8 <= maxBytes)
            slots *= 2;
        if (slots > m_slots.size())
            rehash(slots);
    }
    template <typename Visit>
    void forEach(Visit visit) const
    {
        for (std::uint64_t hash : m_slots) {
            if (hash != 0)
                visit(hash);
        }
    }
    void clear() { std::vector<std::uint64_t>().swap(m_slots), m_size = 0; }

private:
    void rehash(std::size_t slots)
    {
        std::vector<std::uint64_t> old(slots, 0);
        old.swap(m_slots);
        m_size = 0;
        for (std::uint64_t hash : old) {
            if (hash != 0)
                insert(hash);
        }
    }
    std::vector<std::uint64_t> m_slots;
    std::size_t m_size = 0;
};

// A row's hash and index in a partition file; the in-memory set's hashes, spilled first, carry no
// row (they are first occurrences, kept).
struct Entry {
    std::uint64_t hash;
    std::uint64_t row;
};
constexpr std::uint64_t kNotARow = ~std::uint64_t(0);
constexpr std::size_t kBytesPerResolvedEntry = 23; // a set's worst case: 8 bytes / 0.7 * 2
constexpr std::size_t kPollEntries = 1 << 16;

std::string systemError(int error)
{
    return std::strerror(error);
}

// One partition file written through a buffer; write errors (a full disk, a file size limit)
// name the file.
class PartitionWriter {
public:
    explicit PartitionWriter(std::string path)
        : m_path(std::move(path))
    {
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (m_fd < 0)
            throw OutputError("cannot create the duplicate set's scratch file " + m_path + ": " + systemError(errno)
                              + " (choose a folder with room: --scratch, or TMPDIR)");
        m_buffer.reserve(kBufferEntries);
    }
    ~PartitionWriter()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    PartitionWriter(PartitionWriter&& other) noexcept
        : m_path(std::move(other.m_path))
        , m_fd(std::exchange(other.m_fd, -1))
        , m_buffer(std::move(other.m_buffer))
        , m_entries(other.m_entries)
    {
    }
    PartitionWriter& operator=(PartitionWriter&&) = delete;

    void push(Entry entry)
    {
        m_buffer.push_back(entry);
        ++m_entries;
        if (m_buffer.size() == kBufferEntries)
            flush();
    }
    // Flushed and closed; returns the entries written.
    std::uint64_t close()
    {
        flush();
        const int fd = std::exchange(m_fd, -1);
        if (fd >= 0 && ::close(fd) != 0)
            fail(errno);
        return m_entries;
    }
    const std::string& path() const noexcept { return m_path; }
    std::uint64_t entries() const noexcept { return m_entries; }

private:
    static constexpr std::size_t kBufferEntries = 2048; // 32 KiB
    void flush()
    {
        const char* data = reinterpret_cast<const char*>(m_buffer.data());
        std::size_t left = m_buffer.size() * sizeof(Entry);
        while (left > 0) {
            const ssize_t written = ::write(m_fd, data, left);
            if (written < 0 && errno == EINTR)
                continue;
            if (written <= 0)
                fail(written < 0 ? errno : ENOSPC);
            data += written;
            left -= static_cast<std::size_t>(written);
        }
        m_buffer.clear();
    }
    [[noreturn]] void fail(int error)
    {
        throw OutputError("cannot write the duplicate set's scratch file " + m_path + ": " + systemError(error)
                          + " (the scratch folder needs about 16 bytes a row: choose one with room, --scratch or TMPDIR)");
    }
    std::string m_path;
    int m_fd = -1;
    std::vector<Entry> m_buffer;
    std::uint64_t m_entries = 0;
};

// Reads a partition file in blocks.
class PartitionReader {
public:
    explicit PartitionReader(const std::string& path)
        : m_path(path)
    {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            throw OutputError("cannot read the duplicate set's scratch file " + path + ": " + systemError(errno));
    }
    ~PartitionReader() { ::close(m_fd); }
    PartitionReader(const PartitionReader&) = delete;
    PartitionReader& operator=(const PartitionReader&) = delete;
    // The next block of entries; empty at the end.
    const std::vector<Entry>& next()
    {
        m_block.resize(kBlockEntries);
        char* data = reinterpret_cast<char*>(m_block.data());
        std::size_t got = 0;
        const std::size_t want = kBlockEntries * sizeof(Entry);
        while (got < want) {
            const ssize_t n = ::read(m_fd, data + got, want - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                throw OutputError("cannot read the duplicate set's scratch file " + m_path + ": " + systemError(errno));
            if (n == 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        m_block.resize(got / sizeof(Entry));
        return m_block;
    }

private:
    static constexpr std::size_t kBlockEntries = 4096; // 64 KiB
    std::string m_path;
    int m_fd = -1;
    std::vector<Entry> m_block;
};

} // namespace

struct DuplicateFinder::State {
    DuplicateFinderParams params;
    RowHashSet set;
    std::size_t peak = 0;
    bool spilled = false;
    std::uint64_t rowsAdded = 0;
    std::uint64_t rowsAtSpill = 0;
    int partitionBits = 0;
    std::string dir; // the private scratch folder, while it exists
    std::string folder; // its name, kept for the report
    std::vector<std::string> files; // created and not yet removed
    std::vector<PartitionWriter> writers;
    std::uint64_t spilledBytes = 0;
    std::uint64_t resolvedEntries = 0, totalEntries = 0;
    std::size_t nextFile = 0;

    ~State()
    {
        writers.clear();
        for (const std::string& file : files)
            ::unlink(file.c_str());
        if (!dir.empty())
            ::rmdir(dir.c_str());
    }

    void spill(const Progress& progress);
    std::size_t resolveFile(const std::string& path, std::uint64_t entries, int usedBits, std::vector<std::uint64_t>& bits,
                            const Progress& progress);
    std::string newFile()
    {
        files.push_back(dir + "/part-" + std::to_string(nextFile++));
        return files.back();
    }
    void removeFile(const std::string& path)
    {
        ::unlink(path.c_str());
        files.erase(std::remove(files.begin(), files.end(), path), files.end());
    }
};

void DuplicateFinder::State::spill(const Progress& progress)
{
    std::string base = params.scratchDir;
    if (base.empty()) {
        const char* tmp = std::getenv("TMPDIR");
        base = tmp && *tmp ? tmp : "/tmp";
    }
    std::string pattern = base + "/webthreat-duplicates-XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw OutputError("cannot make a scratch folder for the duplicate set in " + base + ": " + systemError(errno)
                          + " (choose a writable folder with room: --scratch, or TMPDIR)");
    dir = pattern;
    folder = dir;
    // Enough partitions that each one's set fits in setBytes, judged from the rows expected.
    const std::uint64_t expected = std::max<std::uint64_t>(params.expectedRows, rowsAdded * 2);
    const double entries = static_cast<double>(set.size() + (expected - rowsAdded)) * 1.5;
    const double perPartition = static_cast<double>(std::max<std::size_t>(params.setBytes / kBytesPerResolvedEntry, 1));
    partitionBits = 2;
    while (partitionBits < 8 && static_cast<double>(std::uint64_t(1) << partitionBits) * perPartition < entries)
        ++partitionBits;
    writers.reserve(std::size_t(1) << partitionBits);
    for (std::size_t p = 0; p < (std::size_t(1) << partitionBits); ++p)
        writers.emplace_back(newFile());
    std::size_t done = 0;
    const int shift = 64 - partitionBits;
    set.forEach([&](std::uint64_t hash) {
        writers[hash >> shift].push({hash, kNotARow});
        if (++done % kPollEntries == 0)
            progress.check();
    });
    set.clear();
    spilled = true;
    rowsAtSpill = rowsAdded;
}

DuplicateFinder::DuplicateFinder(DuplicateFinderParams params)
    : m(std::make_unique<State>())
{
    m->params = std::move(params);
}

DuplicateFinder::~DuplicateFinder() = default;

void DuplicateFinder::setExpectedRows(std::uint64_t rows)
{
    m->params.expectedRows = rows;
    if (!m->spilled)
        m->set.reserve(static_cast<std::size_t>(rows), m->params.setBytes);
}

std::size_t DuplicateFinder::add(const std::vector<std::uint64_t>& hashes, std::uint64_t first,
                                 std::vector<std::uint64_t>& bits, const Progress& progress)
{
    State& s = *m;
    std::size_t found = 0;
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        const std::uint64_t hash = hashes[i] == 0 ? 1 : hashes[i];
        const std::uint64_t row = first + i;
        if (!s.spilled) {
            if (!s.set.needsGrowth() || s.set.bytesWhileGrowing() <= s.params.setBytes) {
                if (!s.set.insert(hash)) {
                    bits[row / 64] |= std::uint64_t(1) << (row % 64);
                    ++found;
                }
                s.peak = std::max(s.peak, s.set.size());
                continue;
            }
            s.rowsAdded = row;
            s.spill(progress);
        }
        s.writers[hash >> (64 - s.partitionBits)].push({hash, row});
        if (i % kPollEntries == kPollEntries - 1)
            progress.check();
    }
    s.rowsAdded = first + hashes.size();
    return found;
}

// Every entry of the file in order through a set: a row whose hash was seen is a duplicate. A file
// whose set would not fit is split by the next 8 bits of the hash first (order kept).
std::size_t DuplicateFinder::State::resolveFile(const std::string& path, std::uint64_t entries, int usedBits,
                                                std::vector<std::uint64_t>& bits, const Progress& progress)
{
    const std::uint64_t fits = std::max<std::uint64_t>(params.setBytes / kBytesPerResolvedEntry, 1);
    std::size_t found = 0;
    if (entries > fits && usedBits < 64) {
        // As many parts as make each one fit, with a margin for an uneven split, at most 256.
        int splitBits = 1;
        while (splitBits < 8 && splitBits + usedBits < 64
               && static_cast<double>(fits) * static_cast<double>(std::uint64_t(1) << splitBits) < static_cast<double>(entries) * 1.5)
            ++splitBits;
        const int shift = 64 - splitBits;
        std::vector<PartitionWriter> parts;
        parts.reserve(std::size_t(1) << splitBits);
        for (std::size_t p = 0; p < (std::size_t(1) << splitBits); ++p)
            parts.emplace_back(newFile());
        {
            PartitionReader reader(path);
            std::size_t done = 0;
            for (const std::vector<Entry>* block = &reader.next(); !block->empty(); block = &reader.next()) {
                for (const Entry& entry : *block)
                    parts[(entry.hash << usedBits) >> shift].push(entry);
                done += block->size();
                if (done % kPollEntries < block->size())
                    progress.check();
            }
        }
        removeFile(path);
        std::vector<std::pair<std::string, std::uint64_t>> children;
        for (PartitionWriter& part : parts) {
            const std::uint64_t written = part.close();
            spilledBytes += written * sizeof(Entry);
            children.emplace_back(part.path(), written);
        }
        parts.clear();
        for (const auto& child : children)
            found += resolveFile(child.first, child.second, usedBits + splitBits, bits, progress);
        return found;
    }
    RowHashSet seen;
    seen.reserve(static_cast<std::size_t>(std::min(entries, fits)), std::max<std::size_t>(params.setBytes, 16384));
    {
        PartitionReader reader(path);
        for (const std::vector<Entry>* block = &reader.next(); !block->empty(); block = &reader.next()) {
            for (const Entry& entry : *block) {
                if (!seen.insert(entry.hash) && entry.row != kNotARow) {
                    bits[entry.row / 64] |= std::uint64_t(1) << (entry.row % 64);
                    ++found;
                }
            }
            const std::uint64_t before = resolvedEntries;
            resolvedEntries += block->size();
            if (before / kPollEntries != resolvedEntries / kPollEntries) {
                progress.check();
                progress.report("duplicates", totalEntries ? static_cast<double>(resolvedEntries) / static_cast<double>(totalEntries) : 1.0);
            }
        }
    }
    removeFile(path);
    return found;
}

std::size_t DuplicateFinder::resolve(std::vector<std::uint64_t>& bits, const Progress& progress)
{
    State& s = *m;
    if (!s.spilled)
        return 0;
    std::vector<std::pair<std::string, std::uint64_t>> parts;
    for (PartitionWriter& writer : s.writers) {
        const std::uint64_t written = writer.close();
        s.spilledBytes += written * sizeof(Entry);
        s.totalEntries += written;
        parts.emplace_back(writer.path(), written);
    }
    s.writers.clear();
    std::size_t found = 0;
    for (const auto& part : parts)
        found += s.resolveFile(part.first, part.second, s.partitionBits, bits, progress);
    progress.report("duplicates", 1.0);
    if (!s.dir.empty() && ::rmdir(s.dir.c_str()) == 0)
        s.dir.clear();
    return found;
}

bool DuplicateFinder::spilled() const noexcept { return m->spilled; }
std::size_t DuplicateFinder::partitions() const noexcept { return m->spilled ? std::size_t(1) << m->partitionBits : 0; }
std::size_t DuplicateFinder::peakSetSize() const noexcept { return m->peak; }
std::uint64_t DuplicateFinder::rowsAtSpill() const noexcept { return m->rowsAtSpill; }
std::uint64_t DuplicateFinder::spilledBytes() const noexcept { return m->spilledBytes; }
const std::string& DuplicateFinder::scratchPath() const noexcept { return m->folder; }

} // namespace webthreat
