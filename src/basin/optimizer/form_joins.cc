#include <algorithm>
#include <map>

#include "basin/optimizer/column_references.h"
#include "basin/optimizer/optimizer.h"

namespace basin::optimizer {
namespace {

using plan::ExprPtr;
using plan::JoinType;
using plan::PlanKind;
using plan::PlanNode;
using plan::PlanPtr;

bool IsInnerJoin(const PlanNode& node) {
  return node.kind == PlanKind::kJoin &&
         (node.join_type == JoinType::kInner || node.join_type == JoinType::kCross);
}

// A relation of a join tree with the position of its first column in the tree's output.
struct Leaf {
  PlanPtr plan;
  int offset = 0;
  int width = 0;
  double rows = 0;
};

// Flattens nested inner/cross joins into leaves; their conditions become conjuncts over the
// combined output.
void Flatten(const PlanPtr& node, int offset, std::vector<Leaf>* leaves,
             std::vector<ExprPtr>* conjuncts) {
  if (IsInnerJoin(*node)) {
    int left_width = node->children[0]->schema->num_fields();
    Flatten(node->children[0], offset, leaves, conjuncts);
    Flatten(node->children[1], offset + left_width, leaves, conjuncts);
    if (node->condition) {
      std::vector<ExprPtr> parts;
      SplitConjuncts(node->condition, &parts);
      for (const auto& p : parts) {
        conjuncts->push_back(MapColumns(p, [offset](int i) { return i + offset; }));
      }
    }
    return;
  }
  leaves->push_back(Leaf{FormJoins(node), offset, node->schema->num_fields(), 0});
}

double Estimate(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kScan: return node.estimated_rows >= 0 ? static_cast<double>(node.estimated_rows) : 1e6;
    case PlanKind::kValues: return node.values ? static_cast<double>(node.values->num_rows()) : 1;
    case PlanKind::kRange:
      return std::max<double>(1, static_cast<double>(node.range_end - node.range_start) /
                                     static_cast<double>(std::max<int64_t>(1, node.range_step)));
    case PlanKind::kFilter: {
      std::vector<ExprPtr> parts;
      SplitConjuncts(node.condition, &parts);
      double rows = Estimate(*node.children[0]);
      for (const auto& p : parts) {
        bool equality = p->kind == plan::ExprKind::kCall && p->scalar && p->scalar->name == "=";
        rows *= equality ? 0.1 : 0.5;
      }
      return std::max(1.0, rows);
    }
    case PlanKind::kAggregate: return std::max(1.0, Estimate(*node.children[0]) * 0.1);
    case PlanKind::kLimit: return node.limit >= 0 ? static_cast<double>(node.limit) : Estimate(*node.children[0]);
    case PlanKind::kJoin: {
      double l = Estimate(*node.children[0]);
      double r = Estimate(*node.children[1]);
      if (node.join_type == JoinType::kLeftSemi || node.join_type == JoinType::kLeftAnti) return l;
      return std::max(l, r);
    }
    default:
      return node.children.empty() ? 1e6 : Estimate(*node.children[0]);
  }
}

PlanPtr MakeFilter(PlanPtr child, ExprPtr condition) {
  auto node = std::make_shared<PlanNode>();
  node->kind = PlanKind::kFilter;
  node->schema = child->schema;
  node->condition = std::move(condition);
  node->children = {std::move(child)};
  return node;
}

// Rebuilds a tree of inner joins (with the conjuncts of a filter above it) as a left-deep tree:
// the largest relation first, then always the smallest relation connected to it by a condition.
PlanPtr Reorder(const PlanPtr& tree, const std::vector<ExprPtr>& filter_conjuncts,
                const std::shared_ptr<arrow::Schema>& output_schema) {
  std::vector<Leaf> leaves;
  std::vector<ExprPtr> conjuncts;
  Flatten(tree, 0, &leaves, &conjuncts);
  conjuncts.insert(conjuncts.end(), filter_conjuncts.begin(), filter_conjuncts.end());
  auto leaf_of = [&](int column) {
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (column >= leaves[i].offset && column < leaves[i].offset + leaves[i].width) return static_cast<int>(i);
    }
    return -1;
  };
  std::vector<std::set<int>> conjunct_leaves(conjuncts.size());
  std::vector<bool> used(conjuncts.size(), false);
  for (size_t c = 0; c < conjuncts.size(); ++c) {
    std::set<int> cols;
    CollectColumns(conjuncts[c], &cols);
    for (int col : cols) conjunct_leaves[c].insert(leaf_of(col));
  }
  // Conjuncts over one relation filter it directly.
  for (size_t c = 0; c < conjuncts.size(); ++c) {
    if (conjunct_leaves[c].size() != 1 || HasSubquery(conjuncts[c])) continue;
    int l = *conjunct_leaves[c].begin();
    int offset = leaves[l].offset;
    leaves[l].plan = MakeFilter(leaves[l].plan,
                                MapColumns(conjuncts[c], [offset](int i) { return i - offset; }));
    used[c] = true;
  }
  for (auto& leaf : leaves) leaf.rows = Estimate(*leaf.plan);

