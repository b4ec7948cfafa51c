#pragma once

// Spark's CAST between Arrow-typed values, and the text forms Spark gives each type.
// Cast(), CanCast() and CommonType() themselves are declared in function.h.

#include <optional>
#include <string>
#include <string_view>

#include "basin/function/function.h"

namespace basin::function {

/// Formats a double as Java's Double.toString does ("1.0", "1.0E10", "NaN", "-Infinity").
std::string FormatDouble(double v);
/// Formats a float as Java's Float.toString does.
std::string FormatFloat(float v);
/// Formats timestamp micros (already in local wall-clock time) as "yyyy-MM-dd HH:mm:ss[.ffffff]"
/// with trailing fraction zeros trimmed.
std::string FormatLocalTimestamp(int64_t local_micros);
/// Formats row `i` of `array` as CAST(... AS STRING) does (nested values included).
Result<std::string> ValueToString(const arrow::Array& array, int64_t i, const EvalContext& context);

/// Formats a CALENDAR INTERVAL as Spark's CalendarInterval.toString does
/// ("1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds"; "0 seconds" when empty).
std::string CalendarIntervalText(int32_t months, int32_t days, int64_t micros);
/// Parses a boolean as Spark's cast does ("t", "true", "y", "yes", "1", "f", ...).
std::optional<bool> ParseBoolean(std::string_view text);
/// Parses a date as Spark's cast does ("2024", "2024-1", "2024-01-02", "2024-01-02T..."), giving
/// days since the epoch.
std::optional<int32_t> ParseDate(std::string_view text);
/// Parses a timestamp as Spark's cast does; text without a zone is read in `zone` (or as
/// wall-clock time when `zone` is empty, for timestamp_ntz). Returns micros since the epoch.
std::optional<int64_t> ParseTimestamp(std::string_view text, const std::string& zone);
/// Parses a time of day as Spark's cast does ("H:m", "H:m:s", "H:m:s.fffffffff", trimmed),
/// giving nanoseconds of the day with the fraction cut to microseconds (TIME(6)).
std::optional<int64_t> ParseTime(std::string_view text);
/// Formats nanoseconds of the day as Spark prints a TIME: "HH:mm:ss" and the fraction of the
/// second without trailing zeros.
std::string FormatTime(int64_t nanos);
/// Parses an integer as Spark's cast does (trimmed, fraction digits ignored); nullopt when
/// malformed or outside [min, max].
std::optional<int64_t> ParseInteger(std::string_view text, int64_t min, int64_t max,
                                    bool* overflow);
/// Parses a double as Spark's cast does (trimmed, "NaN", "Infinity", "inf").
std::optional<double> ParseDouble(std::string_view text);
/// Returns the SQL literal form of a value in an error message ('abc', 300L, 1.5BD, ...).
std::string SqlValue(const arrow::Array& array, int64_t i, const EvalContext& context);
/// Returns CAST_INVALID_INPUT for `text` cast to `target`.
Status CastInvalidInput(std::string_view text, const arrow::DataType& source,
                        const arrow::DataType& target);
/// Trims ASCII whitespace and control characters as Spark's UTF8String.trimAll does.
std::string_view TrimAll(std::string_view text);

}  // namespace basin::function
