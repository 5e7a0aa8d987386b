// libFuzzer target over the triage import (File > Import Triage): any bytes must either read as a
// triage bundle or be refused with webthreat::InputError. What reads must also survive the trip a
// colleague's file makes: written as JSON and as CSV and read back, it gives the same bundle.
// Anything else (a crash, a sanitizer report, another exception, a difference, a hang) is a finding.
// Seeds: tests/data/triage/ (an export in each form).
#include "core/triage/workspace.h"
#include "core/util/errors.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
bool same(const webthreat::TriageBundle& a, const webthreat::TriageBundle& b)
{
    if (a.rowMarks.size() != b.rowMarks.size() || a.sourceMarks.size() != b.sourceMarks.size()
        || a.rules.size() != b.rules.size())
        return false;
    for (std::size_t i = 0; i < a.rowMarks.size(); ++i) {
        const auto &x = a.rowMarks[i], &y = b.rowMarks[i];
        if (x.fileSha256 != y.fileSha256 || x.line != y.line || x.mark != y.mark || x.note != y.note
            || x.updatedAt != y.updatedAt)
            return false;
    }
    for (std::size_t i = 0; i < a.sourceMarks.size(); ++i) {
        const auto &x = a.sourceMarks[i], &y = b.sourceMarks[i];
        if (x.ip != y.ip || x.mark != y.mark || x.note != y.note || x.fileSha256 != y.fileSha256
            || x.fileName != y.fileName || x.updatedAt != y.updatedAt)
            return false;
    }
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
        const auto &x = a.rules[i], &y = b.rules[i];
        if (x.field != y.field || x.value != y.value || x.reason != y.reason || x.enabled != y.enabled)
            return false;
    }
    return true;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    TriageBundle bundle;
    try {
        bundle = readTriage(text, "fuzz-triage");
    } catch (const InputError&) {
        return 0; // refused with a message: the expected outcome for a bad file
    }
    // What was read is written and read back unchanged, in both forms.
    if (!same(readTriage(triageToJson(bundle), "fuzz.json"), bundle)
        || !same(readTriage(triageToCsv(bundle), "fuzz.csv"), bundle))
        std::abort();
    return 0;
}
