#pragma once

// One Python worker process that runs user functions for the engine (README.md, worker.py):
// started with the worker's source, spoken to over a Unix socket pair with typed, length-prefixed
// messages that carry Arrow IPC streams.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <arrow/array.h>
#include <arrow/record_batch.h>
#include <arrow/type.h>

#include "basin/base/status.h"

namespace basin::udf {

/// How workers are started and how long the engine waits for them.
struct WorkerOptions {
  /// The Python interpreter (a path or a name on PATH); it must import pyarrow and pyspark.
  std::string interpreter = "python3";
  /// How long one batch (or the start) may take before the worker is killed.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

/// Returns the options from the environment: PYSPARK_PYTHON names the interpreter (as for
/// Spark's workers), BASIN_PYTHON_UDF_TIMEOUT_SECONDS the timeout.
WorkerOptions WorkerOptionsFromEnvironment();

/// A running worker process. Not thread-safe: one caller at a time (see WorkerPool).
class PythonWorker {
 public:
  /// Starts a worker and waits for its hello.
  static Result<std::unique_ptr<PythonWorker>> Start(const WorkerOptions& options);
  /// Closes the socket (the worker exits on end of input) and reaps the process, killing it if
  /// it does not exit promptly.
  ~PythonWorker();

  PythonWorker(const PythonWorker&) = delete;
  PythonWorker& operator=(const PythonWorker&) = delete;

  /// Sends function `id` (pyspark's eval type and pickled command; the result field's type) unless
  /// this worker has it already.
  Status Define(uint32_t id, int eval_type, const std::string& command,
                const std::shared_ptr<arrow::Field>& result);
  /// Runs function `id` over `args` (one column per argument, `args.num_rows()` rows) and returns
  /// its result column. A Python exception is PYTHON_EXCEPTION with the traceback; the worker
  /// stays usable (`healthy()`). A dead, silent or garbled worker fails and is not healthy.
  Result<std::shared_ptr<arrow::Array>> Run(uint32_t id, const arrow::RecordBatch& args);

  /// Returns false once the worker has died or broke the protocol; it must then be dropped.
  bool healthy() const { return healthy_; }
  /// Returns the process id.
  pid_t pid() const { return pid_; }

 private:
  PythonWorker(pid_t pid, int fd, std::chrono::milliseconds timeout)
      : pid_(pid), fd_(fd), timeout_(timeout) {}
  Status Send(char kind, const std::string& payload);
  Result<std::pair<char, std::string>> Receive();
  Status ReadExact(char* out, size_t size, std::chrono::steady_clock::time_point deadline);
  Status Broken(const std::string& what);

  pid_t pid_;
  int fd_;
  std::chrono::milliseconds timeout_;
  bool healthy_ = true;
  std::set<uint32_t> defined_;
};

}  // namespace basin::udf
