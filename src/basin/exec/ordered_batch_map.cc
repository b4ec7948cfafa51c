#include "basin/exec/ordered_batch_map.h"

namespace basin::exec {

OrderedBatchMap::OrderedBatchMap(Operator* child, Fn fn, QueryContext* context)
    : child_(child),
      fn_([fn = std::move(fn)](const std::shared_ptr<arrow::RecordBatch>& batch, int64_t) {
        return fn(batch);
      }),
      context_(context) {}

OrderedBatchMap::OrderedBatchMap(Operator* child, FnAt fn, QueryContext* context)
    : child_(child), fn_(std::move(fn)), context_(context) {}

OrderedBatchMap::~OrderedBatchMap() {
  for (auto& future : in_flight_) future.Wait();
}

Result<std::shared_ptr<arrow::RecordBatch>> OrderedBatchMap::Next() {
  const size_t window = static_cast<size_t>(std::max(1, context_->options().threads));
  auto* pool = window > 1 ? context_->pool() : nullptr;
  while (true) {
    RETURN_NOT_OK(context_->CheckCancel());
    while (!child_done_ && in_flight_.size() < window) {
      ASSIGN_OR_RAISE(auto batch, child_->Next());
      if (!batch) {
        child_done_ = true;
        break;
      }
      if (batch->num_rows() == 0) continue;
      const int64_t first_row = rows_;
      rows_ += batch->num_rows();
      if (pool) {
        ASSIGN_OR_RAISE(auto future, pool->Submit(fn_, batch, first_row));
        in_flight_.push_back(std::move(future));
      } else {
        in_flight_.push_back(arrow::Future<std::shared_ptr<arrow::RecordBatch>>::MakeFinished(
            fn_(batch, first_row)));
      }
      // Without a pool there is nothing to overlap: map one batch at a time.
      if (!pool) break;
    }
    if (in_flight_.empty()) return std::shared_ptr<arrow::RecordBatch>();
    auto future = std::move(in_flight_.front());
    in_flight_.pop_front();
    ASSIGN_OR_RAISE(auto out, future.result());
    if (out && out->num_rows() > 0) return out;
  }
}

Status PrepareSubqueries(const plan::Expr& expr, QueryContext* context) {
  if (expr.subquery &&
      (expr.kind == plan::ExprKind::kScalarSubquery || expr.kind == plan::ExprKind::kInSubquery ||
       expr.kind == plan::ExprKind::kExists)) {
    RETURN_NOT_OK(context->subqueries()->Get(expr.subquery).status());
  }
  for (const auto& child : expr.children) {
    if (child) RETURN_NOT_OK(PrepareSubqueries(*child, context));
  }
  if (expr.filter) RETURN_NOT_OK(PrepareSubqueries(*expr.filter, context));
  return Status::OK();
}

}  // namespace basin::exec
