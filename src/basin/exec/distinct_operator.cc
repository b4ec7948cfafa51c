// Distinct: streams the first occurrence of every distinct row (nulls equal each other; floating
// values normalized as in grouping, so -0.0 comes out as 0.0).

#include <arrow/compute/api.h>

#include "basin/exec/operator.h"
#include "basin/exec/row_grouper.h"

namespace basin::exec {

namespace {

class DistinctOperator : public Operator {
 public:
  DistinctOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : child_(std::move(child)), context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    while (true) {
      RETURN_NOT_OK(context_->CheckCancel());
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) return batch;
      if (batch->num_rows() == 0) continue;
      if (!grouper_) {
        std::vector<std::shared_ptr<arrow::DataType>> types;
        for (const auto& field : batch->schema()->fields()) types.push_back(field->type());
        if (types.empty()) {
          // Rows of no columns: one distinct (empty) row.
          if (emitted_empty_) continue;
          emitted_empty_ = true;
          return batch->Slice(0, 1);
        }
        ASSIGN_OR_RAISE(grouper_, RowGrouper::Make(types));
      }
      // Spark's Distinct is an aggregate over normalized keys: -0.0 comes out as 0.0.
      ASSIGN_OR_RAISE(auto columns, NormalizeFloatingKeys(batch->columns()));
      batch = arrow::RecordBatch::Make(batch->schema(), batch->num_rows(), std::move(columns));
      ASSIGN_OR_RAISE(auto ids, grouper_->Consume(batch->columns(), batch->num_rows()));
      arrow::BooleanBuilder mask;
      RETURN_NOT_OK(mask.Reserve(batch->num_rows()));
      seen_.resize(grouper_->num_groups(), false);
      int64_t kept = 0;
      for (int64_t i = 0; i < batch->num_rows(); ++i) {
        uint32_t id = ids->Value(i);
        bool first = !seen_[id];
        seen_[id] = true;
        kept += first;
        mask.UnsafeAppend(first);
      }
      if (kept == 0) continue;
      if (kept == batch->num_rows()) return ConformBatch(batch, schema_);
      ASSIGN_OR_RAISE(auto mask_array, mask.Finish());
      ASSIGN_OR_RAISE(auto filtered,
                      arrow::compute::Filter(arrow::Datum(batch), arrow::Datum(mask_array)));
      return ConformBatch(filtered.record_batch(), schema_);
    }
  }

 private:
  OperatorPtr child_;
  QueryContext* context_;
  std::unique_ptr<RowGrouper> grouper_;
  std::vector<bool> seen_;
  bool emitted_empty_ = false;
};

}  // namespace

Result<OperatorPtr> MakeDistinct(const plan::PlanNode& node, OperatorPtr child,
                                 QueryContext* context) {
  return std::make_unique<DistinctOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
