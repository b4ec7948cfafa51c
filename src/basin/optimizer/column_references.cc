#include "basin/optimizer/column_references.h"

#include "basin/plan/logical_plan.h"

namespace basin::optimizer {

void CollectColumns(const plan::ExprPtr& e, std::set<int>* out) {
  if (!e) return;
  if (e->kind == plan::ExprKind::kColumn) out->insert(e->column_index);
  for (const auto& c : e->children) CollectColumns(c, out);
  if (e->filter) CollectColumns(e->filter, out);
}

bool HasOuterColumns(const plan::ExprPtr& e) {
  if (!e) return false;
  if (e->kind == plan::ExprKind::kOuterColumn) return true;
  for (const auto& c : e->children) {
    if (HasOuterColumns(c)) return true;
  }
  return e->filter && HasOuterColumns(e->filter);
}

bool HasSubquery(const plan::ExprPtr& e) {
  if (!e) return false;
  if (e->subquery) return true;
  for (const auto& c : e->children) {
    if (HasSubquery(c)) return true;
  }
  return false;
}

bool PlanHasOuterColumns(const plan::PlanNode& node) {
  for (const auto& e : node.exprs) {
    if (HasOuterColumns(e)) return true;
  }
  if (node.condition && HasOuterColumns(node.condition)) return true;
  for (const auto& e : node.group_by) {
    if (HasOuterColumns(e)) return true;
  }
  for (const auto& e : node.aggregates) {
    if (HasOuterColumns(e)) return true;
  }
  for (const auto& c : node.children) {
    if (PlanHasOuterColumns(*c)) return true;
  }
  return false;
}

bool HasCorrelatedSubquery(const plan::ExprPtr& e) {
  if (!e) return false;
  if (e->subquery && PlanHasOuterColumns(*e->subquery)) return true;
  for (const auto& c : e->children) {
    if (HasCorrelatedSubquery(c)) return true;
  }
  return false;
}

plan::ExprPtr MapColumns(const plan::ExprPtr& e, const std::function<int(int)>& map,
                         const std::function<int(int)>& outer_map) {
  if (!e) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  if (e->kind == plan::ExprKind::kColumn) copy->column_index = map(e->column_index);
  if (e->kind == plan::ExprKind::kOuterColumn && outer_map) {
    copy->kind = plan::ExprKind::kColumn;
    copy->column_index = outer_map(e->column_index);
  }
  for (auto& c : copy->children) c = MapColumns(c, map, outer_map);
  if (copy->filter) copy->filter = MapColumns(copy->filter, map, outer_map);
  return copy;
}

void SplitConjuncts(const plan::ExprPtr& e, std::vector<plan::ExprPtr>* out) {
  if (!e) return;
  if (e->kind == plan::ExprKind::kAnd) {
    for (const auto& c : e->children) SplitConjuncts(c, out);
  } else {
    out->push_back(e);
  }
}

namespace {

plan::ExprPtr Chain(const std::vector<plan::ExprPtr>& parts, plan::ExprKind kind,
                    const char* word) {
  plan::ExprPtr result;
  for (const auto& c : parts) {
    if (!result) {
      result = c;
      continue;
    }
    auto e = std::make_shared<plan::Expr>();
    e->kind = kind;
    e->type = arrow::boolean();
    e->children = {result, c};
    e->name = "(" + result->name + " " + word + " " + c->name + ")";
    result = e;
  }
  return result;
}

}  // namespace

plan::ExprPtr AndAll(const std::vector<plan::ExprPtr>& conjuncts) {
  return Chain(conjuncts, plan::ExprKind::kAnd, "AND");
}

plan::ExprPtr OrAll(const std::vector<plan::ExprPtr>& disjuncts) {
  return Chain(disjuncts, plan::ExprKind::kOr, "OR");
}

}  // namespace basin::optimizer
