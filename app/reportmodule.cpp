#include "app/reportmodule.h"

#include "core/util/errors.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

#include <dlfcn.h>

namespace webthreat {

namespace {

constexpr const char* kModuleName = "libwebthreat-report.so";

// Where the module may be: named by WEBTHREAT_REPORT_MODULE, installed beside the package's
// libraries (bin/../lib/webthreat/), or next to the executable (the build tree).
std::vector<std::filesystem::path> candidates()
{
    std::vector<std::filesystem::path> paths;
    if (const char* named = std::getenv("WEBTHREAT_REPORT_MODULE"); named && *named)
        paths.emplace_back(named);
    std::error_code error;
    const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        const std::filesystem::path folder = executable.parent_path();
        paths.push_back(folder.parent_path() / WEBTHREAT_INSTALL_LIBDIR / "webthreat" / kModuleName);
        paths.push_back(folder / kModuleName);
    }
    return paths;
}

ReportWriter loadWriter()
{
    std::string tried;
    for (const std::filesystem::path& path : candidates()) {
        std::error_code error;
        if (!std::filesystem::exists(path, error)) {
            tried += (tried.empty() ? "" : ", ") + path.string();
            continue;
        }
        void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!module)
            throw OutputError("cannot load the report module " + path.string() + ": " + ::dlerror());
        auto entry = reinterpret_cast<ReportWriter (*)()>(::dlsym(module, "webthreat_report_writer"));
        if (!entry)
            throw OutputError("the report module " + path.string() + " has no entry point webthreat_report_writer");
        return entry();
    }
    throw OutputError("--report needs the report module " + std::string(kModuleName)
                      + ", which is not installed (looked in: " + tried + ")");
}

} // namespace

void writeReportThroughModule(const Analysis& analysis, const Provenance& provenance, const std::string& path)
{
    static const ReportWriter writer = loadWriter();
    writer(analysis, provenance, path);
}

} // namespace webthreat
