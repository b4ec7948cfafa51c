#include "basin/udf/worker_pool.h"

#include <atomic>

#include <arrow/array/util.h>

namespace basin::udf {

Result<std::shared_ptr<arrow::Array>> WorkerPool::Run(uint32_t id, const PythonFunction& function,
                                                      const arrow::RecordBatch& args) {
  std::unique_ptr<PythonWorker> worker;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      worker = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!worker) {
    ASSIGN_OR_RAISE(worker, PythonWorker::Start(options_));
  }
  auto field = arrow::field("result", function.return_type);
  Status defined = worker->Define(id, function.eval_type, function.command, field);
  Result<std::shared_ptr<arrow::Array>> result =
      defined.ok() ? worker->Run(id, args) : Result<std::shared_ptr<arrow::Array>>(defined);
  if (worker->healthy()) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (static_cast<int>(idle_.size()) < max_idle_) idle_.push_back(std::move(worker));
  }
  // A broken worker is dropped here: its destructor kills and reaps the process.
  return result;
}

std::vector<int> WorkerPool::IdleWorkerIds() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<int> ids;
  for (const auto& w : idle_) ids.push_back(static_cast<int>(w->pid()));
  return ids;
}

namespace {

std::atomic<uint32_t> next_function_id{1};

class PythonUdfKernel : public function::ScalarKernel {
 public:
  PythonUdfKernel(std::shared_ptr<WorkerPool> pool, PythonFunction function)
      : pool_(std::move(pool)), function_(std::move(function)), id_(next_function_id++) {}

  Result<arrow::Datum> Execute(const std::vector<arrow::Datum>& args, int64_t length,
                               const function::EvalContext&) const override {
    arrow::FieldVector fields;
    arrow::ArrayVector columns;
    for (size_t i = 0; i < args.size(); ++i) {
      std::shared_ptr<arrow::Array> column;
      if (args[i].is_scalar()) {
        ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayFromScalar(*args[i].scalar(), length));
      } else {
        column = args[i].make_array();
      }
      fields.push_back(arrow::field("_" + std::to_string(i), column->type()));
      columns.push_back(std::move(column));
    }
    auto batch = arrow::RecordBatch::Make(arrow::schema(fields), length, columns);
    ASSIGN_OR_RAISE(auto result, pool_->Run(id_, function_, *batch));
    if (result->length() != length || !result->type()->Equals(*function_.return_type)) {
      return UserError("PYTHON_EXCEPTION", "The Python UDF " + function_.name + " returned " +
                                               std::to_string(result->length()) +
                                               " values of type " + result->type()->ToString() +
                                               " for " + std::to_string(length) + " rows of type " +
                                               function_.return_type->ToString() + ".");
    }
    return arrow::Datum(result);
  }

 private:
  std::shared_ptr<WorkerPool> pool_;
  PythonFunction function_;
  uint32_t id_;
};

}  // namespace

std::shared_ptr<const function::ScalarKernel> MakePythonUdfKernel(std::shared_ptr<WorkerPool> pool,
                                                                  PythonFunction function) {
  return std::make_shared<PythonUdfKernel>(std::move(pool), std::move(function));
}

}  // namespace basin::udf
