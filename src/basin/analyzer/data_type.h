#pragma once

// Conversions from syntax to values: SQL type syntax to Arrow (Spark) types, and literal syntax to
// typed Arrow scalars.

#include <memory>

#include <arrow/api.h>

#include "basin/base/status.h"
#include "basin/function/function.h"
#include "basin/sql/ast.h"

namespace basin::analyzer {

/// Returns the Arrow type of a SQL type (varchar/char become string, as Spark reads them).
/// A decimal of negative scale is NEGATIVE_SCALE_DISALLOWED unless `allow_negative_scale`
/// (spark.sql.legacy.allowNegativeScaleOfDecimal).
Result<std::shared_ptr<arrow::DataType>> ToArrowType(const sql::DataTypeSyntax& type,
                                                     bool allow_negative_scale = false);

/// Returns the typed value of a literal expression (kLiteral). Dates and timestamps are parsed
/// with Spark's rules in the session time zone; malformed ones give INVALID_TYPED_LITERAL.
Result<std::shared_ptr<arrow::Scalar>> LiteralValue(const sql::Expr& literal,
                                                    const function::EvalContext& context);

}  // namespace basin::analyzer
