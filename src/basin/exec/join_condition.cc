#include "basin/exec/join_condition.h"

#include <string>

#include "basin/function/function.h"

namespace basin::exec {
namespace {

void SplitConjuncts(const plan::ExprPtr& expr, std::vector<plan::ExprPtr>* out) {
  if (expr->kind == plan::ExprKind::kAnd) {
    for (const auto& child : expr->children) SplitConjuncts(child, out);
  } else {
    out->push_back(expr);
  }
}

// Which sides an expression reads: bit 1 left, bit 2 right; -1 when it cannot move sides.
int SidesOf(const plan::Expr& expr, int left_width) {
  int sides = 0;
  if (expr.kind == plan::ExprKind::kColumn) return expr.column_index < left_width ? 1 : 2;
  if (expr.kind == plan::ExprKind::kOuterColumn || expr.subquery) return -1;
  if (expr.kind == plan::ExprKind::kCall && expr.scalar && !expr.scalar->deterministic) return -1;
  for (const auto& child : expr.children) {
    if (!child) continue;
    int s = SidesOf(*child, left_width);
    if (s < 0) return -1;
    sides |= s;
  }
  return sides;
}

plan::ExprPtr ShiftColumns(const plan::ExprPtr& expr, int shift) {
  auto copy = std::make_shared<plan::Expr>(*expr);
  if (copy->kind == plan::ExprKind::kColumn) copy->column_index -= shift;
  for (auto& child : copy->children) {
    if (child) child = ShiftColumns(child, shift);
  }
  return copy;
}

bool IsEquality(const plan::Expr& expr, bool* null_safe) {
  if (expr.kind != plan::ExprKind::kCall || !expr.scalar || expr.children.size() != 2) {
    return false;
  }
  const std::string& name = expr.scalar->name;
  *null_safe = name == "<=>" || name == "equal_null" || name == "equal_null_safe";
  return *null_safe || name == "=" || name == "==" || name == "equal";
}

}  // namespace

JoinCondition SplitJoinCondition(const plan::PlanNode& node, int left_width, bool use_keys) {
  JoinCondition out;
  if (!node.condition) return out;
  std::vector<plan::ExprPtr> conjuncts;
  SplitConjuncts(node.condition, &conjuncts);
  std::vector<plan::ExprPtr> residual;
  for (const auto& conjunct : conjuncts) {
    bool null_safe = false;
    if (use_keys && node.join_type != plan::JoinType::kCross &&
        IsEquality(*conjunct, &null_safe)) {
      int a = SidesOf(*conjunct->children[0], left_width);
      int b = SidesOf(*conjunct->children[1], left_width);
      if (a == 1 && b == 2) {
        out.keys.push_back(
            {conjunct->children[0], ShiftColumns(conjunct->children[1], left_width), null_safe});
        continue;
      }
      if (a == 2 && b == 1) {
        out.keys.push_back(
            {conjunct->children[1], ShiftColumns(conjunct->children[0], left_width), null_safe});
        continue;
      }
    }
    residual.push_back(conjunct);
  }
  if (residual.size() == 1) {
    out.residual = residual[0];
  } else if (residual.size() > 1) {
    auto conj = std::make_shared<plan::Expr>();
    conj->kind = plan::ExprKind::kAnd;
    conj->type = arrow::boolean();
    conj->children = residual;
    conj->name = "and";
    out.residual = conj;
  }
  return out;
}

}  // namespace basin::exec
