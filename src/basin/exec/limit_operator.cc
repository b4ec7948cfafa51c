// Limit / offset: skips `offset` rows, then passes at most `limit` rows and stops pulling.

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

class LimitOperator : public Operator {
 public:
  LimitOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : to_skip_(node.offset), remaining_(node.limit), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (remaining_ != 0) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) break;
      if (to_skip_ > 0) {
        if (batch->num_rows() <= to_skip_) {
          to_skip_ -= batch->num_rows();
          continue;
        }
        batch = batch->Slice(to_skip_);
        to_skip_ = 0;
      }
      if (remaining_ >= 0 && batch->num_rows() > remaining_) batch = batch->Slice(0, remaining_);
      if (remaining_ >= 0) remaining_ -= batch->num_rows();
      return ConformBatch(batch, schema_);
    }
    child_.reset();  // stop upstream work early
    return nullptr;
  }

 private:
  int64_t to_skip_;
  int64_t remaining_;
  OperatorPtr child_;
  QueryContext* context_;
};

}  // namespace

Result<OperatorPtr> MakeLimit(const plan::PlanNode& node, OperatorPtr child,
                              QueryContext* context) {
  return std::make_unique<LimitOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
