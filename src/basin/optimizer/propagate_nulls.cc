#include "basin/optimizer/optimizer.h"

#include <set>
#include <string>

namespace basin::optimizer {
namespace {

using plan::ExprKind;
using plan::ExprPtr;
using plan::PlanNode;
using plan::PlanPtr;

// Scalar functions that are null when any argument is null: Spark's NullIntolerant operators,
// and functions that Spark computes while planning when all their arguments are constants
// (so a NULL argument gives a NULL constant there too).
const std::set<std::string>& NullIntolerantCalls() {
  static const std::set<std::string> names = {
      "+", "-", "*", "/", "%", "div", "pmod", "=", "!=", "<", "<=", ">", ">=", "&", "|", "^",
      "~", "negative", "positive", "abs", "not", "year", "quarter", "month", "day", "dayofmonth",
      "dayofweek", "dayofyear", "weekofyear", "hour", "minute", "second", "length",
      "char_length", "character_length", "upper", "lower", "ucase", "lcase", "round", "bround",
      "floor", "ceil", "ceiling", "sqrt", "exp", "ln", "log10", "sign", "signum", "substring",
      "substr", "trim", "ltrim", "rtrim", "lpad", "rpad", "reverse", "repeat", "left", "right",
      "concat", "||", "date_add", "date_sub", "add_months", "last_day", "datediff",
      "date_trunc"};
  return names;
}

bool IsNullLiteral(const ExprPtr& e) {
  return e && e->kind == ExprKind::kLiteral && (!e->literal || !e->literal->is_valid);
}

bool IsBoolLiteral(const ExprPtr& e, bool value) {
  return e && e->kind == ExprKind::kLiteral && e->literal && e->literal->is_valid &&
         e->literal->type->id() == arrow::Type::BOOL &&
         static_cast<const arrow::BooleanScalar&>(*e->literal).value == value;
}

// Spark's ReplaceNullWithFalseInPredicate: in a filter or join condition, where NULL and false
// both drop the row, a NULL literal (also under AND/OR) is false, which the AND/OR
// simplification then folds.
ExprPtr NullIsFalse(const ExprPtr& e) {
  if (!e) return e;
  if (IsNullLiteral(e)) {
    return plan::Literal(std::make_shared<arrow::BooleanScalar>(false), e->name);
  }
  if (e->kind != ExprKind::kAnd && e->kind != ExprKind::kOr) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  bool changed = false;
  for (auto& c : copy->children) {
    auto n = NullIsFalse(c);
    changed |= n != c;
    c = n;
  }
  if (!changed) return e;
  const bool is_and = e->kind == ExprKind::kAnd;
  std::vector<ExprPtr> kept;
  for (const auto& c : copy->children) {
    if (is_and && IsBoolLiteral(c, false)) return c;
    if (!is_and && IsBoolLiteral(c, false)) continue;
    kept.push_back(c);
  }
  if (kept.empty()) return plan::Literal(std::make_shared<arrow::BooleanScalar>(false), e->name);
  if (kept.size() == 1) return kept[0];
  copy->children = std::move(kept);
  return copy;
}

ExprPtr NullOf(const plan::Expr& e);

bool IsNumber(const arrow::DataType& type) {
  return arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         arrow::is_decimal(type.id());
}

// A value computed while planning (Spark's ConstantFolding) for the constants whose NULL the
// propagation needs: a number cast to a number, and nullif of two constants. Nothing that
// depends on the session (time zone, ANSI) is computed here; a failure leaves `e` as it is.
ExprPtr FoldConstant(const plan::Expr& e) {
  const function::EvalContext context;
  if (e.kind == ExprKind::kCast && e.children.size() == 1 &&
      e.children[0]->kind == ExprKind::kLiteral && e.children[0]->literal &&
      e.children[0]->literal->is_valid && IsNumber(*e.children[0]->type) && IsNumber(*e.type)) {
    auto value = function::Cast(arrow::Datum(e.children[0]->literal), e.type, e.try_cast, context);
    if (value.ok() && value->is_scalar()) return plan::Literal(value->scalar(), e.name);
    return nullptr;
  }
  if (e.kind == ExprKind::kCall && e.scalar && e.scalar->name == "nullif" &&
      e.children.size() == 2 && e.children[0]->kind == ExprKind::kLiteral &&
      e.children[1]->kind == ExprKind::kLiteral && e.children[0]->literal &&
      e.children[1]->literal) {
    auto value = e.scalar->kernel->Execute(
        {arrow::Datum(e.children[0]->literal), arrow::Datum(e.children[1]->literal)}, 1, context);
    if (!value.ok()) return nullptr;
    bool is_null = value->is_scalar() ? !value->scalar()->is_valid
                                      : value->length() == 1 && value->null_count() == 1;
    if (is_null) return NullOf(e);
  }
  return nullptr;
}

ExprPtr NullOf(const plan::Expr& e) {
  auto out = std::make_shared<plan::Expr>(*plan::Literal(arrow::MakeNullScalar(e.type), e.name));
  out->type = e.type;
  return out;
}

ExprPtr Propagate(const ExprPtr& e) {
  if (!e) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  bool changed = false;
  for (auto& c : copy->children) {
    auto n = Propagate(c);
    changed |= n != c;
    c = n;
  }
  if (copy->filter) {
    auto n = Propagate(copy->filter);
    changed |= n != copy->filter;
    copy->filter = n;
  }
  if (auto folded = FoldConstant(*copy)) return folded;
  const auto& kids = copy->children;
  bool any_null = false;
  for (const auto& c : kids) any_null |= IsNullLiteral(c);
  switch (copy->kind) {
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      // Spark's BooleanSimplification: `x AND false` is false, `x OR true` is true.
      const bool is_and = copy->kind == ExprKind::kAnd;
      for (const auto& c : kids) {
        if (IsBoolLiteral(c, !is_and)) return c;
      }
      break;
    }
    case ExprKind::kCall:
      if (copy->scalar && any_null && NullIntolerantCalls().count(copy->scalar->name)) {
        return NullOf(*copy);
      }
      // nullif(NULL, x) is NULL.
      if (copy->scalar && copy->scalar->name == "nullif" && !kids.empty() &&
          IsNullLiteral(kids[0])) {
        return NullOf(*copy);
      }
      break;
    case ExprKind::kCast:
      if (any_null) return NullOf(*copy);
      break;
    case ExprKind::kInList:
      if (!kids.empty() && IsNullLiteral(kids[0])) return NullOf(*copy);
      break;
    case ExprKind::kCase: {
      // Branches whose condition is a NULL literal never run; a CASE all of whose results are
      // NULL literals is NULL.
      std::vector<ExprPtr> kept;
      size_t pairs = kids.size() / 2;
      bool all_null = true;
      for (size_t k = 0; k < pairs; ++k) {
        if (IsNullLiteral(kids[2 * k])) continue;
        kept.push_back(kids[2 * k]);
        kept.push_back(kids[2 * k + 1]);
        all_null &= IsNullLiteral(kids[2 * k + 1]);
      }
      if (copy->has_else) all_null &= IsNullLiteral(kids.back());
      if (all_null) return NullOf(*copy);
      if (kept.empty()) return kids.back();  // only the ELSE can run
      if (kept.size() != 2 * pairs) {
        if (copy->has_else) kept.push_back(kids.back());
        copy->children = std::move(kept);
        changed = true;
      }
      break;
    }
    case ExprKind::kCoalesce: {
      std::vector<ExprPtr> kept;
      for (const auto& c : kids) {
        if (!IsNullLiteral(c)) kept.push_back(c);
      }
      if (kept.empty()) return NullOf(*copy);
      if (kept.size() != kids.size()) {
        copy->children = std::move(kept);
        changed = true;
      }
      break;
    }
    default:
      break;
  }
  return changed ? copy : e;
}

}  // namespace

PlanPtr PropagateNulls(const PlanPtr& plan) {
  auto copy = std::make_shared<PlanNode>(*plan);
  for (auto& c : copy->children) c = PropagateNulls(c);
  for (auto& e : copy->exprs) e = Propagate(e);
  copy->condition = NullIsFalse(Propagate(copy->condition));
  for (auto& e : copy->group_by) e = Propagate(e);
  for (auto& e : copy->aggregates) e = Propagate(e);
  for (auto& k : copy->sort_keys) k.expr = Propagate(k.expr);
  return copy;
}

}  // namespace basin::optimizer
