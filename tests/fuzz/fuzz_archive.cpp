// libFuzzer target over compressed and archived input (core/io/archive, core/io/decompress): any
// bytes must decompress, be read as a traffic file, or be refused with webthreat::Error. Anything
// else (a crash, a sanitizer report, another exception, a hang) is a finding. The decompressed
// size is limited to 1 MiB (about 1.4 MiB when read as a traffic file), so a decompression bomb
// is refused cheaply; the limit itself is part of what is fuzzed. Seeds: small gzip, bzip2, xz, zstd, zip and tar files (plain
// and compressed), one member and several, made by workbench.sh fuzz from tests/data.
#include "core/io/archive.h"
#include "core/io/decompress.h"
#include "core/io/trafficfile.h"
#include "core/util/errors.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace {

constexpr std::uint64_t kOutputLimit = 1u << 20;

// Reads the whole of one stream or member through libarchive, in odd-sized pieces.
void readThrough(std::string_view bytes, const std::string& member)
{
    using namespace webthreat;
    try {
        ArchiveReader reader(archiveMemorySource(bytes), "fuzz.bin", member, kOutputLimit, {});
        std::vector<char> buffer(4099);
        while (reader.read(buffer.data(), buffer.size()) > 0) {
        }
        (void)reader.description();
        (void)reader.displayName();
        (void)reader.decompressedBytes();
    } catch (const Error&) {
        // Corrupt, truncated, too large, no such member, several members: refused with a message.
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const Packing packing = packingOf(bytes);
    (void)packingName(packing);
    if (isGzip(bytes)) {
        try {
            (void)gunzip(bytes, "fuzz.gz", kOutputLimit);
        } catch (const Error&) {
        }
    }
    readThrough(bytes, {});
    if (isContainer(packing))
        readThrough(bytes, "traffic.csv");
    if (packing == Packing::Plain)
        return 0; // plain text is the other targets' business
    // The way the workbench opens it: decompress, refuse what is nested, detect the format, read.
    ReadOptions options;
    options.threads = 1;
    options.blockBytes = 64u << 10;
    options.memoryBudget = 2 * options.blockBytes + (1u << 20); // text past about 1.4 MiB is refused
    options.maxRecordBytes = 64u << 10;
    try {
        (void)readTrafficBytes(bytes, "fuzz.bin", options);
    } catch (const Error&) {
    }
    return 0;
}
