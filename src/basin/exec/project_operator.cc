// Project: evaluates one expression per output column over each input batch; batches are
// evaluated on the thread pool, several at once (OrderedBatchMap).

#include "basin/exec/operator.h"
#include "basin/exec/ordered_batch_map.h"

namespace basin::exec {

namespace {

class ProjectOperator : public Operator {
 public:
  ProjectOperator(const plan::PlanNode& node, OperatorPtr child, QueryContext* context)
      : exprs_(node.exprs), child_(std::move(child)), context_(context) {
    schema_ = node.schema;
  }

  Result<std::shared_ptr<arrow::RecordBatch>> Next() override {
    if (!map_) {
      for (const auto& expr : exprs_) RETURN_NOT_OK(PrepareSubqueries(*expr, context_));
      map_ = std::make_unique<OrderedBatchMap>(
          child_.get(),
          [this](const std::shared_ptr<arrow::RecordBatch>& batch, int64_t first_row) {
            return Project(batch, first_row);
          },
          context_);
    }
    return map_->Next();
  }

  // A key column the projection copies from its input is the same key there.
  bool PushKeyFilter(const std::vector<int>& columns,
                     const std::shared_ptr<const KeyFilter>& filter) override {
    if (map_) return false;
    std::vector<int> inputs;
    for (int c : columns) {
      if (c < 0 || static_cast<size_t>(c) >= exprs_.size()) return false;
      const auto& expr = *exprs_[static_cast<size_t>(c)];
      if (expr.kind != plan::ExprKind::kColumn) return false;
      inputs.push_back(expr.column_index);
    }
    return child_->PushKeyFilter(inputs, filter);
  }

 private:
  Result<std::shared_ptr<arrow::RecordBatch>> Project(
      const std::shared_ptr<arrow::RecordBatch>& batch, int64_t first_row) const {
    function::EvalContext eval = context_->eval();
    eval.first_row = first_row;
    arrow::ArrayVector columns;
    columns.reserve(exprs_.size());
    for (const auto& expr : exprs_) {
      ASSIGN_OR_RAISE(auto column, EvaluateToArray(*expr, *batch, eval, context_->subqueries()));
      columns.push_back(std::move(column));
    }
    return ConformBatch(arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns)),
                        schema_);
  }

  std::vector<plan::ExprPtr> exprs_;
  OperatorPtr child_;
  QueryContext* context_;
  std::unique_ptr<OrderedBatchMap> map_;
};

}  // namespace

Result<OperatorPtr> MakeProject(const plan::PlanNode& node, OperatorPtr child,
                                QueryContext* context) {
  if (node.exprs.size() != static_cast<size_t>(node.schema->num_fields())) {
    return InternalError("Project has " + std::to_string(node.exprs.size()) + " expressions but " +
                         std::to_string(node.schema->num_fields()) + " output columns");
  }
  return std::make_unique<ProjectOperator>(node, std::move(child), context);
}

}  // namespace basin::exec
