#pragma once

#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace webthreat {

// The flags the location database gives a network (libloc's LOC_NETWORK_FLAG_*), one bit each.
enum NetworkFlag : std::uint8_t {
    kAnonymousProxy = 1, // A1: an anonymising proxy or VPN exit
    kSatelliteProvider = 2, // A2: a satellite link, location unknowable
    kAnycast = 4, // A3: the same prefix announced from many places
    kDropList = 8, // XD: on Spamhaus' DROP list (hijacked or run by criminals)
};
// "anonymous proxy; drop list", in the bits' order; "" for none.
std::string networkFlagsText(std::uint8_t flags);

// What the database says of one address. An address it has no network for (private, unrouted,
// not an address at all) has asn 0, no country and no flags.
struct AddressContext {
    std::uint32_t asn = 0;
    std::uint32_t organisation = 0; // index into Enrichment::organisations; 0 = none
    std::array<char, 2> country{}; // ISO 3166 code; {0, 0} when unknown
    std::uint8_t flags = 0; // NetworkFlag bits

    std::string_view countryCode() const noexcept
    {
        return country[0] ? std::string_view(country.data(), 2) : std::string_view();
    }
    bool known() const noexcept { return asn != 0 || country[0] != 0 || flags != 0; }
};

// The src_ip and dst_ip addresses of a table, each distinct address looked up once (addresses
// repeat heavily, and the table names each by its string-pool id). Immutable; shared with the views.
struct Enrichment {
    std::string databasePath;
    std::string databaseVendor;
    std::int64_t databaseCreatedAt = 0; // seconds since the epoch
    std::vector<std::string> organisations{std::string()}; // [0] = none
    std::vector<AddressContext> addresses{AddressContext()}; // [0] = not looked up or not known
    std::vector<std::uint32_t> contextOfString; // string-pool id -> index into addresses
    std::size_t distinctAddresses = 0;
    std::size_t knownAddresses = 0; // of them, those the database has a network for
    double seconds = 0.0;

    const AddressContext& ofString(std::uint32_t id) const noexcept
    {
        return id < contextOfString.size() ? addresses[contextOfString[id]] : addresses[0];
    }
    const AddressContext& source(const TrafficTable& table, std::size_t row) const noexcept
    {
        return ofString(table.column(Field::SrcIp).text[row]);
    }
    const AddressContext& destination(const TrafficTable& table, std::size_t row) const noexcept
    {
        return ofString(table.column(Field::DstIp).text[row]);
    }
    std::string_view organisation(const AddressContext& context) const noexcept
    {
        return organisations[context.organisation];
    }
    // The file's src_ip_country_code and the database's country of src_ip are both known and
    // differ (case-insensitive): the exporter's geolocation disagrees with the database's.
    bool countryMismatch(const TrafficTable& table, std::size_t row) const noexcept;
    // "AS15169 Google LLC, US; anonymous proxy"; "" when nothing is known.
    std::string describe(const AddressContext& context) const;
};

// The offline IP location database (IPFire's libloc, Debian's libloc-database): country,
// autonomous system and flags of an address. Opened once; lookups go through one handle per
// thread because libloc's objects are not safe to share between threads.
class IpEnricher {
public:
    // Where the database is looked for when no path is given: $WEBTHREAT_LOCATION_DB when set and
    // not empty, else /var/lib/location/database.db (libloc-database's).
    static std::string defaultPath();
    // Opens the database at path (defaultPath() when empty). Throws InputError naming the path
    // when it is missing, unreadable, not a location database or truncated (checked before libloc
    // sees it: libloc 0.9.16 reads past the end of a truncated file).
    static std::shared_ptr<const IpEnricher> open(const std::string& path = {});
    // The same, but returns null with problem set to one sentence naming the path, for callers
    // that carry on without enrichment ("IP enrichment is off: ...").
    static std::shared_ptr<const IpEnricher> tryOpen(const std::string& path, std::string& problem);

    ~IpEnricher();
    IpEnricher(const IpEnricher&) = delete;
    IpEnricher& operator=(const IpEnricher&) = delete;

    const std::string& path() const noexcept { return m_path; }
    const std::string& vendor() const noexcept { return m_vendor; }
    std::int64_t createdAt() const noexcept { return m_createdAt; }

    // One address looked up (thread-safe, serialised): its context and its AS's name ("" when none).
    AddressContext lookup(std::string_view address, std::string* organisation = nullptr) const;

    // Looks up every distinct src_ip and dst_ip of the table, on up to `threads` threads (0 = all
    // cores). Stage "enrich"; cancel is polled.
    std::shared_ptr<const Enrichment> enrich(const TrafficTable& table, int threads = 0,
                                             const Progress& progress = {}) const;

    struct Handle; // one libloc context and database, private to a thread

private:
    IpEnricher() = default;

    std::string m_path;
    std::string m_vendor;
    std::int64_t m_createdAt = 0;
    std::unique_ptr<Handle> m_handle; // for lookup(), behind m_mutex
    struct Guard;
    std::unique_ptr<Guard> m_guard;
};

} // namespace webthreat
