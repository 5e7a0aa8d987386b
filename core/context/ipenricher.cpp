#include "core/context/ipenricher.h"

#include "core/util/errors.h"
#include "core/util/log.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <unordered_map>

// libloc's headers declare C functions but only libloc.h says extern "C".
extern "C" {
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
}

namespace webthreat {

namespace {
constexpr const char* kDefaultDatabase = "/var/lib/location/database.db";
constexpr std::size_t kMagicBytes = 8; // "LOCDBXX" and the version byte
constexpr std::size_t kHeaderBytes = 4192; // struct loc_database_header_v1 (libloc/format.h)
constexpr std::size_t kChunk = 2048; // addresses per task

// libloc logs its own errors to stderr; ours name the file instead.
void quietLog(loc_ctx*, int, const char*, int, const char*, const char*, va_list) { }

std::uint32_t bigEndian32(const unsigned char* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Refuses what libloc 0.9.16 would read past the end of: a file shorter than its header, another
// kind of file, or one whose sections (as given in the header) run past its end.
void checkDatabaseFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        throw InputError(path, 0, "", std::string("cannot open the location database: ") + std::strerror(errno));
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    std::vector<unsigned char> head(kMagicBytes + kHeaderBytes);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    if (size < 7 || std::memcmp(head.data(), "LOCDBXX", 7) != 0)
        throw InputError(path, 0, "", "not a location database (libloc's files begin with LOCDBXX)");
    if (head[7] != 1)
        throw InputError(path, 0, "", "a location database of version " + std::to_string(head[7])
                                          + ", which this libloc does not read (version 1 only)");
    if (size < head.size())
        throw InputError(path, 0, "", "the location database is truncated: " + std::to_string(size)
                                          + " bytes, shorter than its header");
    const unsigned char* header = head.data() + kMagicBytes;
    static constexpr std::pair<std::size_t, const char*> kSections[]
        = {{20, "AS"}, {28, "network data"}, {36, "network tree"}, {44, "countries"}, {52, "string pool"}};
    for (const auto& section : kSections) {
        const std::uint64_t offset = bigEndian32(header + section.first);
        const std::uint64_t length = bigEndian32(header + section.first + 4);
        if (offset + length > size)
            throw InputError(path, 0, "", std::string("the location database is truncated: its ") + section.second
                                              + " section ends at byte " + std::to_string(offset + length)
                                              + " but the file has " + std::to_string(size));
    }
}

char upper(char c)
{
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}
} // namespace

struct IpEnricher::Handle {
    loc_ctx* ctx = nullptr;
    loc_database* db = nullptr;

