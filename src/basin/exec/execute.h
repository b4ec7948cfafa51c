#pragma once

// Running a logical plan: the plan becomes a tree of physical operators (see README.md) whose
// output batches are handed out through an Arrow RecordBatchReader.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <arrow/record_batch.h>
#include <arrow/table.h>

#include "basin/base/status.h"
#include "basin/function/function.h"
#include "basin/plan/logical_plan.h"

namespace basin::exec {

/// How far a query has got; reported between batches.
struct Progress {
  int64_t rows_read = 0;      ///< Rows read by scans (after file skipping).
  int64_t bytes_read = 0;     ///< In-memory bytes of the batches read by scans.
  int64_t rows_produced = 0;  ///< Rows handed out by the root operator.
  int64_t spill_files = 0;    ///< Spill files written (sort runs, aggregate and join partitions).
  /// Subplans that occur more than once in the query (CTEs used twice) and were computed once
  /// and kept for their other occurrences.
  int64_t shared_results = 0;
  /// Occurrences of such subplans that replayed a kept result instead of computing it again.
  int64_t reused_results = 0;
};

/// Settings of one query run.
struct ExecOptions {
  function::EvalContext eval;
  /// Worker threads for scans and per-batch pipelines.
  int threads = 2;
  /// Target rows per batch for operators that build their output (sort, aggregate, join...).
  int64_t batch_size = 65536;
  /// Memory that blocking operators may hold before they spill; 0 = unlimited.
  int64_t memory_limit_bytes = 0;
  /// Computes a subplan that occurs more than once in the query (a CTE used twice) once and
  /// replays its rows to the other occurrences (shared_subplans.h); off: each runs on its own.
  bool reuse_subplans = true;
  /// Folder for spill files (Arrow IPC); the system temp folder when empty.
  std::string spill_dir;
  /// Set to true (from any thread) to stop the query with OPERATION_CANCELED.
  std::shared_ptr<std::atomic<bool>> cancel;
  /// Called between batches with the progress so far.
  std::function<void(const Progress&)> progress;
};

/// Starts running `plan`; the reader's batches have exactly `plan->schema`.
Result<std::shared_ptr<arrow::RecordBatchReader>> Execute(plan::PlanPtr plan,
                                                          const ExecOptions& options);

/// Runs `plan` to completion and returns all its rows.
Result<std::shared_ptr<arrow::Table>> ExecuteToTable(plan::PlanPtr plan,
                                                     const ExecOptions& options);

}  // namespace basin::exec
