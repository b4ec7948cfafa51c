#include "basin/exec/execute.h"

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

// Hands out the root operator's batches with exactly the plan's schema; owns the query state.
class PlanReader : public arrow::RecordBatchReader {
 public:
  PlanReader(std::shared_ptr<arrow::Schema> schema, std::unique_ptr<QueryContext> context)
      : schema_(std::move(schema)), context_(std::move(context)) {}

  Status Init(const plan::PlanPtr& plan) {
    plan_ = plan;  // operators may point into the plan
    context_->FindSharedSubplans(*plan);
    ASSIGN_OR_RAISE(root_, BuildOperator(plan, context_.get()));
    return Status::OK();
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    *batch = nullptr;
    if (!root_) return Status::OK();
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto next, root_->Next());
      if (!next) {
        (void)Close();
        return Status::OK();
      }
      if (next->num_rows() == 0) continue;
      ASSIGN_OR_RAISE(*batch, ConformBatch(next, schema_));
      context_->AddProduced((*batch)->num_rows());
      return Status::OK();
    }
  }

  Status Close() override {
    root_.reset();
    return Status::OK();
  }

 private:
  std::shared_ptr<arrow::Schema> schema_;
  plan::PlanPtr plan_;
  std::unique_ptr<QueryContext> context_;
  OperatorPtr root_;
};

}  // namespace

Result<std::shared_ptr<arrow::RecordBatchReader>> Execute(plan::PlanPtr plan,
                                                          const ExecOptions& options) {
  if (!plan || !plan->schema) return InternalError("Execute needs a plan with a schema");
  auto reader = std::make_shared<PlanReader>(plan->schema, std::make_unique<QueryContext>(options));
  RETURN_NOT_OK(reader->Init(plan));
  return reader;
}

Result<std::shared_ptr<arrow::Table>> ExecuteToTable(plan::PlanPtr plan,
                                                     const ExecOptions& options) {
  ASSIGN_OR_RAISE(auto reader, Execute(plan, options));
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    RETURN_NOT_OK(reader->ReadNext(&batch));
    if (!batch) break;
    batches.push_back(std::move(batch));
  }
  return arrow::Table::FromRecordBatches(reader->schema(), batches);
}

}  // namespace basin::exec
