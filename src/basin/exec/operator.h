#pragma once

// The physical operator interface and the per-query state operators share: memory accounting,
// spill files, cancellation, progress, the thread pool and the subquery cache.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <arrow/util/thread_pool.h>

#include "basin/base/status.h"
#include "basin/exec/evaluate.h"
#include "basin/exec/execute.h"
#include "basin/exec/shared_subplans.h"

namespace basin::exec {

/// Counts the bytes that blocking operators hold against the query's memory limit.
class MemoryTracker {
 public:
  explicit MemoryTracker(int64_t limit) : limit_(limit) {}
  /// Reserves `bytes`; returns false (reserving nothing) when that would pass the limit.
  bool TryReserve(int64_t bytes);
  /// Gives back `bytes` reserved earlier.
  void Release(int64_t bytes);
  /// Returns the bytes reserved now.
  int64_t used() const { return used_.load(); }
  /// Returns the limit (0 = none).
  int64_t limit() const { return limit_; }
  /// Returns the largest reservation total seen.
  int64_t peak() const { return peak_.load(); }

 private:
  int64_t limit_;
  std::atomic<int64_t> used_{0};
  std::atomic<int64_t> peak_{0};
};

class SharedResult;

/// State shared by the operators of one query.
class QueryContext {
 public:
  explicit QueryContext(ExecOptions options);
  ~QueryContext();

  const ExecOptions& options() const { return options_; }
  const function::EvalContext& eval() const { return options_.eval; }
  MemoryTracker& memory() { return memory_; }
  SubqueryCache* subqueries() { return &subqueries_; }
  /// Returns the worker pool (options.threads workers).
  arrow::internal::ThreadPool* pool() { return pool_.get(); }

  /// Returns OPERATION_CANCELED once the cancel flag is set.
  Status CheckCancel() const;
  /// Adds scanned rows/bytes and reports progress.
  void AddRead(int64_t rows, int64_t bytes);
  /// Adds produced rows and reports progress.
  void AddProduced(int64_t rows);
  /// Returns a fresh path for a spill file (removed when the context dies).
  std::string NewSpillPath();
  /// Returns how many spill files were written.
  int64_t spill_count() const { return spill_count_.load(); }
  /// Finds the subplans of `plan` (the query's root) that run once and are replayed to their
  /// other occurrences; call before building operators (unless options().reuse_subplans is off).
  void FindSharedSubplans(const plan::PlanNode& plan);
  /// Returns the kept result of the shared subplan at `node`, or null when `node` runs where it
  /// stands.
  SharedResult* SharedResultOf(const plan::PlanNode* node);
  /// Counts a shared subplan computed once (`reused` false) or replayed (`reused` true), and
  /// reports progress.
  void AddShared(bool reused);

 private:
  void Report();

  ExecOptions options_;
  MemoryTracker memory_;
  SubqueryCache subqueries_;
  std::shared_ptr<arrow::internal::ThreadPool> pool_;
  std::mutex mutex_;
  Progress progress_;
  std::atomic<int64_t> spill_count_{0};
  std::vector<std::string> spill_files_;
  std::string spill_dir_;
  SharedSubplans shared_subplans_;
  std::vector<std::unique_ptr<SharedResult>> shared_results_;
  /// Bytes held by all shared results (capped when there is no memory limit).
  std::atomic<int64_t> shared_bytes_{0};
  friend class SharedResult;
};

class KeyFilter;

/// A physical operator: pulls batches from its children and hands out its own.
class Operator {
 public:
  virtual ~Operator() = default;
  /// Returns the next batch, or nullptr at the end.
  virtual Result<std::shared_ptr<arrow::RecordBatch>> Next() = 0;
  /// Offers `filter` for the output `columns` (one per filter key): rows whose keys in those
  /// columns the filter lacks may be dropped, as early as the operator can (the consumer would
  /// drop them anyway). Returns whether it will (with a null filter: whether it would). Must be
  /// called before the first Next(); operators that cannot use it return false.
  virtual bool PushKeyFilter(const std::vector<int>& columns,
                             const std::shared_ptr<const KeyFilter>& filter) {
    return false;
  }
  /// Returns the output schema.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

