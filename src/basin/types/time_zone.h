#pragma once

// Session time zones: region ids ("America/Los_Angeles", from Arrow's vendored tz database),
// fixed offsets ("+08:00", "GMT-3", "UTC+1") and the UTC synonyms, with java.time's rules for
// local times in a transition's gap or overlap.

#include <cstdint>
#include <string>

#include "basin/base/status.h"

namespace basin::types {

/// Returns the offset from UTC of `zone` at an instant, in seconds (INVALID_TIMEZONE if unknown).
Result<int64_t> ZoneOffsetSeconds(int64_t utc_micros, const std::string& zone);
/// Converts one UTC instant to local wall-clock micros in `zone`.
Result<int64_t> ToLocal(int64_t utc_micros, const std::string& zone);
/// Converts one local wall-clock time in `zone` to a UTC instant (gaps move forward, overlaps
/// take the earlier instant, as java.time does).
Result<int64_t> FromLocal(int64_t local_micros, const std::string& zone);

}  // namespace basin::types
