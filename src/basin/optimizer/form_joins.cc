#include <algorithm>
#include <map>
#include <limits>
#include <set>
#include <string>

#include "basin/optimizer/cardinality.h"
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
      rest = rest ? OrAll({rest, conj}) : conj;
    }
    out.insert(out.end(), common.begin(), common.end());
    // A branch left with nothing is always true: the OR then adds no condition.
    if (rest && !some_branch_empty) out.push_back(rest);
  }
  *conjuncts = out;
}

// An OR over several relations whose every branch restricts relation L implies the OR of those
// restrictions on L alone (Spark's PushExtraPredicateThroughJoin): for TPC-H q07,
// `(n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE')` gives
// `n1 = 'FRANCE' OR n1 = 'GERMANY'` on n1 and the same on n2. The derived conjuncts are added
// (they then filter their relation below the joins); the OR stays for the join.
template <typename LeafOfFn>
void DeriveRelationFilters(std::vector<ExprPtr>* conjuncts,
                           std::vector<std::set<int>>* conjunct_leaves, LeafOfFn leaf_of) {
  const size_t original = conjuncts->size();
  for (size_t c = 0; c < original; ++c) {
    const ExprPtr e = (*conjuncts)[c];
    if (e->kind != plan::ExprKind::kOr || (*conjunct_leaves)[c].size() < 2 || HasSubquery(e) ||
        !plan::IsDeterministic(e)) {
      continue;
    }
    std::vector<ExprPtr> branches;
    Disjuncts(e, &branches);
    const std::set<int> leaves = (*conjunct_leaves)[c];  // a copy: the vector grows below
    for (int l : leaves) {
      if (l < 0) continue;
      ExprPtr derived;
      bool every_branch = true;
      for (const auto& branch : branches) {
        std::vector<ExprPtr> parts, mine;
        SplitConjuncts(branch, &parts);
        for (const auto& part : parts) {
          std::set<int> columns;
          CollectColumns(part, &columns);
          bool only_l = !columns.empty();
          for (int column : columns) only_l = only_l && leaf_of(column) == l;
          if (only_l) mine.push_back(part);
        }
        if (mine.empty()) {
          every_branch = false;
          break;
        }
        ExprPtr restriction = AndAll(mine);
        derived = derived ? OrAll({derived, restriction}) : restriction;
      }
      if (!every_branch || !derived) continue;
      conjuncts->push_back(derived);
      conjunct_leaves->push_back({l});
    }
  }
}

constexpr size_t kMaxExactLeaves = 12;

