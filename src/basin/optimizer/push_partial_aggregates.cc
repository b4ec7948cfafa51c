// Rule: eager aggregation. An Aggregate over a left-deep tree of inner equi-joins, whose
// aggregates (sum, count, min, max) read only the columns of one prefix of the tree (the left
// input L of some join J), pre-aggregates L by the columns of L that are used above it (its
// group keys and join keys) before J. The joins then carry one row per group of L instead of
// one per row, and the wide columns J's right side brings (strings the query groups by: TPC-H
// q10's customer name, address and comment) are copied once per group.
//
// Correct for inner joins: the rows of the final group of (l, r) pairs are the pairs of r with
// the partial groups of L that match it, so summing (counting, min, max) the partial results
// per final group gives the original result. Only aggregates whose partial results merge to
// the same value bit for bit (BoundAggregate::merge_order_free: exact sums, counts, min, max)
// and whose merge has the original result type are rewritten; DISTINCT, FILTER and grouping
// sets are left alone.
//
// When: J's right side gives a string group key (the copies saved), and L's keys are at most
// two integer-like columns (a cheap grouping of L).

#include <algorithm>
#include <map>
#include <set>

#include "basin/function/function.h"
#include "basin/optimizer/column_references.h"
#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {
namespace {

using plan::ExprKind;
using plan::ExprPtr;
using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;

// An inner join with a condition (cross joins are not rewritten).
bool IsConditionedInnerJoin(const PlanNode& node) {
  return node.kind == PlanKind::kJoin && node.join_type == JoinType::kInner && node.condition &&
         node.children.size() == 2;
}

bool IntegerLike(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::DATE32:
      return true;
    default:
      return false;
  }
}

bool IsString(const arrow::DataType& type) {
  return type.id() == arrow::Type::STRING || type.id() == arrow::Type::LARGE_STRING;
}

// The aggregate a partial result of `name` merges with (count: a sum of counts).
const char* MergeName(const std::string& name) {
  if (name == "sum" || name == "count") return "sum";
  if (name == "min") return "min";
  if (name == "max") return "max";
  return nullptr;
}

