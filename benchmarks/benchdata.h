#pragma once

// What the benchmarks share besides the table printer: the generated input file, made once and
// kept, and the median of repeated measurements.
#include "benchmarks/markdowntable.h"
#include "core/util/format.h"
#include "generator/generator.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace webthreat::bench {

// `webthreat generate --label` defaults, so the file has the same bytes as the command writes.
inline constexpr std::uint64_t kSeed = 42;
inline constexpr double kAnomalyRate = 0.02;

// The generated file of `rows` rows in cacheDir, made once and kept: written beside its final
// name and renamed, so an interrupted run never leaves a truncated file that a later run would trust.
inline std::filesystem::path generatedDataFile(const std::filesystem::path& cacheDir, std::size_t rows)
{
    namespace fs = std::filesystem;
    const fs::path path = cacheDir / ("gen-" + std::to_string(rows) + ".csv");
    if (fs::exists(path))
        return path;
    fs::create_directories(cacheDir);
    const fs::path partial = path.string() + ".partial-" + std::to_string(::getpid());
    std::cerr << "bench: generating " << groupedCount(rows) << " rows into " << path << " ..." << std::endl;
    const auto started = std::chrono::steady_clock::now();
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + partial.string());
        GeneratorParams params;
        params.rows = rows;
        params.seed = kSeed;
        params.anomalyRate = kAnomalyRate;
        params.label = true;
        generateTraffic(out, params);
        out.flush();
        if (!out)
            throw std::runtime_error("writing " + partial.string() + " failed (disk full?)");
    }
    fs::rename(partial, path);
    std::cerr << "bench: generated " << fs::file_size(path) / 1000000 << " MB in "
              << fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 1) << " s"
              << std::endl;
    return path;
}

inline double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

} // namespace webthreat::bench
