#pragma once

// Python workers shared by the threads of a session's queries, and the scalar kernel that runs a
// Python UDF through them.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "basin/function/function.h"
#include "basin/udf/python_worker.h"

namespace basin::udf {

/// A Python function as the client sent it.
struct PythonFunction {
  std::string name;     ///< For messages.
  int eval_type = 100;  ///< pyspark's PythonEvalType.
  std::string command;  ///< cloudpickle of (function, return type).
  std::shared_ptr<arrow::DataType> return_type;
};

/// Idle workers, started on demand: each batch takes one (so batches of several threads run in
/// parallel workers) and gives it back unless it broke.
class WorkerPool {
 public:
  /// Keeps up to `max_idle` idle workers.
  explicit WorkerPool(WorkerOptions options, int max_idle = 4)
      : options_(std::move(options)), max_idle_(max_idle) {}

  /// Runs function `id` (`function`) over `args` in an idle or new worker.
  Result<std::shared_ptr<arrow::Array>> Run(uint32_t id, const PythonFunction& function,
                                            const arrow::RecordBatch& args);
  /// Returns the process ids of the idle workers (tests kill them).
  std::vector<int> IdleWorkerIds();

 private:
  WorkerOptions options_;
  int max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PythonWorker>> idle_;
};

/// Returns a kernel that runs `function` through `pool`: scalar arguments are repeated to the
/// batch's length; the result always has the batch's rows and `function.return_type`.
std::shared_ptr<const function::ScalarKernel> MakePythonUdfKernel(std::shared_ptr<WorkerPool> pool,
                                                                  PythonFunction function);

}  // namespace basin::udf
