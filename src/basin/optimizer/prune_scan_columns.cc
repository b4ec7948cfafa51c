#include "basin/optimizer/column_references.h"
#include "basin/optimizer/optimizer.h"

#include <utility>

namespace basin::optimizer {
namespace {

using plan::ExprKind;
using plan::ExprPtr;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;

// Marks the input columns `e` reads; a correlated subquery marks every column (its outer
// references address the input by position); an uncorrelated one reads none.
void Uses(const ExprPtr& e, std::vector<bool>* used, bool* all) {
  if (!e) return;
  if (e->kind == ExprKind::kColumn && e->column_index >= 0 &&
      e->column_index < static_cast<int>(used->size())) {
    (*used)[e->column_index] = true;
  }
  if (e->subquery && PlanHasOuterColumns(*e->subquery)) *all = true;
  for (const auto& c : e->children) Uses(c, used, all);
  if (e->filter) Uses(e->filter, used, all);
  if (e->window) {
    for (const auto& p : e->window->partition_by) Uses(p, used, all);
    for (const auto& o : e->window->order_by) Uses(o.expr, used, all);
  }
}

ExprPtr Remap(const ExprPtr& e, const std::vector<int>& remap) {
  if (!e) return e;
  auto copy = std::make_shared<plan::Expr>(*e);
  if (e->kind == ExprKind::kColumn && e->column_index >= 0 &&
      e->column_index < static_cast<int>(remap.size())) {
    copy->column_index = remap[e->column_index];
  }
  for (auto& c : copy->children) c = Remap(c, remap);
  if (copy->filter) copy->filter = Remap(copy->filter, remap);
  if (copy->window) {
    auto w = std::make_shared<plan::WindowSpec>(*copy->window);
    for (auto& p : w->partition_by) p = Remap(p, remap);
    for (auto& o : w->order_by) o.expr = Remap(o.expr, remap);
    copy->window = w;
  }
  return copy;
}

std::vector<int> Identity(size_t n) {
  std::vector<int> r(n);
  for (size_t i = 0; i < n; ++i) r[i] = static_cast<int>(i);
  return r;
}

struct Pruned {
  PlanPtr plan;
  std::vector<int> remap;  // old output index -> new output index (-1: dropped)
};

Pruned Prune(const PlanPtr& node, std::vector<bool> needed);

// Prunes a child that must keep every column (identity remap).
PlanPtr Keep(const PlanPtr& child) {
  return Prune(child, std::vector<bool>(child->schema->num_fields(), true)).plan;
}

Pruned Prune(const PlanPtr& node, std::vector<bool> needed) {
  size_t width = node->schema->num_fields();
  auto copy = std::make_shared<PlanNode>(*node);
  switch (node->kind) {
    case PlanKind::kScan: {
      bool all = false;
      for (const auto& f : node->pushed_filters) Uses(f, &needed, &all);
      if (all) break;
      // Layout: data columns, then the _metadata column (kept only when used), then the
      // row ids of DML scans (always kept).
      size_t row_ids = node->with_row_id ? 2 : 0;
      bool has_meta = node->with_metadata_column;
      size_t data_width = width - row_ids - (has_meta ? 1 : 0);
      bool keep_meta = has_meta && needed[data_width];
      int count = 0;
      for (size_t i = 0; i < data_width; ++i) count += needed[i];
      if (count == static_cast<int>(data_width) && keep_meta == has_meta) break;
      // Delta and Parquet scans that need no column (count(*)) read none: the row counts come
      // from the files' footers. Text formats are parsed anyway, so they keep one column.
      const bool reads_counts = node->scan.format == plan::ScanSource::Format::kDelta ||
                                node->scan.format == plan::ScanSource::Format::kParquet;
      if (count == 0 && data_width > 0 && !reads_counts) needed[0] = true;
      for (size_t i = data_width; i < width; ++i) needed[i] = true;
      if (has_meta) needed[data_width] = keep_meta;
      copy->with_metadata_column = keep_meta;
      // Positions in the table schema of the current outputs.
      std::vector<int> source = node->projection;
      if (source.empty()) source = Identity(width);
      std::vector<int> projection;
      std::vector<int> remap(width, -1);
      arrow::FieldVector fields;
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        remap[i] = static_cast<int>(fields.size());
        if (i < data_width) projection.push_back(source[i]);
        fields.push_back(node->schema->field(static_cast<int>(i)));
      }
      copy->projection = projection;
      copy->schema = arrow::schema(fields);
      if (node->column_distinct.size() == width) {
        copy->column_distinct.clear();
        for (size_t i = 0; i < width; ++i) {
          if (needed[i]) copy->column_distinct.push_back(node->column_distinct[i]);
        }
      }
      for (auto& f : copy->pushed_filters) f = Remap(f, remap);
      return {copy, remap};
    }
    case PlanKind::kFilter: {
      bool all = false;
      std::vector<bool> child_needed = needed;
      Uses(node->condition, &child_needed, &all);
      if (all) child_needed.assign(width, true);
      auto child = Prune(node->children[0], child_needed);
      copy->children = {child.plan};
      copy->condition = Remap(node->condition, child.remap);
      copy->schema = child.plan->schema;
      return {copy, child.remap};
    }
    case PlanKind::kProject: {
      size_t in = node->children[0]->schema->num_fields();
      std::vector<bool> child_needed(in, false);
      bool all = false;
      int kept = 0;
      for (size_t i = 0; i < width; ++i) kept += needed[i];
      if (kept == 0 && width > 0) needed[0] = true;
      for (size_t i = 0; i < width; ++i) {
        if (needed[i]) Uses(node->exprs[i], &child_needed, &all);
      }
      if (all) child_needed.assign(in, true);
      auto child = Prune(node->children[0], child_needed);
      std::vector<int> remap(width, -1);
      std::vector<ExprPtr> exprs;
      arrow::FieldVector fields;
      for (size_t i = 0; i < width; ++i) {
        if (!needed[i]) continue;
        remap[i] = static_cast<int>(exprs.size());
        exprs.push_back(Remap(node->exprs[i], child.remap));
        fields.push_back(node->schema->field(static_cast<int>(i)));
      }
      copy->children = {child.plan};
      copy->exprs = exprs;
      copy->schema = arrow::schema(fields);
      return {copy, remap};
    }
    case PlanKind::kAggregate: {
      size_t in = node->children[0]->schema->num_fields();
      std::vector<bool> child_needed(in, false);
      bool all = false;
      for (const auto& g : node->group_by) Uses(g, &child_needed, &all);
      for (const auto& a : node->aggregates) Uses(a, &child_needed, &all);
      if (all) child_needed.assign(in, true);
      auto child = Prune(node->children[0], child_needed);
      copy->children = {child.plan};
      for (auto& g : copy->group_by) g = Remap(g, child.remap);
      for (auto& a : copy->aggregates) a = Remap(a, child.remap);
      return {copy, Identity(width)};
    }
    case PlanKind::kJoin: {
      size_t nl = node->children[0]->schema->num_fields();
      size_t nr = node->children[1]->schema->num_fields();
      std::vector<bool> combined(nl + nr, false);
      bool semi = node->join_type == plan::JoinType::kLeftSemi ||
                  node->join_type == plan::JoinType::kLeftAnti;
      for (size_t i = 0; i < width; ++i) combined[i] = needed[i];
      bool all = false;
      Uses(node->condition, &combined, &all);
      if (all) combined.assign(nl + nr, true);
      auto left = Prune(node->children[0], std::vector<bool>(combined.begin(), combined.begin() + nl));
      auto right = Prune(node->children[1], std::vector<bool>(combined.begin() + nl, combined.end()));
      size_t new_left = left.plan->schema->num_fields();
      std::vector<int> remap(nl + nr, -1);
      for (size_t i = 0; i < nl; ++i) remap[i] = left.remap[i];
      for (size_t i = 0; i < nr; ++i) {
        remap[nl + i] = right.remap[i] < 0 ? -1 : static_cast<int>(new_left) + right.remap[i];
      }
      copy->children = {left.plan, right.plan};
      copy->condition = Remap(node->condition, remap);
      arrow::FieldVector fields = left.plan->schema->fields();
      if (!semi) {
        for (const auto& f : right.plan->schema->fields()) fields.push_back(f);
      }
      // Keep the join's nullability of the surviving columns.
      std::vector<int> out_remap(width, -1);
      arrow::FieldVector out_fields(fields.size());
      for (size_t i = 0; i < width; ++i) {
        if (remap[i] >= 0) {
          out_remap[i] = remap[i];
          out_fields[remap[i]] = node->schema->field(static_cast<int>(i));
        }
      }
      for (size_t i = 0; i < fields.size(); ++i) {
        if (!out_fields[i]) out_fields[i] = fields[i];
      }
      copy->schema = arrow::schema(out_fields);
      return {copy, out_remap};
    }
    case PlanKind::kSort: {
      bool all = false;
      std::vector<bool> child_needed = needed;
      for (const auto& k : node->sort_keys) Uses(k.expr, &child_needed, &all);
      if (all) child_needed.assign(width, true);
      auto child = Prune(node->children[0], child_needed);
      copy->children = {child.plan};
      for (auto& k : copy->sort_keys) k.expr = Remap(k.expr, child.remap);
      copy->schema = child.plan->schema;
      return {copy, child.remap};
    }
    case PlanKind::kLimit:
    case PlanKind::kSample: {
      auto child = Prune(node->children[0], needed);
      copy->children = {child.plan};
      copy->schema = child.plan->schema;
      return {copy, child.remap};
    }
    default: break;
  }
  // Every other node keeps all of its columns and those of its children.
  std::vector<PlanPtr> children;
  for (const auto& c : node->children) children.push_back(Keep(c));
  copy->children = children;
  return {copy, Identity(width)};
}

}  // namespace

plan::PlanPtr PruneScanColumns(const plan::PlanPtr& plan) {
  return Prune(plan, std::vector<bool>(plan->schema->num_fields(), true)).plan;
}

}  // namespace basin::optimizer
