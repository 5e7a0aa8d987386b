// libFuzzer target over the threat-list parser (--threat-list, the window's Load Threat List):
// any bytes, read as plain text and as a CSV (column by name and by number), strictly and
// leniently, must either load or be refused with webthreat::InputError. What loads must agree with
// itself: every entry is a range first <= last; the lenient read of text the strict read accepted
// is the same list; the merged range table answers as the linear scan does at every entry's ends
// and just past them. Anything else (a crash, a sanitizer report, another exception, a difference,
// a hang) is a finding. Seeds: tests/data/threatlists/.
#include "core/context/threatlist.h"
#include "core/util/errors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace {

void check(const webthreat::ThreatList& list)
{
    using namespace webthreat;
    for (const IpRange& range : list.entries)
        if (range.last < range.first || range.line == 0 || range.line > list.lines)
            std::abort();
    if (list.problems.size() > kThreatListProblemsKept || list.problems.size() > list.badLines)
        std::abort();
    const auto shared = std::make_shared<const ThreatList>(list);
    const std::vector<std::shared_ptr<const ThreatList>> lists{shared};
    const ThreatIndex index(lists);
    std::size_t probes = 0;
    for (const IpRange& range : list.entries) {
        if (++probes > 64)
            break;
        IpNumber after = range.last;
        after.low += 1;
        after.high += after.low == 0 ? 1 : 0;
        for (const IpNumber& probe : {range.first, range.last, after})
            if (index.lookup(probe) != lookupByScan(lists, probe))
                std::abort();
    }
}

webthreat::ThreatList read(std::string_view text, const std::string& column, bool lenient, bool* ok)
{
    webthreat::ThreatListOptions options;
    options.column = column;
    options.skipBadLines = lenient;
    try {
        *ok = true;
        return webthreat::parseThreatList(text, "fuzz.txt", options);
    } catch (const webthreat::InputError&) {
        *ok = false; // refused with a message: the expected outcome for a bad file
        return {};
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (const char* column : {"", "ip", "2"}) {
        bool strictOk = false;
        bool lenientOk = false;
        const webthreat::ThreatList strict = read(text, column, false, &strictOk);
        const webthreat::ThreatList lenient = read(text, column, true, &lenientOk);
        if (strictOk) {
            check(strict);
            if (!lenientOk || lenient.entries.size() != strict.entries.size() || lenient.badLines != 0)
                std::abort();
        }
        if (lenientOk)
            check(lenient);
    }
    return 0;
}
