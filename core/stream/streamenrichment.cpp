#include "core/stream/streamenrichment.h"

#include <algorithm>

namespace webthreat {

StreamedEnrichment::StreamedEnrichment(std::shared_ptr<const IpEnricher> enricher, std::size_t maxCached)
    : m_enricher(std::move(enricher))
    , m_maxCached(std::max<std::size_t>(maxCached, 1))
{
}

void StreamedEnrichment::noteAbsentColumns(const std::vector<std::string>& absent)
{
    if (std::find(absent.begin(), absent.end(), fieldInfo(Field::SrcIpCountryCode).name) != absent.end())
        m_fillCountries = m_filledFromTheStart = true;
}

void StreamedEnrichment::noteCountries(const TrafficTable& table)
{
    if (m_anyCountry)
        return;
    const Column& countries = table.column(Field::SrcIpCountryCode);
    if (countries.released)
        return;
    m_anyCountry = std::any_of(countries.text.begin(), countries.text.end(),
                               [](std::uint32_t id) { return id != StringPool::kMissing; });
}

std::shared_ptr<const Enrichment> StreamedEnrichment::enrich(TrafficTable& table, std::size_t* filled)
{
    auto result = std::make_shared<Enrichment>();
    result->databasePath = m_enricher->path();
    result->databaseVendor = m_enricher->vendor();
    result->databaseCreatedAt = m_enricher->createdAt();
    result->contextOfString.assign(table.strings->size(), 0);
    constexpr std::uint32_t kUnseen = ~std::uint32_t(0);
    std::vector<std::uint32_t> seen(table.strings->size(), kUnseen);
    std::vector<std::uint32_t> organisationHere(m_organisations.size(), 0); // this chunk's index, 0 = not yet
    for (const Field field : {Field::SrcIp, Field::DstIp}) {
        const Column& column = table.column(field);
        if (column.released)
            continue;
        for (const std::uint32_t id : column.text) {
            if (id == StringPool::kMissing || seen[id] != kUnseen)
                continue;
            seen[id] = 0;
            ++result->distinctAddresses;
            const std::string_view address = table.strings->view(id);
            auto cached = m_cache.find(std::string(address));
            if (cached == m_cache.end()) {
                if (m_cache.size() >= m_maxCached) {
                    m_cache.clear();
                    ++m_clears;
                }
                AddressContext context = m_enricher->lookup(address);
                ++m_lookups;
                context.organisation = 0;
                if (context.asn != 0) {
                    auto [it, added] = m_organisationOfAsn.try_emplace(context.asn, 0);
                    if (added) {
                        std::string name;
                        m_enricher->lookup(address, &name);
                        if (!name.empty()) {
                            it->second = static_cast<std::uint32_t>(m_organisations.size());
                            m_organisations.push_back(std::move(name));
                            organisationHere.push_back(0);
                        }
                    }
                    context.organisation = it->second;
                }
                cached = m_cache.emplace(std::string(address), context).first;
            }
            AddressContext context = cached->second;
            if (!context.known())
                continue;
            if (context.organisation != 0) {
                std::uint32_t& here = organisationHere[context.organisation];
                if (here == 0) {
                    here = static_cast<std::uint32_t>(result->organisations.size());
                    result->organisations.push_back(m_organisations[context.organisation]);
                }
                context.organisation = here;
            }
            result->contextOfString[id] = static_cast<std::uint32_t>(result->addresses.size());
            result->addresses.push_back(context);
        }
    }
    result->knownAddresses = result->addresses.size() - 1;
    if (m_fillCountries) {
        Column& countries = table.column(Field::SrcIpCountryCode);
        std::size_t count = 0;
        for (std::size_t row = 0; row < table.rowCount() && !countries.released; ++row) {
            const std::string_view code = result->source(table, row).countryCode();
            if (!code.empty()) {
                countries.text[row] = table.strings->intern(code);
                ++count;
            }
        }
        if (filled)
            *filled += count;
    }
    return result;
}

} // namespace webthreat
