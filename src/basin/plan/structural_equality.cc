#include "basin/plan/structural_equality.h"

#include <functional>
#include <string>

namespace basin::plan {
namespace {

// Mixes `value` into `seed` (as boost::hash_combine, with a 64-bit constant).
void Mix(size_t* seed, size_t value) {
  *seed ^= value + 0x9e3779b97f4a7c15ULL + (*seed << 6) + (*seed >> 2);
}

size_t HashString(const std::string& s) { return std::hash<std::string>{}(s); }

size_t HashType(const TypePtr& type) { return type ? type->Hash() : 0; }

bool TypesEqual(const TypePtr& a, const TypePtr& b) {
  if (!a || !b) return a == b;
  return a == b || a->Equals(*b);
}

bool SchemasEqual(const std::shared_ptr<arrow::Schema>& a,
                  const std::shared_ptr<arrow::Schema>& b) {
  if (!a || !b) return a == b;
  return a == b || a->Equals(*b, /*check_metadata=*/false);
}

bool TypeListsEqual(const std::vector<TypePtr>& a, const std::vector<TypePtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!TypesEqual(a[i], b[i])) return false;
  }
  return true;
}

// Literals: NaNs are one value (Spark normalizes them); 0.0 and -0.0 are different values
// (1 / x tells them apart).
bool ScalarsEqual(const std::shared_ptr<arrow::Scalar>& a,
                  const std::shared_ptr<arrow::Scalar>& b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  if (!a->type->Equals(*b->type)) return false;
  return a->Equals(*b, arrow::EqualOptions::Defaults().nans_equal(true).signed_zeros_equal(false));
}

// A bound function is identified by its name and the types it was bound for: the registry's
// binders are pure, and the constants some of them read are the call's literal arguments, which
// are compared as children.
bool ScalarFunctionsEqual(const function::BoundScalar* a, const function::BoundScalar* b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  return a->name == b->name && a->deterministic == b->deterministic &&
         TypesEqual(a->return_type, b->return_type) && TypeListsEqual(a->arg_types, b->arg_types);
}

bool AggregateFunctionsEqual(const function::BoundAggregate* a, const function::BoundAggregate* b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  return a->name == b->name && TypesEqual(a->return_type, b->return_type) &&
         TypeListsEqual(a->arg_types, b->arg_types) &&
         TypeListsEqual(a->state_types, b->state_types) &&
         a->ignores_duplicates == b->ignores_duplicates &&
         a->merge_order_free == b->merge_order_free;
}

bool PythonUdfsEqual(const PythonUdf* a, const PythonUdf* b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  return a->name == b->name && a->eval_type == b->eval_type && a->command == b->command &&
         a->python_version == b->python_version && a->deterministic == b->deterministic &&
         TypesEqual(a->return_type, b->return_type) && a->kernel == b->kernel;
}

bool ExprListsEqual(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!StructurallyEqual(a[i], b[i])) return false;
  }
  return true;
}

bool SortKeysEqual(const std::vector<SortKey>& a, const std::vector<SortKey>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].ascending != b[i].ascending || a[i].nulls_first != b[i].nulls_first ||
        !StructurallyEqual(a[i].expr, b[i].expr)) {
      return false;
    }
  }
  return true;
}

bool FrameBoundsEqual(const FrameBound& a, const FrameBound& b) {
  return a.kind == b.kind && StructurallyEqual(a.offset, b.offset);
}

bool WindowSpecsEqual(const WindowSpec* a, const WindowSpec* b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  if (a->function != b->function || a->ignore_nulls != b->ignore_nulls ||
      a->aggregate.has_value() != b->aggregate.has_value()) {
    return false;
  }
  if (a->aggregate && !AggregateFunctionsEqual(&*a->aggregate, &*b->aggregate)) return false;
  return ExprListsEqual(a->partition_by, b->partition_by) &&
         SortKeysEqual(a->order_by, b->order_by) && a->frame.type == b->frame.type &&
         FrameBoundsEqual(a->frame.start, b->frame.start) &&
         FrameBoundsEqual(a->frame.end, b->frame.end);
}

bool PartitionsEqual(const std::optional<std::vector<ScanSource::Partition>>& a,
                     const std::optional<std::vector<ScanSource::Partition>>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  if (a->size() != b->size()) return false;
  for (size_t i = 0; i < a->size(); ++i) {
    const auto& x = (*a)[i];
    const auto& y = (*b)[i];
    if (x.values != y.values || x.folder != y.folder || x.location != y.location) return false;
  }
  return true;
}

bool ScanSourcesEqual(const ScanSource& a, const ScanSource& b) {
  return a.format == b.format && a.path == b.path && a.version == b.version &&
         a.timestamp == b.timestamp && a.options == b.options &&
         SchemasEqual(a.table_schema, b.table_schema) && a.only_files == b.only_files &&
         a.partition_columns == b.partition_columns && PartitionsEqual(a.partitions, b.partitions);
}

