#pragma once

// CAST and variant_get from VARIANT to Spark's atomic types: a variant null becomes SQL NULL, a
// string variant cast to STRING is its text and any other variant its JSON, and a scalar is cast
// from its own type (int8..int64, double, decimal, date, ...) as try_cast does; a value that does
// not convert gives INVALID_VARIANT_CAST (or NULL for try_variant_get / try_cast).

#include <memory>
#include <string_view>

#include "basin/function/function.h"

namespace basin::function {

/// Casts one variant (`metadata`, `value`) to `target`; returns a null scalar for NULL results.
Result<std::shared_ptr<arrow::Scalar>> CastVariantValue(std::string_view metadata,
                                                        std::string_view value,
                                                        const TypePtr& target, bool try_cast,
                                                        const EvalContext& context);

/// Casts an array of VARIANT to `target` row by row with CastVariantValue.
Result<std::shared_ptr<arrow::Array>> CastVariantArray(const std::shared_ptr<arrow::Array>& in,
                                                       const TypePtr& target, bool try_cast,
                                                       const EvalContext& context);

/// Returns true when CAST from VARIANT to `target` is allowed.
bool CanCastVariantTo(const arrow::DataType& target);

}  // namespace basin::function
