#pragma once

// Encoding Spark values as VARIANT: CAST(x AS VARIANT) and to_variant_object(x). Atomic values
// keep their own variant type (integers as the smallest integer, decimals without trailing zeros,
// dates, timestamps, strings, binary, ...), arrays become variant arrays and a variant is copied
// in; to_variant_object also turns structs and string-keyed maps into objects, which CAST
// refuses (its result would look ordered where variant objects are not).

#include <memory>

#include "basin/function/function.h"

namespace basin::function {

/// Returns true when values of `from` can be encoded as variants: by CAST when `objects` is
/// false, by to_variant_object (structs and maps with string keys too) when it is true.
bool CanEncodeAsVariant(const arrow::DataType& from, bool objects);

/// Encodes every row of `in` as a variant (null rows stay SQL NULL); `objects` as above.
/// A struct with a repeated field name fails with VARIANT_DUPLICATE_KEY.
Result<std::shared_ptr<arrow::Array>> EncodeAsVariant(const std::shared_ptr<arrow::Array>& in,
                                                      bool objects);

}  // namespace basin::function
