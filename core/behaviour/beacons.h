#pragma once

#include "core/io/timestamp.h"
#include "core/table/traffictable.h"
#include "core/util/progress.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace webthreat {

// Beaconing: an implant calling home on a timer looks ordinary one session at a time; what gives
// it away is its pair's sessions together (RITA's idea): starts at regular intervals, sizes that
// hardly vary, and a beat kept over the time the pair is seen. A pair is a source and a
// destination address and, where the data has one, the destination port.
struct BeaconParams {
    // Pairs with fewer sessions are not scored (their rows get beacon score 0): with fewer than
    // ten starts there are too few intervals to call anything regular.
    std::size_t minSessions = 10;
    // A pair whose typical interval is shorter is not a beacon but a burst or a flood: its timing
    // part is 0.
    double minMedianIntervalSeconds = 2.0;
    // The intervals' median absolute deviation, as a share of their median, at which the timing
    // part's regularity reaches 0 (1 at no deviation, linear between). 0.2 accepts the jitter
    // implants add (Cobalt Strike's and Sliver's are a share of the sleep) and refuses the
    // spread of intervals between independent requests.
    double intervalTolerance = 0.2;
    // The same for the session sizes (bytes in + out): a check-in's size varies more than its timing.
    double sizeTolerance = 0.5;
    // An interval of k times the median (k = 2..maxBeatsPerGap, within intervalTolerance of it
    // per beat) is k beats with k - 1 missed, not an irregular interval: an implant that misses a
    // few check-ins (a dropped packet, a laptop asleep) stays a beacon.
    int maxBeatsPerGap = 5;
    // The share of missed beats (missed / (intervals + missed)) taken without cost; past it the
    // timing part shrinks in proportion. Independent requests at random times also land near
    // multiples of their median now and then: a third or more "missed beats" says they were not
    // beats at all.
    double missedBeatsAllowance = 0.1;
    // How the parts combine into the score (a weighted mean; the weights need not sum to 1).
    double timingWeight = 0.5;
    double sizeWeight = 0.25;
    double coverageWeight = 0.25;
    int threads = 0; // 0 = all cores; the result is the same at any count

    void validate() const; // Throws ParameterError naming the parameter
};

// The score's parts, each in [0, 1], 1 the most beacon-like.
struct BeaconParts {
    // 0.8 x regularity of the intervals (1 - MAD / median / intervalTolerance) + 0.2 x their
    // symmetry (1 - |Bowley skew|), missed beats folded in; times 1 - (share of missed beats -
    // missedBeatsAllowance) when that share is past the allowance.
    double timing = 0.0;
    // The same over the session sizes, with sizeTolerance.
    double sizes = 0.0;
    // Beats present: sessions / (the pair's span / median interval + 1), at most 1. Independent
    // requests at random times fill about 0.7 of what their median interval promises.
    double coverage = 0.0;
};

struct BeaconPair {
    std::uint32_t srcIp = StringPool::kMissing; // ids in the table's string pool
    std::uint32_t dstIp = StringPool::kMissing;
    std::int64_t dstPort = kMissingInteger;
    std::size_t sessions = 0;
    double score = 0.0; // in [0, 1]
    BeaconParts parts;
    double medianIntervalSeconds = 0.0; // the beat: median interval, missed beats folded in
    double intervalMadSeconds = 0.0; // the jitter around it
    double intervalSkew = 0.0; // Bowley skew of the intervals
    std::size_t missedBeats = 0;
    double medianBytes = 0.0; // bytes in + out per session
    double bytesMad = 0.0;
    double spanShare = 0.0; // the pair's first-to-last span over the data's
    Instant firstSeen = 0;
    Instant lastSeen = 0;
    std::size_t rowsBegin = 0; // its rows in BeaconResult::pairRows, in time order
};

struct BeaconResult {
    BeaconParams params;
    // Every pair with at least minSessions sessions, highest score first (ties: more sessions,
    // then first seen).
    std::vector<BeaconPair> pairs;
    // The pairs' rows (table row indices), each pair's run in time order.
    std::vector<std::uint32_t> pairRows;
    // Per table row: its pair's index in pairs, or kNoPair (a pair under the minimum, or a row
    // without a source or a start time).
    std::vector<std::uint32_t> pairOfRow;
    static constexpr std::uint32_t kNoPair = 0xFFFFFFFFu;
    std::size_t pairsSeen = 0; // distinct pairs, under the minimum included
    std::size_t rowsWithoutSourceOrTime = 0; // not in any pair
    Instant dataStart = 0; // first and last start time of the data
    Instant dataEnd = 0;

    std::span<const std::uint32_t> rowsOf(const BeaconPair& pair) const noexcept
    {
        return std::span<const std::uint32_t>(pairRows).subspan(pair.rowsBegin, pair.sessions);
    }
    // The pair's score for a table row; 0 for a row in no scored pair.
    double scoreOfRow(std::size_t row) const noexcept
    {
        const std::uint32_t pair = row < pairOfRow.size() ? pairOfRow[row] : kNoPair;
        return pair == kNoPair ? 0.0 : pairs[pair].score;
    }
};

// The rows grouped by source (a counting sort over the string pool's ids, in parallel), each
// source's sessions sorted into pairs and each pair of minSessions or more scored, in parallel
// tasks. Progress stage "beacons"; cancel is polled. Throws ParameterError for bad params,
// CancelledError.
BeaconResult scoreBeacons(const TrafficTable& table, const BeaconParams& params = {}, const Progress& progress = {});

} // namespace webthreat