 protected:
  std::shared_ptr<arrow::Schema> schema_;
};

using OperatorPtr = std::unique_ptr<Operator>;

/// Builds the operator tree of `plan`; a shared subplan becomes a SharedResult reader.
Result<OperatorPtr> BuildOperator(const plan::PlanPtr& plan, QueryContext* context);

/// Builds the operator of `plan`'s own node even when it is a shared subplan (its children go
/// through BuildOperator).
Result<OperatorPtr> BuildNodeOperator(const plan::PlanPtr& plan, QueryContext* context);

/// Pulls every batch of `op` into one table with `op`'s schema.
Result<std::shared_ptr<arrow::Table>> DrainToTable(Operator* op);

/// Returns `datum` (array or scalar) as an array of `length` rows of `type`.
Result<std::shared_ptr<arrow::Array>> ToArray(const arrow::Datum& datum, int64_t length);

/// Returns `batch` with the field names and types of `schema` (casting columns whose types differ).
Result<std::shared_ptr<arrow::RecordBatch>> ConformBatch(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& schema);

/// Returns the rows of `table` as one batch (concatenating chunks).
Result<std::shared_ptr<arrow::RecordBatch>> CombineToBatch(const arrow::Table& table);

/// Returns the in-memory size of `batch`'s buffers.
int64_t BatchBytes(const arrow::RecordBatch& batch);

/// Returns `rows` as an int64 index array in which -1 is null (for arrow::compute::Take).
Result<std::shared_ptr<arrow::Array>> RowIndices(const std::vector<int64_t>& rows);

/// Takes `rows` of `values`; a row index of -1 gives a null.
Result<std::shared_ptr<arrow::Array>> TakeRows(const arrow::Array& values,
                                               const std::vector<int64_t>& rows);

/// Creates the operators of the plan kinds below (one file each).
Result<OperatorPtr> MakeScan(const plan::PlanNode& node, QueryContext* context);
/// A Filter directly over a Delta scan, as one operator: the scan evaluates the condition on
/// each batch (after the deletion vector) before it expands and adapts the columns the
/// condition does not read, and no Filter operator runs above it. Gives nullptr when the scan
/// cannot (another format, row ids, the _metadata column, a condition with a subquery, a
/// Python UDF or a nondeterministic call).
Result<OperatorPtr> MakeFilteredScan(const plan::PlanNode& filter, QueryContext* context);
Result<OperatorPtr> MakeValues(const plan::PlanNode& node, QueryContext* context);
/// Makes the operator of a kRange node.
Result<OperatorPtr> MakeRange(const plan::PlanNode& node, QueryContext* context);
Result<OperatorPtr> MakeProject(const plan::PlanNode& node, OperatorPtr child,
                                QueryContext* context);
Result<OperatorPtr> MakeFilter(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context);
Result<OperatorPtr> MakeAggregate(const plan::PlanNode& node, OperatorPtr child,
                                  QueryContext* context);
Result<OperatorPtr> MakeHashJoin(const plan::PlanNode& node, OperatorPtr left, OperatorPtr right,
                                 QueryContext* context);
Result<OperatorPtr> MakeNestedLoopJoin(const plan::PlanNode& node, OperatorPtr left,
                                       OperatorPtr right, QueryContext* context);
/// `limit` >= 0 makes it a top-N (keeps only the first `limit` rows in sort order).
Result<OperatorPtr> MakeSort(const plan::PlanNode& node, OperatorPtr child, int64_t limit,
                             QueryContext* context);
Result<OperatorPtr> MakeLimit(const plan::PlanNode& node, OperatorPtr child, QueryContext* context);
Result<OperatorPtr> MakeSetOperation(const plan::PlanNode& node, OperatorPtr left,
                                     OperatorPtr right, QueryContext* context);
Result<OperatorPtr> MakeDistinct(const plan::PlanNode& node, OperatorPtr child,
                                 QueryContext* context);
Result<OperatorPtr> MakeWindow(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context);
Result<OperatorPtr> MakeGenerate(const plan::PlanNode& node, OperatorPtr child,
                                 QueryContext* context);
Result<OperatorPtr> MakeSample(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context);
/// Makes the operator of an occurrence of a shared subplan: the first to run computes `plan`
/// and keeps its batches in `result`, the others replay them (shared_result.h).
Result<OperatorPtr> MakeSharedResult(const plan::PlanPtr& plan, SharedResult* result,
                                     QueryContext* context);

}  // namespace basin::exec
