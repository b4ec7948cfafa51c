#pragma once

// The kept rows of one shared subplan (shared_subplans.h) while a query runs.

#include <memory>
#include <mutex>
#include <vector>

#include <arrow/record_batch.h>

namespace basin::exec {

class QueryContext;

/// The rows of one shared subplan: the first of its occurrences to run computes them and keeps
/// them here, holding their bytes against the query's memory limit; the others replay them.
/// When the rows do not fit, they are dropped and every later occurrence computes the subplan
/// again (correct, only slower). The rows are dropped once every reader has finished.
class SharedResult {
 public:
  enum class State {
    kUnstarted,  ///< No occurrence has run yet.
    kComputing,  ///< The first occurrence is computing the rows.
    kReady,      ///< The rows are kept in `batches`.
    kDropped,    ///< Too large, failed, or every reader has finished: compute again.
  };

  /// Keeps the rows for `readers` occurrences of the subplan in `context`.
  SharedResult(int readers, QueryContext* context) : readers_(readers), context_(context) {}
  ~SharedResult();

  /// Returns the state and, when it was kUnstarted, makes it kComputing (the caller computes).
  State Claim();
  /// Holds `batch` (kComputing); returns false, holding nothing more, when its bytes do not fit.
  bool TryHold(std::shared_ptr<arrow::RecordBatch> batch, int64_t bytes);
  /// Ends computing: the rows are ready.
  void Finish();
  /// Ends computing without keeping the rows: hands the held batches and the bytes reserved
  /// for them to the caller (who releases them) and makes the state kDropped.
  std::vector<std::shared_ptr<arrow::RecordBatch>> Abandon(int64_t* reserved_bytes);
  /// Returns the kept batches (kReady).
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches();
  /// Counts a reader as finished; the last one drops the rows.
  void Leave();
  /// Gives back `bytes` that Abandon handed over.
  void Release(int64_t bytes);

 private:
  void DropLocked();

  std::mutex mutex_;
  State state_ = State::kUnstarted;
  int readers_;
  QueryContext* context_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
  int64_t reserved_bytes_ = 0;
};

}  // namespace basin::exec
