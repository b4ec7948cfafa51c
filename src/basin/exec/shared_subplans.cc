#include "basin/exec/shared_subplans.h"

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "basin/plan/structural_equality.h"

namespace basin::exec {
namespace {

using plan::Expr;
using plan::ExprPtr;
using plan::PlanKind;
using plan::PlanNode;

void ForEachSubquery(const ExprPtr& expr, const std::function<void(const PlanNode&)>& fn) {
  if (!expr) return;
  if (expr->subquery) fn(*expr->subquery);
  for (const auto& child : expr->children) ForEachSubquery(child, fn);
  ForEachSubquery(expr->filter, fn);
  if (expr->window) {
    for (const auto& e : expr->window->partition_by) ForEachSubquery(e, fn);
    for (const auto& key : expr->window->order_by) ForEachSubquery(key.expr, fn);
  }
}

// Calls `fn` with the plan of every subquery expression of `node` itself (not of its children).
void ForEachSubquery(const PlanNode& node, const std::function<void(const PlanNode&)>& fn) {
  for (const auto* list : {&node.exprs, &node.group_by, &node.aggregates, &node.generator_args,
                           &node.pushed_filters}) {
    for (const auto& e : *list) ForEachSubquery(e, fn);
  }
  ForEachSubquery(node.condition, fn);
  for (const auto& key : node.sort_keys) ForEachSubquery(key.expr, fn);
}

// Nodes that BuildOperator does not build on their own: the projections and the sort below a
// Limit that become one top-N sort. Occurrences there are not readers of a shared result.
void MarkTopNNodes(const PlanNode& node, std::unordered_set<const PlanNode*>* bypassed) {
  if (node.kind != PlanKind::kLimit || node.limit < 0 || node.children.empty()) return;
  std::vector<const PlanNode*> chain;
  const PlanNode* below = node.children[0].get();
  while (below && below->kind == PlanKind::kProject && !below->children.empty()) {
    chain.push_back(below);
    below = below->children[0].get();
  }
  if (!below || below->kind != PlanKind::kSort) return;
  chain.push_back(below);
  bypassed->insert(chain.begin(), chain.end());
}

// Walks the tree as operators get built: each node (preorder), then its subqueries' plans and
// its children, unless `visit` returns false for the node.
void Walk(const PlanNode& node, const std::function<bool(const PlanNode&)>& visit) {
  if (!visit(node)) return;
  ForEachSubquery(node, [&](const PlanNode& subquery) { Walk(subquery, visit); });
  for (const auto& child : node.children) {
    if (child) Walk(*child, visit);
  }
}

// Whether computing the tree costs more than replaying its rows: rereading a scan (without
// filters) or literal rows, projected or limited, is about as cheap as replaying them.
bool WorthSharing(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kAggregate:
    case PlanKind::kJoin:
    case PlanKind::kWindow:
    case PlanKind::kSort:
    case PlanKind::kDistinct:
    case PlanKind::kFilter:
      return true;
    case PlanKind::kSetOp:
      if (node.set_op != plan::SetOpKind::kUnion || !node.all) return true;
      break;
    case PlanKind::kScan:
      if (!node.pushed_filters.empty()) return true;
      break;
    default:
      break;
  }
  for (const auto& child : node.children) {
    if (child && WorthSharing(*child)) return true;
  }
  return false;
}

int64_t TreeSize(const PlanNode& node) {
  int64_t size = 1;
  for (const auto& child : node.children) size += child ? TreeSize(*child) : 0;
  return size;
}

}  // namespace

SharedSubplans SharedSubplans::Find(const PlanNode& root) {
  SharedSubplans result;
  // Every node where an operator may be built, with its structural hash.
  std::unordered_set<const PlanNode*> bypassed;
  std::vector<const PlanNode*> positions;
  plan::StructuralHasher hasher;
  std::unordered_map<size_t, std::vector<const PlanNode*>> by_hash;
  Walk(root, [&](const PlanNode& node) {
    MarkTopNNodes(node, &bypassed);
    if (node.kind == PlanKind::kScan || node.kind == PlanKind::kValues ||
        node.kind == PlanKind::kRange || bypassed.count(&node)) {
      return true;  // never worth sharing alone
    }
    by_hash[hasher.Hash(node)].push_back(&node);
    return true;
  });

  // Candidate groups: equal trees (same hash, then compared) that occur at least twice.
  struct Candidate {
    std::vector<const PlanNode*> nodes;
    int64_t size = 0;
  };
  std::vector<Candidate> candidates;
  for (auto& [hash, nodes] : by_hash) {
    if (nodes.size() < 2) continue;
    std::vector<Candidate> same_hash;
    for (const PlanNode* node : nodes) {
      auto it = std::find_if(same_hash.begin(), same_hash.end(), [&](const Candidate& c) {
        return plan::StructurallyEqual(*c.nodes[0], *node);
      });
      if (it == same_hash.end()) {
        same_hash.push_back({{node}, 0});
      } else {
        it->nodes.push_back(node);
      }
    }
    for (auto& c : same_hash) {
      if (c.nodes.size() < 2 || !WorthSharing(*c.nodes[0]) ||
          !plan::IsSelfContainedAndDeterministic(*c.nodes[0])) {
        continue;
      }
      c.size = TreeSize(*c.nodes[0]);
      candidates.push_back(std::move(c));
    }
  }
  if (candidates.empty()) return result;

  // Larger trees first: once a tree is chosen, the trees inside its replayed occurrences are
  // never built, so a smaller candidate counts only the occurrences that still get built.
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.size > b.size; });
  std::unordered_map<const PlanNode*, int> candidate_of;
  for (size_t i = 0; i < candidates.size(); ++i) {
    for (const PlanNode* node : candidates[i].nodes) candidate_of[node] = static_cast<int>(i);
  }
  std::vector<int> chosen_group(candidates.size(), -1);
  for (size_t i = 0; i < candidates.size(); ++i) {
    int built = 0;
    std::vector<bool> seen(candidates.size(), false);
    Walk(root, [&](const PlanNode& node) {
      auto it = candidate_of.find(&node);
      if (it == candidate_of.end()) return true;
      const int c = it->second;
      if (c == static_cast<int>(i)) ++built;
      if (chosen_group[c] < 0) return true;
      // A chosen tree: its first occurrence is built, the others replay it.
      if (seen[c]) return false;
      seen[c] = true;
      return true;
    });
    if (built < 2) continue;
    chosen_group[i] = static_cast<int>(result.consumers_.size());
    result.consumers_.push_back(built);
    for (const PlanNode* node : candidates[i].nodes) result.groups_[node] = chosen_group[i];
  }
  return result;
}

}  // namespace basin::exec
