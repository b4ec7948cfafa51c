#include <algorithm>
#include <map>
#include <set>
#include <string>

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
  bool broadcast = false;  // a broadcast() hint named this side: it stays the build side
};

// Flattens nested inner/cross joins into leaves; their conditions become conjuncts over the
// combined output.
void Flatten(const PlanPtr& node, int offset, std::vector<Leaf>* leaves,
             std::vector<ExprPtr>* conjuncts, bool broadcast = false) {
  if (IsInnerJoin(*node)) {
    int left_width = node->children[0]->schema->num_fields();
    Flatten(node->children[0], offset, leaves, conjuncts, node->broadcast_side == "left");
    Flatten(node->children[1], offset + left_width, leaves, conjuncts,
            node->broadcast_side == "right");
    if (node->condition) {
      std::vector<ExprPtr> parts;
      SplitConjuncts(node->condition, &parts);
      for (const auto& p : parts) {
        conjuncts->push_back(MapColumns(p, [offset](int i) { return i + offset; }));
      }
    }
    return;
  }
  leaves->push_back(Leaf{FormJoins(node), offset, node->schema->num_fields(), 0, broadcast});
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

// An upper bound of the distinct values of output column `column` of `node`, -1 when unknown.
double Distinct(const PlanNode& node, int column) {
  switch (node.kind) {
    case PlanKind::kScan:
      if (column < static_cast<int>(node.column_distinct.size())) return node.column_distinct[column];
      return -1;
    case PlanKind::kFilter:
    case PlanKind::kSort:
    case PlanKind::kLimit: {
      double d = Distinct(*node.children[0], column);
      return d < 0 ? d : std::min(d, Estimate(node));
    }
    case PlanKind::kProject: {
      if (column >= static_cast<int>(node.exprs.size())) return -1;
      const auto& e = node.exprs[column];
      if (e->kind != plan::ExprKind::kColumn) return -1;
      return Distinct(*node.children[0], e->column_index);
    }
    case PlanKind::kJoin: {
      int left = node.children[0]->schema->num_fields();
      if (column < left) return Distinct(*node.children[0], column);
      return Distinct(*node.children[1], column - left);
    }
    default: return -1;
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

void Disjuncts(const ExprPtr& e, std::vector<ExprPtr>* out) {
  if (e->kind == plan::ExprKind::kOr) {
    for (const auto& c : e->children) Disjuncts(c, out);
  } else {
    out->push_back(e);
  }
}

// (A AND B) OR (A AND C) -> A AND (B OR C): conditions common to every branch of an OR are
// pulled out, so that a join key written inside each branch (TPC-H Q19) becomes a join key.
void FactorOrs(std::vector<ExprPtr>* conjuncts) {
  std::vector<ExprPtr> out;
  for (const auto& c : *conjuncts) {
    if (c->kind != plan::ExprKind::kOr) {
      out.push_back(c);
      continue;
    }
    std::vector<ExprPtr> branches;
    Disjuncts(c, &branches);
    std::vector<std::vector<ExprPtr>> parts(branches.size());
    for (size_t b = 0; b < branches.size(); ++b) SplitConjuncts(branches[b], &parts[b]);
    std::vector<ExprPtr> common;
    for (const auto& candidate : parts[0]) {
      std::string key = plan::ToString(*candidate);
      bool everywhere = true;
      for (size_t b = 1; b < parts.size() && everywhere; ++b) {
        bool found = false;
        for (const auto& p : parts[b]) found = found || plan::ToString(*p) == key;
        everywhere = found;
      }
      bool seen = false;
      for (const auto& k : common) seen = seen || plan::ToString(*k) == key;
      if (everywhere && !seen) common.push_back(candidate);
    }
    if (common.empty()) {
      out.push_back(c);
      continue;
    }
    std::set<std::string> common_keys;
    for (const auto& k : common) common_keys.insert(plan::ToString(*k));
    ExprPtr rest;
    bool some_branch_empty = false;
    for (const auto& branch : parts) {
      std::vector<ExprPtr> remaining;
      for (const auto& p : branch) {
        if (!common_keys.count(plan::ToString(*p))) remaining.push_back(p);
      }
      if (remaining.empty()) some_branch_empty = true;
      auto conj = AndAll(remaining);
      if (!conj) continue;
      if (!rest) {
        rest = conj;
      } else {
        auto e = std::make_shared<plan::Expr>();
        e->kind = plan::ExprKind::kOr;
        e->type = arrow::boolean();
        e->children = {rest, conj};
        e->name = "(" + rest->name + " OR " + conj->name + ")";
        rest = e;
      }
    }
    out.insert(out.end(), common.begin(), common.end());
    // A branch left with nothing is always true: the OR then adds no condition.
    if (rest && !some_branch_empty) out.push_back(rest);
  }
  *conjuncts = out;
}

// Rebuilds a tree of inner joins (with the conjuncts of a filter above it) as a left-deep tree:
// the largest relation first, then always the smallest relation connected to it by a condition.
PlanPtr Reorder(const PlanPtr& tree, const std::vector<ExprPtr>& filter_conjuncts,
                const std::shared_ptr<arrow::Schema>& output_schema) {
  std::vector<Leaf> leaves;
  std::vector<ExprPtr> conjuncts;
  Flatten(tree, 0, &leaves, &conjuncts);
  conjuncts.insert(conjuncts.end(), filter_conjuncts.begin(), filter_conjuncts.end());
  FactorOrs(&conjuncts);
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
    // An uncorrelated subquery (q18's `o_orderkey IN (SELECT ...)`) moves with its conjunct.
    if (conjunct_leaves[c].size() != 1 || HasCorrelatedSubquery(conjuncts[c])) continue;
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
  double current_rows = leaves[start].rows;
  // Distinct values of a combined-output column, from its relation (unknown: as many as rows,
  // i.e. the column is taken to be a key).
  auto distinct_of = [&](int column, double rows) {
    int l = leaf_of(column);
    double d = l < 0 ? -1 : Distinct(*leaves[l].plan, column - leaves[l].offset);
    if (d < 0) d = l < 0 ? rows : leaves[l].rows;
    return std::max(1.0, std::min(d, rows));
  };
  for (size_t step = 1; step < leaves.size(); ++step) {
    int best = -1;
    bool best_connected = false;
    double best_rows = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (joined[i]) continue;
      bool connected = false;
      // The smallest output any connecting equality predicts: |cur| * |leaf| / max(distinct).
      double out = current_rows * leaves[i].rows;
      for (size_t c = 0; c < conjuncts.size(); ++c) {
        if (used[c] || !conjunct_leaves[c].count(static_cast<int>(i))) continue;
        bool covered = true;
        bool touches_current = false;
        for (int l : conjunct_leaves[c]) {
          if (l == static_cast<int>(i)) continue;
          if (l < 0 || !joined[l]) covered = false;
          touches_current = true;
        }
        if (!covered || !touches_current) continue;
        connected = true;
        const auto& e = conjuncts[c];
        if (e->kind == plan::ExprKind::kCall && e->scalar && e->scalar->name == "=" &&
            e->children.size() == 2 && e->children[0]->kind == plan::ExprKind::kColumn &&
            e->children[1]->kind == plan::ExprKind::kColumn) {
          int a = e->children[0]->column_index, b = e->children[1]->column_index;
          if (leaf_of(a) == static_cast<int>(i)) std::swap(a, b);
          double da = distinct_of(a, current_rows);
          double db = distinct_of(b, leaves[i].rows);
          out = std::min(out, current_rows * leaves[i].rows / std::max(da, db));
        } else {
          out = std::min(out, current_rows * leaves[i].rows * 0.5);
        }
      }
      if (best < 0 || (connected && !best_connected) ||
          (connected == best_connected && out < best_rows)) {
        best = static_cast<int>(i);
        best_connected = connected;
        best_rows = out;
      }
    }
    current_rows = std::max(1.0, best_rows);
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
    // Hints survive the reordering: a hinted leaf stays the side to broadcast.
    if (leaf.broadcast) {
      join->broadcast_side = "right";
    } else if (current == leaves[start].plan && leaves[start].broadcast) {
      join->broadcast_side = "left";
    }
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
