#pragma once

// Decimals of up to 18 digits are stored in Parquet as 32- or 64-bit integers. Reading them as
// Arrow's 32/64-bit decimals and widening here is one tight pass over the values, where the
// Parquet reader's own conversion to decimal128 builds each value through Decimal128's
// constructor and byte swaps.

#include <memory>

#include <arrow/api.h>

namespace basin::format {

/// Returns `array` (decimal32 or decimal64) as decimal128 of the same precision and scale;
/// nulls stay null (their values read as 0).
arrow::Result<std::shared_ptr<arrow::Array>> WidenDecimal(const arrow::Array& array);

}  // namespace basin::format
