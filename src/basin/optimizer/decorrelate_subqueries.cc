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

bool PlanHasOuterColumns(const PlanNode& node) {
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

// Rewrites Filter(cond) over `input` when cond has correlated subqueries; null when it has none
// that this rule can handle.
Result<PlanPtr> RewriteFilter(const PlanNode& filter, const PlanPtr& input) {
  std::vector<ExprPtr> conjuncts;
  SplitConjuncts(filter.condition, &conjuncts);
  std::vector<ExprPtr> plain, exists, scalars;
  for (const auto& c : conjuncts) {
    const plan::Expr* scalar = FindScalarSubquery(c);
    if (IsCorrelatedExists(c) && PlanHasOuterColumns(*c->subquery)) {
      exists.push_back(c);
    } else if (scalar && PlanHasOuterColumns(*scalar->subquery)) {
      scalars.push_back(c);
    } else {
      plain.push_back(c);
    }
  }
  if (exists.empty() && scalars.empty()) return PlanPtr();
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
  for (const auto& c : scalars) {
    const plan::Expr* scalar = FindScalarSubquery(c);
    // Project(value) <- Aggregate(no groups) <- Filter(cond) <- relation.
    PlanPtr top = scalar->subquery;
    if (top->kind != PlanKind::kProject || top->children[0]->kind != PlanKind::kAggregate) {
      leftover.push_back(c);
      continue;
    }
    const PlanNode& agg = *top->children[0];
    std::vector<ExprPtr> correlated;
    PlanPtr relation;
    if (!agg.group_by.empty() || !agg.grouping_sets.empty() ||
        !SplitCorrelated(agg.children[0], &correlated, &relation)) {
      leftover.push_back(c);
      continue;
    }
    // Each correlated conjunct must be outer_expr = inner_expr.
    std::vector<ExprPtr> outer_keys, inner_keys;
    bool ok = true;
    for (const auto& cc : correlated) {
      if (cc->kind != ExprKind::kCall || !cc->scalar || cc->scalar->name != "=" ||
          cc->children.size() != 2) {
        ok = false;
        break;
      }
      auto a = cc->children[0], b = cc->children[1];
      if (HasOuterColumns(b) && !HasOuterColumns(a)) std::swap(a, b);
      std::set<int> a_inner;
      CollectColumns(a, &a_inner);
      if (!HasOuterColumns(a) || !a_inner.empty() || HasOuterColumns(b)) {
        ok = false;
        break;
      }
      outer_keys.push_back(MapColumns(a, [](int i) { return i; }, [](int i) { return i; }));
      inner_keys.push_back(b);
    }
    bool counts = false;
    for (const auto& a : agg.aggregates) counts = counts || (a->aggregate && a->aggregate->name == "count");
    if (!ok || counts || top->exprs.size() != 1) {
      leftover.push_back(c);
      continue;
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
    current = MakeJoin(plan::JoinType::kLeft, current, project, AndAll(condition));
    auto value = plan::Column(left_width + nkeys, top->exprs[0]->type, scalar->name, true);
    current = MakeFilter(current, ReplaceNode(c, scalar, value));
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
  if (!changed) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  copy->children = children;
  return copy;
}

}  // namespace basin::optimizer
