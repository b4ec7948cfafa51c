#pragma once

// Higher-order functions (transform, filter, exists, forall, aggregate, zip_with, map_filter,
// transform_keys, transform_values, map_zip_with, array_sort with a comparator). They flatten
// their arrays and maps into "element rows", run each lambda once over all element rows of a
// batch (vectorized, like any other expression), and rebuild arrays or maps from the results.

#include <functional>
#include <memory>
#include <vector>

#include <arrow/api.h>
#include <arrow/datum.h>

#include "basin/base/status.h"
#include "basin/plan/expression.h"

namespace basin::exec {

/// Evaluates the body of `lambda` over element rows: element row k belongs to input row
/// `parents[k]` (columns of the input and outer lambda parameters are repeated accordingly) and
/// `params` are the values of the lambda's parameters, one array of parents.size() rows each.
/// Returns an array of parents.size() rows of the lambda's type.
using LambdaRunner = std::function<Result<std::shared_ptr<arrow::Array>>(
    const plan::Expr& lambda, const std::vector<int64_t>& parents,
    std::vector<arrow::Datum> params)>;

/// Evaluates the kHigherOrder expression `expr` over `length` input rows. `values` are its value
/// arguments (the children that are not lambdas) evaluated as arrays of `length` rows.
Result<arrow::Datum> EvaluateHigherOrder(const plan::Expr& expr,
                                         const std::vector<std::shared_ptr<arrow::Array>>& values,
                                         int64_t length, const LambdaRunner& run_lambda);

}  // namespace basin::exec
