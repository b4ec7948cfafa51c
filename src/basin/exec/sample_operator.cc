// Sample: a Bernoulli sample; each row is kept with probability `fraction`, from a generator
// seeded with `seed`, so the same input and seed give the same rows.

#include <random>

#include <arrow/compute/api.h>

#include "basin/exec/operator.h"

namespace basin::exec {

namespace {

class SampleOperator : public Operator {
 public:
  SampleOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : fraction_(node.fraction),
        random_(static_cast<uint64_t>(node.seed)),
        child_(std::move(child)),
        context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) return batch;
      if (fraction_ >= 1.0) return batch;
      arrow::BooleanBuilder mask;
      RETURN_NOT_OK(mask.Reserve(batch->num_rows()));
      std::uniform_real_distribution<double> uniform(0.0, 1.0);
      for (int64_t i = 0; i < batch->num_rows(); ++i) {
        mask.UnsafeAppend(uniform(random_) < fraction_);
      }
      ASSIGN_OR_RAISE(auto mask_array, mask.Finish());
      ASSIGN_OR_RAISE(auto filtered,
                      arrow::compute::Filter(arrow::Datum(batch), arrow::Datum(mask_array)));
      if (filtered.record_batch()->num_rows() == 0) continue;
      return filtered.record_batch();
    }
  }

 private:
  double fraction_;
  std::mt19937_64 random_;
  OperatorPtr child_;
  QueryContext* context_;
};

}  // namespace

Result<OperatorPtr> MakeSample(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context) {
  if (node.fraction < 0) {
    return UserError(
        "INVALID_SAMPLING_FRACTION",
        "Sampling fraction must be on interval [0, 1], got " + std::to_string(node.fraction) + ".");
  }
  return std::make_unique<SampleOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