    explicit Handle(const std::string& path)
    {
        if (loc_new(&ctx) != 0)
            throw InputError(path, 0, "", "cannot start libloc (out of memory?)");
        loc_set_log_fn(ctx, quietLog);
        FILE* file = std::fopen(path.c_str(), "rb");
        if (!file) {
            const int error = errno;
            loc_unref(ctx);
            throw InputError(path, 0, "", std::string("cannot open the location database: ") + std::strerror(error));
        }
        const int failed = loc_database_new(ctx, &db, file);
        std::fclose(file); // libloc keeps its own mapping
        if (failed != 0 || !db) {
            loc_unref(ctx);
            throw InputError(path, 0, "", "libloc cannot read the location database");
        }
    }
    ~Handle()
    {
        if (db)
            loc_database_unref(db);
        if (ctx)
            loc_unref(ctx);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    AddressContext lookup(std::string_view address) const
    {
        AddressContext context;
        char text[INET6_ADDRSTRLEN + 8];
        if (address.empty() || address.size() >= sizeof text)
            return context;
        std::memcpy(text, address.data(), address.size());
        text[address.size()] = '\0';
        loc_network* network = nullptr;
        if (loc_database_lookup_from_string(db, text, &network) != 0 || !network)
            return context;
        context.asn = loc_network_get_asn(network);
        if (const char* code = loc_network_get_country_code(network); code && code[0] && code[1]) {
            context.country = {upper(code[0]), upper(code[1])};
        }
        static constexpr std::pair<int, std::uint8_t> kFlags[]
            = {{LOC_NETWORK_FLAG_ANONYMOUS_PROXY, kAnonymousProxy},
               {LOC_NETWORK_FLAG_SATELLITE_PROVIDER, kSatelliteProvider},
               {LOC_NETWORK_FLAG_ANYCAST, kAnycast},
               {LOC_NETWORK_FLAG_DROP, kDropList}};
        for (const auto& flag : kFlags) {
            if (loc_network_has_flag(network, static_cast<std::uint32_t>(flag.first)))
                context.flags |= flag.second;
        }
        loc_network_unref(network);
        return context;
    }

    std::string asName(std::uint32_t asn) const
    {
        loc_as* as = nullptr;
        if (asn == 0 || loc_database_get_as(db, &as, asn) != 0 || !as)
            return {};
        const char* name = loc_as_get_name(as);
        std::string result = name ? name : "";
        loc_as_unref(as);
        return result;
    }
};

struct IpEnricher::Guard {
    std::mutex mutex;
};

IpEnricher::~IpEnricher() = default;

std::string networkFlagsText(std::uint8_t flags)
{
    static constexpr std::pair<std::uint8_t, const char*> kNames[] = {{kAnonymousProxy, "anonymous proxy"},
                                                                       {kSatelliteProvider, "satellite provider"},
                                                                       {kAnycast, "anycast"},
                                                                       {kDropList, "drop list"}};
    std::string text;
    for (const auto& name : kNames) {
        if (flags & name.first)
            text += (text.empty() ? "" : "; ") + std::string(name.second);
    }
    return text;
}

bool Enrichment::countryMismatch(const TrafficTable& table, std::size_t row) const noexcept
{
    const std::string_view file = table.text(Field::SrcIpCountryCode, row);
    const AddressContext& context = source(table, row);
    if (file.size() != 2 || !context.country[0])
        return false;
    return upper(file[0]) != context.country[0] || upper(file[1]) != context.country[1];
}

std::string Enrichment::describe(const AddressContext& context) const
{
    std::string text;
    if (context.asn != 0) {
        text = "AS" + std::to_string(context.asn);
        if (!organisation(context).empty())
            text += " " + std::string(organisation(context));
    }
    if (context.country[0])
        text += (text.empty() ? "" : ", ") + std::string(context.countryCode());
    if (context.flags)
        text += (text.empty() ? "" : "; ") + networkFlagsText(context.flags);
    return text;
}

std::string IpEnricher::defaultPath()
{
    const char* env = std::getenv("WEBTHREAT_LOCATION_DB");
    return env && *env ? std::string(env) : std::string(kDefaultDatabase);
}

std::shared_ptr<const IpEnricher> IpEnricher::open(const std::string& path)
{
    const std::string resolved = path.empty() ? defaultPath() : path;
    checkDatabaseFile(resolved);
    std::shared_ptr<IpEnricher> enricher(new IpEnricher());
    enricher->m_path = resolved;
    enricher->m_handle = std::make_unique<Handle>(resolved);
    enricher->m_guard = std::make_unique<Guard>();
    const char* vendor = loc_database_get_vendor(enricher->m_handle->db);
    enricher->m_vendor = vendor ? vendor : "";
    enricher->m_createdAt = static_cast<std::int64_t>(loc_database_created_at(enricher->m_handle->db));
    logger::core()->info("location database {}: {}, created {}", resolved, enricher->m_vendor, enricher->m_createdAt);
    return enricher;
}

std::shared_ptr<const IpEnricher> IpEnricher::tryOpen(const std::string& path, std::string& problem)
{
    try {
        problem.clear();
        return open(path);
    } catch (const InputError& error) {
        problem = "IP enrichment is off: " + std::string(error.what());
        return nullptr;
    }
}

AddressContext IpEnricher::lookup(std::string_view address, std::string* organisation) const
{
    const std::lock_guard lock(m_guard->mutex);
    const AddressContext context = m_handle->lookup(address);
    if (organisation)
        *organisation = m_handle->asName(context.asn);
    return context;
}

std::shared_ptr<const Enrichment> IpEnricher::enrich(const TrafficTable& table, int threads,
                                                     const Progress& progress) const
{
    const auto started = std::chrono::steady_clock::now();
    auto result = std::make_shared<Enrichment>();
    result->databasePath = m_path;
    result->databaseVendor = m_vendor;
    result->databaseCreatedAt = m_createdAt;
    // The distinct addresses, by string id, in order of first appearance.
    constexpr std::uint32_t kUnseen = ~std::uint32_t(0);
    std::vector<std::uint32_t> slot(table.strings->size(), kUnseen);
    std::vector<std::uint32_t> ids;
    for (const Field field : {Field::SrcIp, Field::DstIp}) {
        const Column& column = table.column(field);
        if (column.released)
            continue;
        for (const std::uint32_t id : column.text) {
            if (id != StringPool::kMissing && slot[id] == kUnseen) {
                slot[id] = static_cast<std::uint32_t>(ids.size());
                ids.push_back(id);
            }
        }
    }
    progress.check();
    std::vector<AddressContext> contexts(ids.size());
    const std::size_t tasks = (ids.size() + kChunk - 1) / kChunk;
    const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(resolveThreads(threads), std::max<std::size_t>(tasks, 1)));
    // One libloc handle per thread; a task borrows a free one.
    std::vector<std::unique_ptr<Handle>> handles;
    for (unsigned i = 0; i < workers; ++i)
        handles.push_back(std::make_unique<Handle>(m_path));
    std::vector<Handle*> free;
    for (const auto& handle : handles)
        free.push_back(handle.get());
    std::mutex freeMutex;
    std::atomic<std::size_t> done{0};
    parallelFor(tasks, workers, [&](std::size_t task) {
        Handle* handle = nullptr;
        {
            const std::lock_guard lock(freeMutex);
            handle = free.back();
            free.pop_back();
        }
        const std::size_t end = std::min(ids.size(), (task + 1) * kChunk);
        for (std::size_t i = task * kChunk; i < end && !progress.cancelled(); ++i)
            contexts[i] = handle->lookup(table.strings->view(ids[i]));
        done.fetch_add(end - task * kChunk, std::memory_order_relaxed);
        const std::lock_guard lock(freeMutex);
        free.push_back(handle);
    });
    progress.check();
    // Each AS's name once, in one handle (far fewer ASes than addresses).
    std::unordered_map<std::uint32_t, std::uint32_t> organisationOfAsn;
    result->contextOfString.assign(table.strings->size(), 0);
    result->addresses.reserve(contexts.size() + 1);
    for (std::size_t i = 0; i < contexts.size(); ++i) {
        AddressContext& context = contexts[i];
        if (!context.known())
            continue;
        if (context.asn != 0) {
            auto [it, added] = organisationOfAsn.try_emplace(context.asn, 0);
            if (added) {
                std::string name = handles.front()->asName(context.asn);
                if (!name.empty()) {
                    it->second = static_cast<std::uint32_t>(result->organisations.size());
                    result->organisations.push_back(std::move(name));
                }
            }
            context.organisation = it->second;
        }
        result->contextOfString[ids[i]] = static_cast<std::uint32_t>(result->addresses.size());
        result->addresses.push_back(context);
    }
    result->distinctAddresses = ids.size();
    result->knownAddresses = result->addresses.size() - 1;
    result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    progress.report("enrich", 1.0);
    logger::core()->info("enrich: {} distinct addresses ({} known to {}), {} ASes, in {:.3f} s", ids.size(),
                         result->knownAddresses, m_path, organisationOfAsn.size(), result->seconds);
    return result;
}

} // namespace webthreat
