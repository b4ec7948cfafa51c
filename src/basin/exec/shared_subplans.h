#pragma once

// Finding the subtrees of a query's plan that occur more than once (the analyzer inlines a CTE
// at each reference, so a CTE used twice is two equal subtrees) and are worth computing once,
// as Spark's ReuseExchange and ReuseSubquery do. The plans of subquery expressions count.

#include <unordered_map>
#include <vector>

#include "basin/plan/logical_plan.h"

namespace basin::exec {

/// The groups of structurally equal subtrees (plan/structural_equality.h) of one query that
/// run once: each has at least two occurrences that operators are built for, holds an
/// aggregate, join, window, sort, distinct or filter (rereading a bare scan or values is as
/// cheap as replaying it) and is deterministic and uncorrelated. Only the largest such subtrees
/// are chosen: one nested in an occurrence that is replayed is never built there.
class SharedSubplans {
 public:
  /// Finds the groups in `plan` (the query's root) and in the plans of its subqueries.
  static SharedSubplans Find(const plan::PlanNode& plan);

  /// Returns the group of the subtree at `node` (0 .. size() - 1), or -1 when it runs where it
  /// stands.
  int GroupOf(const plan::PlanNode* node) const {
    if (groups_.empty()) return -1;
    auto it = groups_.find(node);
    return it == groups_.end() ? -1 : it->second;
  }
  /// Returns how many groups there are.
  int size() const { return static_cast<int>(consumers_.size()); }
  /// Returns how many occurrences of `group` are built (the readers of its rows).
  int consumers(int group) const { return consumers_[group]; }

 private:
  std::unordered_map<const plan::PlanNode*, int> groups_;
  std::vector<int> consumers_;
};

}  // namespace basin::exec