// The rewrite of one Aggregate, or nullptr when it does not apply.
PlanPtr TryPushPartial(const PlanPtr& agg) {
  if (agg->kind != PlanKind::kAggregate || !agg->grouping_sets.empty() || agg->aggregates.empty() ||
      agg->children.size() != 1) {
    return nullptr;
  }
  for (const auto& a : agg->aggregates) {
    if (a->kind != ExprKind::kAggregate || !a->aggregate || a->distinct || a->filter) return nullptr;
    if (!MergeName(a->aggregate->name) || !a->aggregate->merge_order_free) return nullptr;
    if (a->children.size() > 1 || HasSubquery(a) || !plan::IsDeterministic(a)) return nullptr;
  }
  for (const auto& g : agg->group_by) {
    if (g->kind != ExprKind::kColumn) return nullptr;
  }
  // A Project of plain columns between the Aggregate and the joins is looked through.
  PlanPtr top = agg->children[0];
  std::vector<int> through;  // aggregate input column -> top join output column
  if (top->kind == PlanKind::kProject) {
    for (const auto& e : top->exprs) {
      if (e->kind != ExprKind::kColumn) return nullptr;
      through.push_back(e->column_index);
    }
    top = top->children[0];
  }
  auto joined = [&](int c) { return through.empty() ? c : through[static_cast<size_t>(c)]; };
  if (!IsConditionedInnerJoin(*top)) return nullptr;
  // The left spine: spine[0] = top, spine[k + 1] = spine[k]'s left input. Join k's output is
  // the first width(spine[k]) columns of the top join's output.
  std::vector<PlanPtr> spine;
  for (PlanPtr j = top; IsConditionedInnerJoin(*j); j = j->children[0]) spine.push_back(j);

  std::set<int> arg_columns;  // top join output columns the aggregates read
  for (const auto& a : agg->aggregates) {
    std::set<int> cols;
    for (const auto& c : a->children) CollectColumns(c, &cols);
    for (int c : cols) arg_columns.insert(joined(c));
  }
  std::vector<int> group_columns;
  for (const auto& g : agg->group_by) group_columns.push_back(joined(g->column_index));
  const auto& top_schema = *top->schema;

  for (size_t d = 0; d < spine.size(); ++d) {
    const PlanPtr& join = spine[d];
    const PlanPtr& left = join->children[0];
    const int wl = left->schema->num_fields();
    const int wj = join->schema->num_fields();
    if (!arg_columns.empty() && *arg_columns.rbegin() >= wl) continue;
    // The join's condition: equalities of a left and a right column only.
    std::vector<ExprPtr> conjuncts;
    SplitConjuncts(join->condition, &conjuncts);
    bool equi = !conjuncts.empty();
    std::set<int> keys;  // columns of the left input used above it
    for (const auto& c : conjuncts) {
      if (c->kind != ExprKind::kCall || !c->scalar || c->children.size() != 2 ||
          c->children[0]->kind != ExprKind::kColumn || c->children[1]->kind != ExprKind::kColumn) {
        equi = false;
        break;
      }
      const int x = c->children[0]->column_index, y = c->children[1]->column_index;
      const std::string& fn = c->scalar->name;
      if (fn != "=" || (x < wl) == (y < wl)) {
        equi = false;
        break;
      }
      keys.insert(std::min(x, y));
    }
    if (!equi) continue;
    // Left columns the joins above read, and the group keys from the left.
    bool clean = true;
    for (size_t k = 0; k < d; ++k) {
      std::set<int> cols;
      CollectColumns(spine[k]->condition, &cols);
      clean &= !HasSubquery(spine[k]->condition);
      for (int c : cols) {
        if (c < wl) keys.insert(c);
      }
    }
    if (!clean) continue;
    bool string_from_right = false;
    for (int c : group_columns) {
      if (c < wl) keys.insert(c);
      if (c >= wl && c < wj && IsString(*top_schema.field(c)->type())) string_from_right = true;
    }
    if (!string_from_right || keys.empty() || keys.size() > 2) continue;
    bool integer_keys = true;
    for (int c : keys) integer_keys &= IntegerLike(*top_schema.field(c)->type());
    if (!integer_keys) continue;

    // The partial aggregate over the left input: its keys, then one column per aggregate.
    auto partial = std::make_shared<PlanNode>();
    partial->kind = PlanKind::kAggregate;
    partial->children = {left};
    arrow::FieldVector fields;
    std::map<int, int> key_position;  // left column -> partial output column
    for (int c : keys) {
      const auto& field = left->schema->field(c);
      key_position[c] = static_cast<int>(partial->group_by.size());
      partial->group_by.push_back(plan::Column(c, field->type(), field->name(), field->nullable()));
      fields.push_back(field);
    }
    const int width_keys = static_cast<int>(keys.size());
    std::vector<ExprPtr> merges;
    bool bound = true;
    for (size_t i = 0; i < agg->aggregates.size() && bound; ++i) {
      const auto& a = agg->aggregates[i];
      auto copy = std::make_shared<plan::Expr>(*a);
      for (auto& child : copy->children) child = MapColumns(child, joined);
      partial->aggregates.push_back(copy);
      fields.push_back(arrow::field(a->name, a->type, true));
      // The merge over the partial column, which sits at width_keys + i after the joins.
      auto merged = function::BuiltinRegistry().BindAggregate(MergeName(a->aggregate->name),
                                                            {a->type});
      if (!merged.ok() || !merged->return_type->Equals(*agg->schema->field(
                                  static_cast<int>(agg->group_by.size() + i))->type())) {
        bound = false;
        break;
      }
      auto merge = std::make_shared<plan::Expr>();
      merge->kind = ExprKind::kAggregate;
      merge->type = merged->return_type;
      merge->aggregate = std::make_shared<function::BoundAggregate>(std::move(*merged));
      merge->children = {plan::Column(width_keys + static_cast<int>(i), a->type, a->name)};
      merge->name = a->name;
      merges.push_back(merge);
    }
    if (!bound) continue;
    partial->schema = arrow::schema(fields);
    const int new_wl = partial->schema->num_fields();
    // Old top-join columns -> new ones: left columns to their key, the rest shifted.
    auto remap = [&](int c) {
      if (c < wl) {
        auto it = key_position.find(c);
        return it == key_position.end() ? -1 : it->second;
      }
      return c - wl + new_wl;
    };
    // Rebuild join d and the joins above it over the partial aggregate.
    PlanPtr rebuilt = partial;
    for (size_t k = d + 1; k-- > 0;) {
      const PlanPtr& old = spine[k];
      auto copy = std::make_shared<PlanNode>(*old);
      copy->children = {rebuilt, old->children[1]};
      copy->condition = MapColumns(old->condition, remap);
      arrow::FieldVector join_fields = rebuilt->schema->fields();
      for (const auto& f : old->children[1]->schema->fields()) join_fields.push_back(f);
      copy->schema = arrow::schema(join_fields);
      rebuilt = copy;
    }
    auto final_agg = std::make_shared<PlanNode>(*agg);
    final_agg->children = {rebuilt};
    final_agg->group_by.clear();
    for (const auto& g : agg->group_by) {
      const int c = remap(joined(g->column_index));
      if (c < 0) return nullptr;  // cannot happen: every left group key is a key
      final_agg->group_by.push_back(plan::Column(c, g->type, g->name, g->nullable));
    }
    final_agg->aggregates = merges;
    return final_agg;
  }
  return nullptr;
}

}  // namespace

plan::PlanPtr PushPartialAggregates(const plan::PlanPtr& node) {
  if (!node) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  for (auto& child : copy->children) child = PushPartialAggregates(child);
  if (auto pushed = TryPushPartial(copy)) return pushed;
  return copy;
}

}  // namespace basin::optimizer