// Compares what a node of `a.kind` does itself (not its children); fields that other kinds use
// are ignored. Estimates (estimated_rows, column_distinct) do not change results.
bool NodesEqual(const PlanNode& a, const PlanNode& b) {
  if (a.kind != b.kind || a.children.size() != b.children.size() ||
      !SchemasEqual(a.schema, b.schema)) {
    return false;
  }
  switch (a.kind) {
    case PlanKind::kScan:
      return ScanSourcesEqual(a.scan, b.scan) && a.projection == b.projection &&
             ExprListsEqual(a.pushed_filters, b.pushed_filters) &&
             a.with_metadata_column == b.with_metadata_column && a.with_row_id == b.with_row_id;
    case PlanKind::kValues:
      if (!a.values || !b.values) return a.values == b.values;
      return a.values == b.values ||
             a.values->Equals(
                 *b.values,
                 arrow::EqualOptions::Defaults().nans_equal(true).signed_zeros_equal(false));
    case PlanKind::kProject:
    case PlanKind::kWindow:
      return ExprListsEqual(a.exprs, b.exprs);
    case PlanKind::kFilter:
      return StructurallyEqual(a.condition, b.condition);
    case PlanKind::kAggregate:
      return ExprListsEqual(a.group_by, b.group_by) && ExprListsEqual(a.aggregates, b.aggregates) &&
             a.grouping_sets == b.grouping_sets;
    case PlanKind::kJoin:
      return a.join_type == b.join_type && a.broadcast_side == b.broadcast_side &&
             StructurallyEqual(a.condition, b.condition);
    case PlanKind::kSort:
      return SortKeysEqual(a.sort_keys, b.sort_keys);
    case PlanKind::kLimit:
      return a.limit == b.limit && a.offset == b.offset;
    case PlanKind::kSetOp:
      return a.set_op == b.set_op && a.all == b.all;
    case PlanKind::kGenerate:
      return a.generator == b.generator && a.outer == b.outer &&
             ExprListsEqual(a.generator_args, b.generator_args);
    case PlanKind::kDistinct:
      return true;
    case PlanKind::kSample:
      return a.fraction == b.fraction && a.seed == b.seed;
    case PlanKind::kRange:
      return a.range_start == b.range_start && a.range_end == b.range_end &&
             a.range_step == b.range_step;
  }
  return false;
}

bool ExprIsSelfContainedAndDeterministic(const ExprPtr& expr);

bool ExprListIsSelfContainedAndDeterministic(const std::vector<ExprPtr>& exprs) {
  for (const auto& e : exprs) {
    if (!ExprIsSelfContainedAndDeterministic(e)) return false;
  }
  return true;
}

bool ExprIsSelfContainedAndDeterministic(const ExprPtr& expr) {
  if (!expr) return true;
  switch (expr->kind) {
    case ExprKind::kOuterColumn:
    case ExprKind::kPythonUdf:
      return false;
    case ExprKind::kCall:
      if (expr->scalar && !expr->scalar->deterministic) return false;
      break;
    default:
      break;
  }
  if (!ExprListIsSelfContainedAndDeterministic(expr->children) ||
      !ExprIsSelfContainedAndDeterministic(expr->filter)) {
    return false;
  }
  if (expr->window) {
    const WindowSpec& w = *expr->window;
    if (!ExprListIsSelfContainedAndDeterministic(w.partition_by)) return false;
    for (const auto& key : w.order_by) {
      if (!ExprIsSelfContainedAndDeterministic(key.expr)) return false;
    }
  }
  return !expr->subquery || IsSelfContainedAndDeterministic(*expr->subquery);
}

}  // namespace

size_t StructuralHasher::Hash(const Expr& expr) {
  size_t h = static_cast<size_t>(expr.kind);
  Mix(&h, HashType(expr.type));
  Mix(&h, expr.nullable);
  Mix(&h, static_cast<size_t>(expr.column_index));
  if (expr.literal) Mix(&h, expr.literal->is_valid ? expr.literal->hash() : 1);
  if (expr.scalar) Mix(&h, HashString(expr.scalar->name));
  if (expr.aggregate) Mix(&h, HashString(expr.aggregate->name));
  if (expr.window) Mix(&h, HashString(expr.window->function));
  if (expr.python_udf) Mix(&h, HashString(expr.python_udf->command));
  Mix(&h, HashString(expr.higher_order));
  Mix(&h, (expr.try_cast ? 1 : 0) | (expr.has_else ? 2 : 0) | (expr.negated ? 4 : 0) |
              (expr.distinct ? 8 : 0));
  for (const auto& child : expr.children) Mix(&h, child ? Hash(*child) : 0);
  if (expr.filter) Mix(&h, Hash(*expr.filter));
  if (expr.subquery) Mix(&h, Hash(*expr.subquery));
  return h;
}

