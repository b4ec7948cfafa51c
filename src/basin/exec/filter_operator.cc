// Filter: keeps the rows where the condition is true; batches are filtered on the thread pool,
// several at once (OrderedBatchMap).

#include <arrow/compute/api.h>

#include "basin/exec/operator.h"
#include "basin/exec/ordered_batch_map.h"

namespace basin::exec {

namespace {

class FilterOperator : public Operator {
 public:
  FilterOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : condition_(node.condition), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!map_) {
      RETURN_NOT_OK(PrepareSubqueries(*condition_, context_));
      map_ = std::make_unique<OrderedBatchMap>(
          child_.get(),
          [this](const std::shared_ptr<arrow::RecordBatch>& batch, int64_t first_row) {
            return Filter(batch, first_row);
          },
          context_);
    }
    return map_->Next();
  }

  // A filter keeps its input's columns: a key filter applies below it as well.
  bool PushKeyFilter(const std::vector<int>& columns,
                     const std::shared_ptr<const KeyFilter>& filter) override {
    return !map_ && child_->PushKeyFilter(columns, filter);
  }

 private:
  Result<std::shared_ptr<arrow::RecordBatch>> Filter(
      const std::shared_ptr<arrow::RecordBatch>& batch, int64_t first_row) const {
    function::EvalContext eval = context_->eval();
    eval.first_row = first_row;
    ASSIGN_OR_RAISE(auto mask,
                    EvaluatePredicate(*condition_, *batch, eval, context_->subqueries()));
    if (mask->true_count() == 0) return std::shared_ptr<arrow::RecordBatch>();
    if (mask->true_count() == batch->num_rows()) return ConformBatch(batch, schema_);
    if (mask->true_count() * 8 < batch->num_rows() * 7) {
      // Fewer than 7 rows of 8 kept: Arrow turns the mask into row indices once and takes them
      // from every column (filtering each column by the mask was slower here: q07's filter
      // after its joins keeps about half of the rows, and took 25% more CPU).
      ASSIGN_OR_RAISE(auto filtered,
                      arrow::compute::Filter(arrow::Datum(batch), arrow::Datum(mask)));
      return ConformBatch(filtered.record_batch(), schema_);
    }
    // Nearly all rows kept: each column is filtered by the mask itself, which copies the long
    // runs of kept rows at once instead of one row per index.
    arrow::ArrayVector columns;
    columns.reserve(static_cast<size_t>(batch->num_columns()));
    for (const auto& column : batch->columns()) {
      ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(column, arrow::Datum(mask)));
      columns.push_back(filtered.make_array());
    }
    return ConformBatch(arrow::RecordBatch::Make(batch->schema(), mask->true_count(),
                                                 std::move(columns)),
                        schema_);
  }

  plan::ExprPtr condition_;
  OperatorPtr child_;
  QueryContext* context_;
  std::unique_ptr<OrderedBatchMap> map_;
};

}  // namespace

Result<OperatorPtr> MakeFilter(const plan::PlanNode& node, OperatorPtr child,
                               QueryContext* context) {
  if (!node.condition) return child;
  return std::make_unique<FilterOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
