// libFuzzer target over the load-balancer log reader alone (core/io/elblogreader: ALB and NLB
// access logs, ALB connection logs): any bytes must be read, with their problems reported, or
// refused with webthreat::Error. Anything else (a crash, a sanitizer report, another exception, a
// hang) is a finding. Also the format detection's question for this format, on every line.
// Seeds: tests/data/formats/alb_*.log.
// The same bytes read on one thread and on three (pieces read apart, then merged) must give the
// same table and report, or the same refusal (fuzzing::requireSameOnThreads).
#include "fuzzinput.h"

#include "core/io/elblogreader.h"
#include "core/io/inputformat.h"
#include "core/util/errors.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        (void)looksLikeElbEntry(text.substr(start, end - start));
        start = end + 1;
    }
    (void)detectFormat(text);
    fuzzing::MemoryStream stream(text);
    try {
        const ReadResult result = readElbLog(stream.reader(), [&] { return stream.fraction(); }, "fuzz.log",
                                             fuzzing::smallReadOptions(text));
        (void)result.table.rowCount();
    } catch (const Error&) {
        // Refused with a message: the expected outcome for a file that is not a load-balancer log.
    }
    fuzzing::requireSameOnThreads(text, [](const ByteReader& read, const std::function<double()>& fraction,
                                           const ReadOptions& options) {
        return readElbLog(read, fraction, "fuzz.log", options);
    });
    return 0;
}