// The join order after `start` (indexes of the other leaves) minimizing the sum of estimated
// intermediate results over left-deep trees, or empty when there are too many leaves. A set's
// result size does not depend on the order: the product of its relations' rows and of the
// selectivities of the conditions inside it (EquiJoinSelectivity for the column equalities
// between two relations, 0.5 for any other condition). Relations connected to what is joined so far come before cross
// products.
template <typename DomainFn, typename LeafOfFn>
std::vector<int> BestJoinOrder(const std::vector<Leaf>& leaves, size_t start,
                               const std::vector<ExprPtr>& conjuncts,
                               const std::vector<std::set<int>>& conjunct_leaves,
                               const std::vector<bool>& used, DomainFn domain_of,
                               LeafOfFn leaf_of) {
  const size_t n = leaves.size();
  if (n < 3 || n > kMaxExactLeaves) return {};
  // Bit k of a mask stands for leaf others[k].
  std::vector<int> others;
  std::vector<int> bit_of(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (i == start) continue;
    bit_of[i] = static_cast<int>(others.size());
    others.push_back(static_cast<int>(i));
  }
  const size_t m = others.size();
  struct Condition {
    uint32_t mask = 0;  // the leaves it reads, start excluded
    double selectivity = 1;
  };
  std::vector<Condition> conditions;
  // Column equalities between the same two relations form one key (EquiJoinSelectivity).
  std::map<std::pair<int, int>, std::pair<KeySide, KeySide>> keys;
  for (size_t c = 0; c < conjuncts.size(); ++c) {
    if (used[c] || HasSubquery(conjuncts[c]) || conjunct_leaves[c].size() < 2) continue;
    Condition cond;
    bool known = true;
    for (int l : conjunct_leaves[c]) {
      if (l < 0) known = false;
      else if (static_cast<size_t>(l) != start) cond.mask |= 1u << bit_of[l];
    }
    if (!known) continue;
    const auto& e = conjuncts[c];
    if (IsColumnEquality(e) && conjunct_leaves[c].size() == 2) {
      int a = e->children[0]->column_index, b = e->children[1]->column_index;
      if (leaf_of(a) > leaf_of(b)) std::swap(a, b);
      const auto la = static_cast<size_t>(leaf_of(a)), lb = static_cast<size_t>(leaf_of(b));
      auto [it, added] = keys.try_emplace({leaf_of(a), leaf_of(b)});
      auto& [side_a, side_b] = it->second;
      if (added) {
        side_a = KeySide{leaves[la].rows, BaseRows(*leaves[la].plan), {}};
        side_b = KeySide{leaves[lb].rows, BaseRows(*leaves[lb].plan), {}};
      }
      side_a.domain_distinct.push_back(domain_of(a));
      side_b.domain_distinct.push_back(domain_of(b));
      continue;
    }
    cond.selectivity = 0.5;
    conditions.push_back(cond);
  }
  for (const auto& [pair, sides] : keys) {
    Condition cond;
    for (int l : {pair.first, pair.second}) {
      if (static_cast<size_t>(l) != start) cond.mask |= 1u << bit_of[l];
    }
    cond.selectivity = EquiJoinSelectivity(sides.first, sides.second);
    conditions.push_back(cond);
  }
  const uint32_t full = (1u << m) - 1;
  std::vector<double> rows(full + 1, 0);
  for (uint32_t mask = 0; mask <= full; ++mask) {
    double r = leaves[start].rows;
    for (size_t k = 0; k < m; ++k) {
      if (mask & (1u << k)) r *= leaves[static_cast<size_t>(others[k])].rows;
    }
    for (const auto& cond : conditions) {
      if ((cond.mask & mask) == cond.mask) r *= cond.selectivity;
    }
    rows[mask] = std::max(1.0, r);
  }
  // Whether leaf k joins the set `mask` (plus start) through a condition.
  auto connects = [&](size_t k, uint32_t mask) {
    for (size_t c = 0; c < conjuncts.size(); ++c) {
      if (used[c] || HasSubquery(conjuncts[c]) || conjunct_leaves[c].size() < 2) continue;
      if (!conjunct_leaves[c].count(others[k])) continue;
      bool inside = true;
      for (int l : conjunct_leaves[c]) {
        if (l == others[k]) continue;
        inside = inside && l >= 0 && (static_cast<size_t>(l) == start ||
                                      (mask & (1u << bit_of[l])) != 0);
      }
      if (inside) return true;
    }
    return false;
  };
  // cost[mask]: (cross products used, sum of intermediate rows) of the best order of mask.
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<std::pair<int, double>> cost(full + 1, {INT32_MAX, kInf});
  std::vector<int8_t> last(full + 1, -1);
  cost[0] = {0, 0};
  for (uint32_t mask = 1; mask <= full; ++mask) {
    for (size_t k = 0; k < m; ++k) {
      if (!(mask & (1u << k))) continue;
      const uint32_t prev = mask & ~(1u << k);
      if (cost[prev].second == kInf) continue;
      std::pair<int, double> c = {cost[prev].first + (connects(k, prev) ? 0 : 1),
                                  cost[prev].second + rows[mask]};
      if (c < cost[mask]) {
        cost[mask] = c;
        last[mask] = static_cast<int8_t>(k);
      }
    }
  }
  std::vector<int> order(m);
  uint32_t mask = full;
  for (size_t step = m; step-- > 0;) {
    const int k = last[mask];
    order[step] = others[static_cast<size_t>(k)];
    mask &= ~(1u << k);
  }
  return order;
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
  DeriveRelationFilters(&conjuncts, &conjunct_leaves, leaf_of);
  used.resize(conjuncts.size(), false);
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
  // With up to kMaxExactLeaves relations, the order after the first is the one that minimizes
  // the sum of the estimated intermediate results (dynamic programming over subsets); beyond
  // that, a greedy choice: the connected relation giving the smallest next result.
  std::vector<int> order = BestJoinOrder(leaves, start, conjuncts, conjunct_leaves, used,
                                         [&](int column) {
                                           int l = leaf_of(column);
                                           return l < 0 ? -1.0
                                                        : DomainDistinct(*leaves[l].plan,
                                                                         column - leaves[l].offset);
                                         },
                                         leaf_of);
  for (size_t step = 1; step < leaves.size(); ++step) {
    int best = -1;
    bool best_connected = false;
    double best_rows = 0;
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (!order.empty() && static_cast<int>(i) != order[step - 1]) continue;
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
        if (IsColumnEquality(e)) {
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
