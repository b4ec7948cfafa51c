#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {
namespace {

// Optimizes the plans of subquery expressions (IN, EXISTS, scalar) that are left in place.
plan::ExprPtr OptimizeSubqueryPlans(const plan::ExprPtr& e) {
  if (!e) return e;
  bool changed = false;
  auto copy = std::make_shared<plan::Expr>(*e);
  for (auto& c : copy->children) {
    auto n = OptimizeSubqueryPlans(c);
    changed |= n != c;
    c = n;
  }
  if (e->subquery) {
    auto optimized = Optimize(e->subquery);
    if (optimized.ok()) {
      copy->subquery = *optimized;
      changed = true;
    }
  }
  return changed ? copy : e;
}

plan::PlanPtr OptimizeNestedPlans(const plan::PlanPtr& node) {
  auto copy = std::make_shared<plan::PlanNode>(*node);
  for (auto& c : copy->children) c = OptimizeNestedPlans(c);
  for (auto& e : copy->exprs) e = OptimizeSubqueryPlans(e);
  copy->condition = OptimizeSubqueryPlans(copy->condition);
  for (auto& e : copy->group_by) e = OptimizeSubqueryPlans(e);
  for (auto& e : copy->aggregates) e = OptimizeSubqueryPlans(e);
  return copy;
}

}  // namespace

Result<plan::PlanPtr> Optimize(const plan::PlanPtr& plan) {
  auto current = PropagateNulls(plan);
  current = DecorrelateSubqueries(current);
  current = FormJoins(current);
  current = PushPartialAggregates(current);
  current = OptimizeNestedPlans(current);
  current = PushFiltersIntoScan(current);
  current = PruneScanColumns(current);
  current = ChooseBuildSide(current);
  return current;
}

}  // namespace basin::optimizer
