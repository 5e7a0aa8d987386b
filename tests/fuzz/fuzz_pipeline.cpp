// libFuzzer target over the reader and the whole pipeline: any input must either load, with its
// problems reported, or be refused with webthreat::Error. Anything else — a crash, a sanitizer
// report, another exception, a hang — is a finding.
#include "core/export.h"
#include "core/pipeline.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    ReadOptions options;
    // The first byte picks a small block size and thread count so records are cut at every place.
    if (!text.empty()) {
        options.blockBytes = 64 + static_cast<std::size_t>(static_cast<unsigned char>(text.front())) * 7;
        options.threads = 1 + (text.front() & 1);
    }
    try {
        ReadResult read = readTrafficCsvText(text, "fuzz.csv", options);
        auto prepared = prepareTable(std::move(read));
        if (prepared->table.rowCount() >= 2) {
            DetectorParams params;
            params.forest.trees = 5;
            params.forest.threads = 1;
            auto detection = detect(*prepared, params);
            const Analysis analysis = assess(prepared, detection, Contamination());
            (void)analysisText(analysis);
            (void)analysisJson(analysis);
        }
    } catch (const Error&) {
        // Refused with a message: the expected outcome for bad input.
    }
    return 0;
}
