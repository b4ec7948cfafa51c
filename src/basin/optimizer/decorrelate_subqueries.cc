#include "basin/function/function.h"
#include "basin/optimizer/column_references.h"
#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {
namespace {

using plan::ExprKind;
using plan::ExprPtr;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;

PlanPtr MakeFilter(PlanPtr child, ExprPtr condition) {
  if (!condition) return child;
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kFilter;
  node->schema = child->schema;
  node->condition = std::move(condition);
  node->children = {std::move(child)};
  return node;
}

PlanPtr MakeJoin(plan::JoinType type, PlanPtr left, PlanPtr right, ExprPtr condition) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kJoin;
  node->join_type = type;
  node->condition = std::move(condition);
  arrow::FieldVector fields = left->schema->fields();
  if (type != plan::JoinType::kLeftSemi && type != plan::JoinType::kLeftAnti) {
    for (const auto& f : right->schema->fields()) {
      fields.push_back(type == plan::JoinType::kLeft ? f->WithNullable(true) : f);
    }
  }
  node->schema = arrow::schema(fields);
  node->children = {std::move(left), std::move(right)};
  return node;
}

Result<ExprPtr> Equal(ExprPtr a, ExprPtr b) {
  ASSIGN_OR_RAISE(auto bound, function::BuiltinRegistry().BindScalar("=", {a->type, b->type}));
  if (!a->type->Equals(*bound.arg_types[0])) a = plan::CastTo(a, bound.arg_types[0]);
  if (!b->type->Equals(*bound.arg_types[1])) b = plan::CastTo(b, bound.arg_types[1]);
  return plan::Call(std::make_shared<function::BoundScalar>(std::move(bound)), {a, b});
}

// The plan of a subquery without the Projects on top (EXISTS ignores its columns).
PlanPtr StripProjects(PlanPtr p) {
  while (p->kind == PlanKind::kProject) p = p->children[0];
  return p;
}

bool IsCorrelatedExists(const ExprPtr& e) {
  return e->kind == ExprKind::kExists && e->subquery;
}

// Finds the (single) correlated scalar subquery inside `e`.
const plan::Expr* FindScalarSubquery(const ExprPtr& e) {
  if (e->kind == ExprKind::kScalarSubquery) return e.get();
  for (const auto& c : e->children) {
    if (auto found = FindScalarSubquery(c)) return found;
  }
  return nullptr;
}

ExprPtr ReplaceNode(const ExprPtr& e, const plan::Expr* target, const ExprPtr& with) {
  if (e.get() == target) return with;
  auto copy = std::make_shared<plan::Expr>(*e);
  for (auto& c : copy->children) c = ReplaceNode(c, target, with);
  return copy;
}

// Splits a Filter's condition into correlated and uncorrelated conjuncts. Returns false when
// the subquery is not Filter(cond) over a relation free of outer references.
bool SplitCorrelated(const PlanPtr& filter, std::vector<ExprPtr>* correlated, PlanPtr* relation) {
  if (filter->kind != PlanKind::kFilter) return false;
  if (PlanHasOuterColumns(*filter->children[0])) return false;
  std::vector<ExprPtr> conjuncts, plain;
  SplitConjuncts(filter->condition, &conjuncts);
  for (const auto& c : conjuncts) {
    if (HasOuterColumns(c)) {
      correlated->push_back(c);
    } else {
      plain.push_back(c);
    }
  }
  *relation = MakeFilter(filter->children[0], AndAll(plain));
  return !correlated->empty();
}

