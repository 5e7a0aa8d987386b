#pragma once

#include "core/context/ipenricher.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace webthreat {

// --enrich in streaming mode (core/stream/streamanalysis.h): each chunk's src_ip and dst_ip looked up
// in the location database, each distinct address once while a cache across chunks holds it (at
// most maxCached addresses; a full cache is emptied and fills again, so memory stays bounded whatever
// the file's size and an address is looked up again only after that). A chunk gets an Enrichment of
// its own (by its string ids), the very answers IpEnricher::enrich gives in memory.
//
// The country fill (prepareTable's: a file without any src_ip_country_code gets the database's
// country of each source) needs to know that no row of the file has a country. A file whose first
// chunk lacks the column (a CSV without it, a log format without countries) fills from its first
// row; otherwise pass 1 notes whether any row has one, and when the fill turns out to apply (a
// column present but empty), or not to (a log that had countries after all), the statistics and the
// sample are gathered again with the right choice, so that pass 1 (shares, sample) and pass 2
// (scores) see the countries the in-memory run sees.
class StreamedEnrichment {
public:
    explicit StreamedEnrichment(std::shared_ptr<const IpEnricher> enricher, std::size_t maxCached = std::size_t(1) << 18);

    // Pass 1: whether a chunk's cleaned rows hold a country; fileHasCountries once every chunk was seen.
    void noteCountries(const TrafficTable& table);
    bool fileHasCountries() const noexcept { return m_anyCountry; }
    // The first chunk's absent columns (ReadReport::absentColumns): without src_ip_country_code, the
    // fill starts at once (countriesFilledFromTheStart).
    void noteAbsentColumns(const std::vector<std::string>& absent);
    // From now on, enrich() fills src_ip_country_code (every row of the file lacks it), or not.
    void fillCountries(bool fill = true) noexcept
    {
        m_fillCountries = fill;
        m_filledFromTheStart = false;
    }
    bool fillsCountries() const noexcept { return m_fillCountries; }
    bool countriesFilledFromTheStart() const noexcept { return m_fillCountries && m_filledFromTheStart; }

    // A chunk's cleaned rows looked up; with fillsCountries, their countries filled from the database
    // (filled: add the rows filled). The Enrichment refers to the table's string ids: valid while the
    // table's string pool is.
    std::shared_ptr<const Enrichment> enrich(TrafficTable& table, std::size_t* filled = nullptr);

    std::size_t lookups() const noexcept { return m_lookups; } // addresses looked up in the database
    std::size_t cacheClears() const noexcept { return m_clears; }
    std::size_t maxCached() const noexcept { return m_maxCached; }
    const IpEnricher& enricher() const noexcept { return *m_enricher; }

private:
    std::shared_ptr<const IpEnricher> m_enricher;
    std::size_t m_maxCached;
    std::unordered_map<std::string, AddressContext> m_cache; // organisation: index in m_organisations
    std::vector<std::string> m_organisations{std::string()};
    std::unordered_map<std::uint32_t, std::uint32_t> m_organisationOfAsn;
    std::size_t m_lookups = 0;
    std::size_t m_clears = 0;
    bool m_anyCountry = false;
    bool m_fillCountries = false;
    bool m_filledFromTheStart = false;
};

} // namespace webthreat
