#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {
namespace {

void Conjuncts(const plan::ExprPtr& e, std::vector<plan::ExprPtr>* out) {
  if (e->kind == plan::ExprKind::kAnd) {
    for (const auto& c : e->children) Conjuncts(c, out);
  } else {
    out->push_back(e);
  }
}

// Python UDFs run in a worker process per batch of rows; the scan's file and folder skipping
// evaluates its filters on statistics and partition values instead, so they stay out.
bool HasPythonUdf(const plan::ExprPtr& e) {
  if (!e) return false;
  if (e->kind == plan::ExprKind::kPythonUdf) return true;
  for (const auto& c : e->children) {
    if (HasPythonUdf(c)) return true;
  }
  return false;
}

}  // namespace

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
  // Delta scans skip files by their statistics; partitioned file scans skip partition folders.
  if (copy->kind == plan::PlanKind::kFilter && children[0]->kind == plan::PlanKind::kScan &&
      (children[0]->scan.format == plan::ScanSource::Format::kDelta ||
       !children[0]->scan.partition_columns.empty())) {
    auto scan = std::make_shared<plan::PlanNode>(*children[0]);
    std::vector<plan::ExprPtr> conjuncts;
    Conjuncts(copy->condition, &conjuncts);
    for (const auto& c : conjuncts) {
      if (c->kind != plan::ExprKind::kScalarSubquery && !HasPythonUdf(c) &&
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