size_t StructuralHasher::Hash(const PlanNode& node) {
  if (auto it = plans_.find(&node); it != plans_.end()) return it->second;
  size_t h = static_cast<size_t>(node.kind) + 1;
  Mix(&h, node.schema ? static_cast<size_t>(node.schema->num_fields()) : 0);
  auto mix_exprs = [&](const std::vector<ExprPtr>& exprs) {
    Mix(&h, exprs.size());
    for (const auto& e : exprs) Mix(&h, e ? Hash(*e) : 0);
  };
  switch (node.kind) {
    case PlanKind::kScan:
      Mix(&h, HashString(node.scan.path));
      Mix(&h, node.scan.version ? static_cast<size_t>(*node.scan.version) : ~size_t{0});
      for (int p : node.projection) Mix(&h, static_cast<size_t>(p));
      mix_exprs(node.pushed_filters);
      break;
    case PlanKind::kValues:
      Mix(&h, node.values ? static_cast<size_t>(node.values->num_rows()) : 0);
      break;
    case PlanKind::kProject:
    case PlanKind::kWindow:
      mix_exprs(node.exprs);
      break;
    case PlanKind::kFilter:
      if (node.condition) Mix(&h, Hash(*node.condition));
      break;
    case PlanKind::kJoin:
      Mix(&h, static_cast<size_t>(node.join_type));
      if (node.condition) Mix(&h, Hash(*node.condition));
      break;
    case PlanKind::kAggregate:
      mix_exprs(node.group_by);
      mix_exprs(node.aggregates);
      break;
    case PlanKind::kSort:
      for (const auto& key : node.sort_keys) {
        if (key.expr) Mix(&h, Hash(*key.expr));
        Mix(&h, (key.ascending ? 1 : 0) | (key.nulls_first ? 2 : 0));
      }
      break;
    case PlanKind::kLimit:
      Mix(&h, static_cast<size_t>(node.limit));
      Mix(&h, static_cast<size_t>(node.offset));
      break;
    case PlanKind::kSetOp:
      Mix(&h, static_cast<size_t>(node.set_op) * 2 + (node.all ? 1 : 0));
      break;
    case PlanKind::kGenerate:
      Mix(&h, HashString(node.generator));
      mix_exprs(node.generator_args);
      break;
    case PlanKind::kRange:
      Mix(&h, static_cast<size_t>(node.range_start));
      Mix(&h, static_cast<size_t>(node.range_end));
      break;
    case PlanKind::kDistinct:
    case PlanKind::kSample:
      break;
  }
  for (const auto& child : node.children) Mix(&h, child ? Hash(*child) : 0);
  plans_.emplace(&node, h);
  return h;
}

bool StructurallyEqual(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return a == b;
  if (a == b) return true;
  const Expr& x = *a;
  const Expr& y = *b;
  if (x.kind != y.kind || x.nullable != y.nullable || !TypesEqual(x.type, y.type) ||
      x.column_index != y.column_index || x.try_cast != y.try_cast || x.has_else != y.has_else ||
      x.negated != y.negated || x.distinct != y.distinct || x.higher_order != y.higher_order ||
      x.lambda_params != y.lambda_params || !ScalarsEqual(x.literal, y.literal) ||
      !ScalarFunctionsEqual(x.scalar.get(), y.scalar.get()) ||
      !AggregateFunctionsEqual(x.aggregate.get(), y.aggregate.get()) ||
      !PythonUdfsEqual(x.python_udf.get(), y.python_udf.get()) ||
      !WindowSpecsEqual(x.window.get(), y.window.get()) || !StructurallyEqual(x.filter, y.filter) ||
      !ExprListsEqual(x.children, y.children)) {
    return false;
  }
  if (!x.subquery || !y.subquery) return x.subquery == y.subquery;
  return StructurallyEqual(*x.subquery, *y.subquery);
}

bool StructurallyEqual(const PlanNode& a, const PlanNode& b) {
  if (&a == &b) return true;
  if (!NodesEqual(a, b)) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    const auto& x = a.children[i];
    const auto& y = b.children[i];
    if (!x || !y) {
      if (x != y) return false;
      continue;
    }
    if (!StructurallyEqual(*x, *y)) return false;
  }
  return true;
}

bool IsSelfContainedAndDeterministic(const PlanNode& node) {
  if (node.kind == PlanKind::kSample) return false;
  if (!ExprListIsSelfContainedAndDeterministic(node.exprs) ||
      !ExprIsSelfContainedAndDeterministic(node.condition) ||
      !ExprListIsSelfContainedAndDeterministic(node.group_by) ||
      !ExprListIsSelfContainedAndDeterministic(node.aggregates) ||
      !ExprListIsSelfContainedAndDeterministic(node.generator_args) ||
      !ExprListIsSelfContainedAndDeterministic(node.pushed_filters)) {
    return false;
  }
  for (const auto& key : node.sort_keys) {
    if (!ExprIsSelfContainedAndDeterministic(key.expr)) return false;
  }
  for (const auto& child : node.children) {
    if (child && !IsSelfContainedAndDeterministic(*child)) return false;
  }
  return true;
}

}  // namespace basin::plan