// Joins `current` with the correlated scalar aggregate subquery `scalar`: a LEFT JOIN with the
// subquery grouped by its equality correlation keys. Sets *value to the column holding the
// subquery's value in the joined plan; returns null when the subquery has another shape.
Result<PlanPtr> JoinScalarSubquery(const PlanPtr& current, const plan::Expr& scalar,
                                   ExprPtr* value) {
  // Project(value) <- Aggregate(no groups) <- Filter(cond) <- relation.
  PlanPtr top = scalar.subquery;
  if (top->kind != PlanKind::kProject || top->children[0]->kind != PlanKind::kAggregate ||
      top->exprs.size() != 1) {
    return PlanPtr();
  }
  const PlanNode& agg = *top->children[0];
  std::vector<ExprPtr> correlated;
  PlanPtr relation;
  if (!agg.group_by.empty() || !agg.grouping_sets.empty() ||
      !SplitCorrelated(agg.children[0], &correlated, &relation)) {
    return PlanPtr();
  }
  // Each correlated conjunct must be outer_expr = inner_expr.
  std::vector<ExprPtr> outer_keys, inner_keys;
  for (const auto& cc : correlated) {
    if (cc->kind != ExprKind::kCall || !cc->scalar || cc->scalar->name != "=" ||
        cc->children.size() != 2) {
      return PlanPtr();
    }
    auto a = cc->children[0], b = cc->children[1];
    if (HasOuterColumns(b) && !HasOuterColumns(a)) std::swap(a, b);
    std::set<int> a_inner;
    CollectColumns(a, &a_inner);
    if (!HasOuterColumns(a) || !a_inner.empty() || HasOuterColumns(b)) return PlanPtr();
    outer_keys.push_back(MapColumns(a, [](int i) { return i; }, [](int i) { return i; }));
    inner_keys.push_back(b);
  }
  // count() of no rows is 0, not the NULL a missing join row gives: only a plain count column
  // can be fixed up that way.
  bool count_value = false;
  const auto& shown = top->exprs[0];
  for (size_t i = 0; i < agg.aggregates.size(); ++i) {
    const auto& a = agg.aggregates[i];
    if (!a->aggregate || (a->aggregate->name != "count" && a->aggregate->name != "count_if")) {
      continue;
    }
    if (shown->kind == ExprKind::kColumn && shown->column_index == static_cast<int>(i)) {
      count_value = true;
    } else {
      return PlanPtr();
    }
  }
  relation = DecorrelateSubqueries(relation);
  int nkeys = static_cast<int>(inner_keys.size());
  auto grouped = std::make_shared<PlanNode>(agg);
  grouped->children = {relation};
  grouped->group_by = inner_keys;
  arrow::FieldVector fields;
  for (int k = 0; k < nkeys; ++k) {
    fields.push_back(arrow::field("key" + std::to_string(k), inner_keys[k]->type, true));
  }
  for (const auto& f : agg.schema->fields()) fields.push_back(f);
  grouped->schema = arrow::schema(fields);
  auto project = std::make_shared<PlanNode>(*top);
  project->children = {grouped};
  project->exprs.clear();
  arrow::FieldVector project_fields;
  for (int k = 0; k < nkeys; ++k) {
    project->exprs.push_back(plan::Column(k, inner_keys[k]->type, "key" + std::to_string(k)));
    project_fields.push_back(fields[k]);
  }
  project->exprs.push_back(MapColumns(top->exprs[0], [nkeys](int i) { return i + nkeys; }));
  project_fields.push_back(top->schema->field(0)->WithNullable(true));
  project->schema = arrow::schema(project_fields);
  int left_width = current->schema->num_fields();
  std::vector<ExprPtr> condition;
  for (int k = 0; k < nkeys; ++k) {
    ASSIGN_OR_RAISE(auto eq, Equal(outer_keys[k], plan::Column(left_width + k, inner_keys[k]->type,
                                                                "key" + std::to_string(k))));
    condition.push_back(eq);
  }
  auto joined = MakeJoin(plan::JoinType::kLeft, current, project, AndAll(condition));
  *value = plan::Column(left_width + nkeys, top->exprs[0]->type, scalar.name, true);
  if (count_value) {
    auto zero = plan::Literal(std::make_shared<arrow::Int64Scalar>(0));
    if (!(*value)->type->Equals(*zero->type)) zero = plan::CastTo(zero, (*value)->type);
    auto coalesce = std::make_shared<plan::Expr>();
    coalesce->kind = ExprKind::kCoalesce;
    coalesce->type = (*value)->type;
    coalesce->nullable = false;
    coalesce->children = {*value, zero};
    coalesce->name = scalar.name;
    *value = coalesce;
  }
  return joined;
}

// The first correlated EXISTS inside `e` (under OR, NOT, CASE, ... or in a SELECT list).
const plan::Expr* FindCorrelatedExists(const ExprPtr& e) {
  if (e->kind == ExprKind::kExists && e->subquery && PlanHasOuterColumns(*e->subquery)) {
    return e.get();
  }
  for (const auto& c : e->children) {
    if (auto found = FindCorrelatedExists(c)) return found;
  }
  return nullptr;
}

