// libFuzzer target over the readers and the whole pipeline: any input must either load, with its
// problems reported, or be refused with webthreat::Error. Anything else — a crash, a sanitizer
// report, another exception, a hang — is a finding. Every input goes through format detection
// (and gzip, when it starts like gzip) and also through each log reader forced, so the VPC Flow Log
// and load-balancer readers see every input, not only those that look like their format.
#include "core/output/export.h"
#include "core/pipeline.h"
#include "core/io/trafficfile.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    ReadOptions options;
    options.memoryBudget = 32u << 20; // a small input that inflates past this is refused, not read
    // The first byte picks a small block size and thread count so records are cut at every place.
    if (!text.empty()) {
        options.blockBytes = 64 + static_cast<std::size_t>(static_cast<unsigned char>(text.front())) * 7;
        options.threads = 1 + (text.front() & 1);
    }
    // The second byte a small limit for one record, so that long records are refused at every place
    // too (carried across blocks, in the header, inside one block).
    if (text.size() > 1)
        options.maxRecordBytes = 64 + static_cast<std::size_t>(static_cast<unsigned char>(text[1])) * 64;
    for (InputFormat forced : {InputFormat::VpcFlowLog, InputFormat::ElbAccessLog, InputFormat::ZeekConn}) {
        try {
            ReadOptions logOptions = options;
            logOptions.format = forced;
            (void)readTrafficBytes(text, "fuzz.log", logOptions);
        } catch (const Error&) {
        }
    }
    try {
        ReadResult read = readTrafficBytes(text, "fuzz.csv", options);
        AnalysisParams params;
        params.detector.forest.trees = 5;
        params.detector.forest.threads = 1;
        params.keepDataWithoutDetection = true; // fewer than two rows: the data is kept, not refused
        const Analysis analysis = analyzeTable(std::move(read), params);
        if (analysis.hasDetection()) {
            (void)analysisText(analysis);
            (void)analysisJson(analysis);
        }
    } catch (const Error&) {
        // Refused with a message: the expected outcome for bad input.
    }
    return 0;
}
