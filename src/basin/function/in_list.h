#pragma once

// `value IN (constants...)` in one pass over the value array, instead of one comparison pass and
// one OR pass per item.

#include <optional>
#include <vector>

#include <arrow/api.h>

namespace basin::function {

/// `value IN (items...)`, or `value NOT IN (items...)` when `negated`, for an array of integers,
/// dates, times, timestamps, durations or strings and binaries (32- or 64-bit offsets) against
/// scalar items of exactly its type. Spark's three-valued result: null when the value is null,
/// or when it matches no item and some item is null. Gives nullopt for anything else (other
/// types, array items, an empty list); the caller then compares item by item.
std::optional<arrow::Datum> InListOfConstants(const arrow::Datum& value,
                                              const std::vector<arrow::Datum>& items,
                                              bool negated);

}  // namespace basin::function
