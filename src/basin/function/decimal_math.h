#pragma once

// Decimal helpers with Spark's rounding (HALF_UP) and precision checks.

#include <optional>
#include <string>
#include <string_view>

#include <arrow/util/decimal.h>

namespace basin::function {

/// Returns 10^n as a 256-bit decimal (n <= 76).
arrow::Decimal256 Pow10Wide(int n);
/// Rescales `value` from `from_scale` to `to_scale`, rounding HALF_UP when digits are dropped.
arrow::Decimal256 RescaleHalfUp(const arrow::Decimal256& value, int from_scale, int to_scale);
/// Divides with truncation toward zero (divisor must be non-zero).
void DivMod(const arrow::Decimal256& a, const arrow::Decimal256& b, arrow::Decimal256* quotient,
            arrow::Decimal256* remainder);
/// Returns true when `value` has at most `precision` digits.
bool FitsPrecision(const arrow::Decimal256& value, int precision);
/// Narrows a 256-bit value that fits 38 digits.
arrow::Decimal128 Narrow(const arrow::Decimal256& value);
/// Widens to 256 bits.
arrow::Decimal256 Widen(const arrow::Decimal128& value);
/// Formats an unscaled value with `scale` digits after the point, without exponent ("-1.50").
std::string FormatDecimal(const arrow::Decimal128& value, int scale);
/// Parses decimal text ("1.5", "-2e3", " 7 ") into an unscaled value at `scale` (HALF_UP), or
/// nullopt when malformed or wider than `precision`. `overflow` is set when only the precision
/// check failed.
std::optional<arrow::Decimal128> ParseDecimal(std::string_view text, int precision, int scale,
                                              bool* overflow);

}  // namespace basin::function