// EXISTS (subquery) as (SELECT count(*) FROM subquery) > 0, joined like a scalar subquery; sets
// *value to the boolean that replaces it (count = 0 for NOT EXISTS). Null when unsupported.
Result<PlanPtr> JoinExistsSubquery(const PlanPtr& current, const plan::Expr& exists,
                                   ExprPtr* value) {
  PlanPtr body = StripProjects(exists.subquery);
  ASSIGN_OR_RAISE(auto count_fn, function::BuiltinRegistry().BindAggregate("count", {}));
  auto count = std::make_shared<plan::Expr>();
  count->kind = ExprKind::kAggregate;
  count->type = count_fn.return_type;
  count->aggregate = std::make_shared<function::BoundAggregate>(std::move(count_fn));
  count->name = "count(1)";
  auto agg = std::make_shared<PlanNode>();
  agg->kind = PlanKind::kAggregate;
  agg->children = {body};
  agg->aggregates = {count};
  agg->schema = arrow::schema({arrow::field("count(1)", arrow::int64(), false)});
  auto top = std::make_shared<PlanNode>();
  top->kind = PlanKind::kProject;
  top->children = {agg};
  top->exprs = {plan::Column(0, arrow::int64(), "count(1)", false)};
  top->schema = agg->schema;
  plan::Expr scalar;
  scalar.kind = ExprKind::kScalarSubquery;
  scalar.type = arrow::int64();
  scalar.subquery = top;
  scalar.name = "exists";
  ExprPtr rows;
  ASSIGN_OR_RAISE(auto joined, JoinScalarSubquery(current, scalar, &rows));
  if (!joined) return PlanPtr();
  ASSIGN_OR_RAISE(auto fn, function::BuiltinRegistry().BindScalar(
                               exists.negated ? "=" : ">", {arrow::int64(), arrow::int64()}));
  *value = plan::Call(std::make_shared<function::BoundScalar>(std::move(fn)),
                      {rows, plan::Literal(std::make_shared<arrow::Int64Scalar>(0))},
                      exists.negated ? "NOT EXISTS" : "EXISTS");
  return joined;
}

// The first scalar subquery inside `e` that refers to the enclosing query.
const plan::Expr* FindCorrelatedScalar(const ExprPtr& e) {
  if (e->kind == ExprKind::kScalarSubquery && e->subquery && PlanHasOuterColumns(*e->subquery)) {
    return e.get();
  }
  for (const auto& c : e->children) {
    if (auto found = FindCorrelatedScalar(c)) return found;
  }
  return nullptr;
}

// Rewrites a Project whose expressions hold correlated scalar subqueries into LEFT JOINs under
// it; null when there are none or one has a shape JoinScalarSubquery does not handle.
Result<PlanPtr> RewriteProject(const PlanNode& project, const PlanPtr& input) {
  bool any = false;
  for (const auto& e : project.exprs) {
    any = any || FindCorrelatedScalar(e) != nullptr || FindCorrelatedExists(e) != nullptr;
  }
  if (!any) return PlanPtr();
  PlanPtr current = input;
  std::vector<ExprPtr> exprs;
  for (const auto& e : project.exprs) {
    ExprPtr x = e;
    while (const plan::Expr* scalar = FindCorrelatedScalar(x)) {
      ExprPtr value;
      ASSIGN_OR_RAISE(auto joined, JoinScalarSubquery(current, *scalar, &value));
      if (!joined) return PlanPtr();
      current = joined;
      x = ReplaceNode(x, scalar, value);
    }
    while (const plan::Expr* exists = FindCorrelatedExists(x)) {
      ExprPtr value;
      ASSIGN_OR_RAISE(auto joined, JoinExistsSubquery(current, *exists, &value));
      if (!joined) return PlanPtr();
      current = joined;
      x = ReplaceNode(x, exists, value);
    }
    exprs.push_back(x);
  }
  auto copy = std::make_shared<PlanNode>(project);
  copy->children = {current};
  copy->exprs = exprs;
  return PlanPtr(copy);
}

