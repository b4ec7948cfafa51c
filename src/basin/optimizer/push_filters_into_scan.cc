#include "basin/optimizer/optimizer.h"

#include "basin/optimizer/column_references.h"

namespace basin::optimizer {

plan::PlanPtr PushFiltersIntoScan(const plan::PlanPtr& node) {
  std::vector<plan::PlanPtr> children;
  bool changed = false;
  for (const auto& c : node->children) {
    auto n = PushFiltersIntoScan(c);
    changed |= n != c;
    children.push_back(n);
  }
  auto copy = std::make_shared<plan::PlanNode>(*node);
  copy->children = children;
  std::vector<plan::ExprPtr> conjuncts;
  if (copy->kind == plan::PlanKind::kFilter) SplitConjuncts(copy->condition, &conjuncts);
  if (copy->kind == plan::PlanKind::kFilter && children[0]->kind == plan::PlanKind::kFilter) {
    // Filter over Filter becomes one Filter (Spark's CombineFilters), the lower condition
    // first: AND evaluates its second side only on the rows the first keeps, as the two
    // filters did. The lower one's conjuncts are already in the scan below it, if any.
    const auto& lower = children[0];
    std::vector<plan::ExprPtr> both;
    SplitConjuncts(lower->condition, &both);
    both.insert(both.end(), conjuncts.begin(), conjuncts.end());
    copy->condition = AndAll(both);
    copy->children = lower->children;
    changed = true;
  }
  // Delta scans skip files by their statistics; partitioned file scans skip partition folders.
  // Python UDFs run in a worker process per batch of rows; the scan's file and folder skipping
  // evaluates its filters on statistics and partition values instead, so they stay out.
  if (copy->kind == plan::PlanKind::kFilter &&
      copy->children[0]->kind == plan::PlanKind::kScan &&
      (copy->children[0]->scan.format == plan::ScanSource::Format::kDelta ||
       !copy->children[0]->scan.partition_columns.empty())) {
    auto scan = std::make_shared<plan::PlanNode>(*copy->children[0]);
    for (const auto& c : conjuncts) {
      if (c->kind != plan::ExprKind::kScalarSubquery && !plan::HasPythonUdf(c) &&
          plan::IsDeterministic(c)) {
        scan->pushed_filters.push_back(c);
      }
    }
    copy->children[0] = scan;
    return copy;
  }
  return changed ? copy : node;
}

}  // namespace basin::optimizer
