#pragma once

// Spark's ordering and equality of values of any type (NaN equals NaN and sorts above every
// other double; strings compare by UTF-8 bytes; arrays, structs compare element by element).

#include <cstdint>

#include <arrow/api.h>

namespace basin::function {

/// Compares non-null row `i` of `a` with non-null row `j` of `b` (same type): <0, 0 or >0.
/// Nested nulls sort first.
int CompareValues(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j);
/// Returns true when two rows (nulls included) are equal in the sense of GROUP BY / DISTINCT.
bool ValuesEqual(const arrow::Array& a, int64_t i, const arrow::Array& b, int64_t j);
/// Hashes a row consistently with ValuesEqual (not Spark's hash()).
uint64_t HashValue(const arrow::Array& a, int64_t i);

}  // namespace basin::function
