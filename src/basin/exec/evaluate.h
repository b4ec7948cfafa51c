#pragma once

// Evaluating row-wise expressions over one Arrow batch. Conditional forms (AND, OR, CASE,
// COALESCE) evaluate a child only on the rows that reach it, so a guarded division never raises
// DIVIDE_BY_ZERO under ANSI.

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include <arrow/datum.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/function/function.h"
#include "basin/plan/expression.h"

namespace basin::exec {

/// Runs uncorrelated subqueries once per query and keeps their results.
class SubqueryCache {
 public:
  using Runner = std::function<Result<std::shared_ptr<arrow::Table>>(const plan::PlanPtr&)>;
  /// Uses `runner` to run a subquery plan the first time it is asked for.
  explicit SubqueryCache(Runner runner) : runner_(std::move(runner)) {}
  /// Returns the rows of `subquery`, running it on first use.
  Result<std::shared_ptr<arrow::Table>> Get(const plan::PlanPtr& subquery);

 private:
  Runner runner_;
  std::mutex mutex_;
  std::map<const plan::PlanNode*, std::shared_ptr<arrow::Table>> results_;
};

/// Evaluates `expr` over `input`: an array of input.num_rows() rows, or a scalar when the value
/// is the same for every row (literals). Subqueries run through `subqueries`.
Result<arrow::Datum> Evaluate(const plan::Expr& expr, const arrow::RecordBatch& input,
                              const function::EvalContext& context, SubqueryCache* subqueries);

/// Evaluates `expr` over `input`; subqueries run with default execution options, once per call.
Result<arrow::Datum> Evaluate(const plan::Expr& expr, const arrow::RecordBatch& input,
                              const function::EvalContext& context);

/// Evaluates `expr` and returns it as an array of input.num_rows() rows.
Result<std::shared_ptr<arrow::Array>> EvaluateToArray(const plan::Expr& expr,
                                                      const arrow::RecordBatch& input,
                                                      const function::EvalContext& context,
                                                      SubqueryCache* subqueries);

/// Returns a boolean selection of the rows where `predicate` is true (null counts as false).
Result<std::shared_ptr<arrow::BooleanArray>> EvaluatePredicate(const plan::Expr& predicate,
                                                               const arrow::RecordBatch& input,
                                                               const function::EvalContext& context,
                                                               SubqueryCache* subqueries);

}  // namespace basin::exec
