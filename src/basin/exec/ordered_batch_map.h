#pragma once

// Runs a per-batch function (projection, filtering) over a child's batches on the query's
// thread pool, several batches at once, and hands the results out in input order.

#include <deque>
#include <functional>
#include <memory>

#include <arrow/record_batch.h>
#include <arrow/util/future.h>

#include "basin/exec/operator.h"

namespace basin::exec {

/// Pulls batches from a child (on the caller's thread) and maps them on the pool.
class OrderedBatchMap {
 public:
  using Fn = std::function<Result<std::shared_ptr<arrow::RecordBatch>>(
      const std::shared_ptr<arrow::RecordBatch>&)>;
  /// A function that also takes the batch's first row among the child's rows.
  using FnAt = std::function<Result<std::shared_ptr<arrow::RecordBatch>>(
      const std::shared_ptr<arrow::RecordBatch>&, int64_t first_row)>;

  /// Maps `child`'s batches with `fn`; keeps up to options().threads batches in flight.
  OrderedBatchMap(Operator* child, Fn fn, QueryContext* context);
  OrderedBatchMap(Operator* child, FnAt fn, QueryContext* context);
  /// Waits for the batches still in flight.
  ~OrderedBatchMap();

  /// Returns the next non-empty mapped batch, or nullptr at the end.
  Result<std::shared_ptr<arrow::RecordBatch>> Next();

 private:
  Operator* child_;
  FnAt fn_;
  QueryContext* context_;
  bool child_done_ = false;
  int64_t rows_ = 0;  // rows pulled from the child so far
  std::deque<arrow::Future<std::shared_ptr<arrow::RecordBatch>>> in_flight_;
};

/// Runs every uncorrelated subquery inside `expr` now (on this thread), so that evaluation on
/// pool threads only reads the cache.
Status PrepareSubqueries(const plan::Expr& expr, QueryContext* context);

}  // namespace basin::exec
