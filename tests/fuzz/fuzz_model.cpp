// libFuzzer target over the saved-model loader: any bytes must either load as a model that can
// score rows without reading outside its trees, or be refused with webthreat::InputError. Anything
// else (a crash, a sanitizer report, another exception, a hang) is a finding. Seeds: valid model
// files (workbench.sh fuzz writes them), so the fuzzer mutates real documents, not only noise.
#include "core/io/csvreader.h"
#include "core/model/modelfile.h"
#include "core/pipeline.h"
#include "core/util/errors.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
const webthreat::PreparedData& someRows()
{
    static const auto data = webthreat::prepareTable(webthreat::readTrafficCsvText(
        "bytes_in,bytes_out,creation_time,end_time,src_ip,src_ip_country_code,protocol,response.code,dst_port,dst_ip\n"
        "100,200,2024-04-25T00:00:00Z,2024-04-25T00:00:10Z,10.0.0.1,US,HTTPS,200,443,10.0.0.9\n"
        ",5,2024-04-25T00:00:00Z,,203.0.113.7,,UDP,,31337,10.0.0.9\n"
        "9999999,0,2024-04-25T00:00:00Z,2024-04-25T00:00:00Z,::1,KP,TCP,500,22,10.0.0.9\n",
        "rows.csv"));
    return *data;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace webthreat;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::shared_ptr<const DetectorModel> model;
    try {
        model = parseModel(text, "fuzz.json");
    } catch (const InputError&) {
        return 0; // refused with a message: the expected outcome for a bad file
    }
    // A model that loaded must score, save and describe without trouble.
    const PreparedData& rows = someRows();
    const auto detection = scoreWithModel(rows, model, 1);
    (void)measureDrift(*model, rows.table, rows.features);
    (void)modelDocument(*model);
    (void)detection;
    return 0;
}