  std::vector<bool> joined(leaves.size(), false);
  size_t start = 0;
  for (size_t i = 1; i < leaves.size(); ++i) {
    if (leaves[i].rows > leaves[start].rows) start = i;
  }
  joined[start] = true;
  PlanPtr current = leaves[start].plan;
  // Position of each combined-output column in `current` (-1: not joined yet).
  std::vector<int> position(output_schema->num_fields(), -1);
  for (int k = 0; k < leaves[start].width; ++k) position[leaves[start].offset + k] = k;
  for (size_t step = 1; step < leaves.size(); ++step) {
    int best = -1;
    bool best_connected = false;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (joined[i]) continue;
      bool connected = false;
      for (size_t c = 0; c < conjuncts.size() && !connected; ++c) {
        if (used[c] || !conjunct_leaves[c].count(static_cast<int>(i))) continue;
        bool covered = true;
        bool touches_current = false;
        for (int l : conjunct_leaves[c]) {
          if (l == static_cast<int>(i)) continue;
          if (l < 0 || !joined[l]) covered = false;
          touches_current = true;
        }
        connected = covered && touches_current;
      }
      if (best < 0 || (connected && !best_connected) ||
          (connected == best_connected && leaves[i].rows < leaves[best].rows)) {
        best = static_cast<int>(i);
        best_connected = connected;
      }
    }
    const Leaf& leaf = leaves[best];
    int current_width = current->schema->num_fields();
    for (int k = 0; k < leaf.width; ++k) position[leaf.offset + k] = current_width + k;
    joined[best] = true;
    std::vector<ExprPtr> condition;
    for (size_t c = 0; c < conjuncts.size(); ++c) {
      if (used[c] || HasSubquery(conjuncts[c])) continue;
      bool covered = true;
      for (int l : conjunct_leaves[c]) covered = covered && l >= 0 && joined[l];
      if (!covered) continue;
      condition.push_back(MapColumns(conjuncts[c], [&](int i) { return position[i]; }));
      used[c] = true;
    }
    auto join = std::make_shared<PlanNode>();
    join->kind = PlanKind::kJoin;
    join->join_type = condition.empty() ? JoinType::kCross : JoinType::kInner;
    join->condition = AndAll(condition);
    join->children = {current, leaf.plan};
    arrow::FieldVector fields = current->schema->fields();
    for (const auto& f : leaf.plan->schema->fields()) fields.push_back(f);
    join->schema = arrow::schema(fields);
    current = join;
  }
  std::vector<ExprPtr> rest;
  for (size_t c = 0; c < conjuncts.size(); ++c) {
    if (!used[c]) rest.push_back(MapColumns(conjuncts[c], [&](int i) { return position[i]; }));
  }
  if (!rest.empty()) current = MakeFilter(current, AndAll(rest));
  // Restore the original column order.
  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  project->schema = output_schema;
  project->children = {current};
  for (int i = 0; i < output_schema->num_fields(); ++i) {
    const auto& f = output_schema->field(i);
    project->exprs.push_back(plan::Column(position[i], f->type(), f->name(), f->nullable()));
  }
  return project;
}

}  // namespace

plan::PlanPtr FormJoins(const plan::PlanPtr& node) {
  // Top-down: a whole tree of inner joins (with the filter above it) is rebuilt at once; its
  // relations are optimized as leaves.
  if (node->kind == PlanKind::kFilter && IsInnerJoin(*node->children[0])) {
    std::vector<ExprPtr> conjuncts;
    SplitConjuncts(node->condition, &conjuncts);
    bool correlated = false;
    for (const auto& c : conjuncts) correlated = correlated || HasOuterColumns(c);
    if (!correlated) return Reorder(node->children[0], conjuncts, node->schema);
  }
  if (IsInnerJoin(*node) && !(node->condition && HasOuterColumns(node->condition))) {
    return Reorder(node, {}, node->schema);
  }
  std::vector<PlanPtr> children;
  bool changed = false;
  for (const auto& c : node->children) {
    auto n = FormJoins(c);
    changed |= n != c;
    children.push_back(n);
  }
  if (!changed) return node;
  auto copy = std::make_shared<PlanNode>(*node);
  copy->children = children;
  return copy;
}

}  // namespace basin::optimizer