// Rewrites Filter(cond) over `input` when cond has correlated subqueries; null when it has none
// that this rule can handle.
Result<PlanPtr> RewriteFilter(const PlanNode& filter, const PlanPtr& input) {
  std::vector<ExprPtr> conjuncts;
  SplitConjuncts(filter.condition, &conjuncts);
  std::vector<ExprPtr> plain, exists, scalars, ins, nested_exists;
  for (const auto& c : conjuncts) {
    const plan::Expr* scalar = FindScalarSubquery(c);
    if (IsCorrelatedExists(c) && PlanHasOuterColumns(*c->subquery)) {
      exists.push_back(c);
    } else if (c->kind == ExprKind::kInSubquery && !c->negated && c->subquery &&
               PlanHasOuterColumns(*c->subquery)) {
      ins.push_back(c);
    } else if (scalar && PlanHasOuterColumns(*scalar->subquery)) {
      scalars.push_back(c);
    } else if (FindCorrelatedExists(c)) {
      nested_exists.push_back(c);
    } else {
      plain.push_back(c);
    }
  }
  if (exists.empty() && scalars.empty() && ins.empty() && nested_exists.empty()) {
    return PlanPtr();
  }
  int width = input->schema->num_fields();
  PlanPtr current = MakeFilter(input, AndAll(plain));
  std::vector<ExprPtr> leftover;
  for (const auto& e : exists) {
    std::vector<ExprPtr> correlated;
    PlanPtr relation;
    if (!SplitCorrelated(StripProjects(e->subquery), &correlated, &relation)) {
      leftover.push_back(e);
      continue;
    }
    relation = DecorrelateSubqueries(relation);
    std::vector<ExprPtr> condition;
    for (const auto& c : correlated) {
      condition.push_back(MapColumns(c, [width](int i) { return i + width; },
                                     [](int i) { return i; }));
    }
    current = MakeJoin(e->negated ? plan::JoinType::kLeftAnti : plan::JoinType::kLeftSemi,
                       current, relation, AndAll(condition));
  }
  // x IN (SELECT y ... WHERE correlated): a semi join on x = y and the correlated conditions.
  for (const auto& e : ins) {
    PlanPtr top = e->subquery;
    std::vector<ExprPtr> correlated;
    PlanPtr relation;
    if (top->kind != PlanKind::kProject || top->exprs.size() != 1 ||
        !SplitCorrelated(top->children[0], &correlated, &relation)) {
      leftover.push_back(e);
      continue;
    }
    relation = DecorrelateSubqueries(relation);
    auto inner = [width](int i) { return i + width; };
    auto outer = [](int i) { return i; };
    std::vector<ExprPtr> condition;
    ASSIGN_OR_RAISE(auto eq, Equal(e->children[0], MapColumns(top->exprs[0], inner, outer)));
    condition.push_back(eq);
    for (const auto& c : correlated) condition.push_back(MapColumns(c, inner, outer));
    current = MakeJoin(plan::JoinType::kLeftSemi, current, relation, AndAll(condition));
  }
  for (const auto& c : scalars) {
    const plan::Expr* scalar = FindScalarSubquery(c);
    ExprPtr value;
    ASSIGN_OR_RAISE(auto joined, JoinScalarSubquery(current, *scalar, &value));
    if (!joined) {
      leftover.push_back(c);
      continue;
    }
    current = MakeFilter(joined, ReplaceNode(c, scalar, value));
  }
  // EXISTS under OR / NOT / CASE: a LEFT JOIN with the matching row counts.
  for (const auto& c : nested_exists) {
    ExprPtr x = c;
    PlanPtr joined_plan = current;
    bool ok = true;
    while (const plan::Expr* e = FindCorrelatedExists(x)) {
      ExprPtr value;
      ASSIGN_OR_RAISE(auto joined, JoinExistsSubquery(joined_plan, *e, &value));
      if (!joined) {
        ok = false;
        break;
      }
      joined_plan = joined;
      x = ReplaceNode(x, e, value);
    }
    if (!ok) {
      leftover.push_back(c);
      continue;
    }
    current = MakeFilter(joined_plan, x);
  }
  current = MakeFilter(current, AndAll(leftover));
  // Back to the input's columns.
  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  project->schema = input->schema;
  project->children = {current};
  for (int i = 0; i < width; ++i) {
    const auto& f = input->schema->field(i);
    project->exprs.push_back(plan::Column(i, f->type(), f->name(), f->nullable()));
  }
  return PlanPtr(project);
}

}  // namespace

plan::PlanPtr DecorrelateSubqueries(const plan::PlanPtr& node) {
  std::vector<PlanPtr> children;
  bool changed = false;
  for (const auto& c : node->children) {
    auto n = DecorrelateSubqueries(c);
    changed |= n != c;
    children.push_back(n);
  }
  if (node->kind == PlanKind::kFilter) {
    auto rewritten = RewriteFilter(*node, children[0]);
    if (rewritten.ok() && *rewritten) return *rewritten;
  }
  if (node->kind == PlanKind::kProject) {
    auto rewritten = RewriteProject(*node, children[0]);
    if (rewritten.ok() && *rewritten) return *rewritten;
  }
  if (!changed) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  copy->children = children;
  return copy;
}

}  // namespace basin::optimizer
