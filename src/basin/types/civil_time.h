#pragma once

// Calendar arithmetic for Spark's date and timestamp values: days and microseconds since the Unix
// epoch in the proleptic Gregorian calendar, and their ISO-8601 text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "basin/base/status.h"

namespace basin::types {

/// Returns the days since 1970-01-01 of a civil date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

/// Splits days since 1970-01-01 into year, month (1-12) and day (1-31).
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

/// Formats days since the epoch as "YYYY-MM-DD".
std::string FormatDate(int32_t days);

/// Formats microseconds since the epoch as "YYYY-MM-DDTHH:MM:SS[.ffffff]" (fraction trimmed of
/// trailing zeros), with a trailing "Z" when `with_zone`.
std::string FormatTimestampMicros(int64_t micros, bool with_zone);

/// Parses "YYYY-MM-DD", "YYYY-MM-DD[ T]HH:MM[:SS[.f...]]" with an optional "Z" or "+HH:MM" offset
/// into microseconds since the epoch in UTC; text without an offset is read as UTC.
Result<int64_t> ParseTimestampMicros(std::string_view text);

}  // namespace basin::types
