#pragma once

// Structural equality of plans and expressions: two trees are equal when they compute the same
// rows in the same way, node by node (kinds, types, column positions, literals, bound functions,
// scan sources with version, options and pushed filters, subquery plans). Readable names of
// expressions and the optimizer's estimates are left out; output schemas (names included) are
// compared. Equal plans that are deterministic give equal results.

#include <cstddef>
#include <unordered_map>

#include "basin/plan/logical_plan.h"

namespace basin::plan {

/// Hashes plans and expressions so that structurally equal trees hash alike; remembers the hash
/// of every plan node it has seen, so hashing all subtrees of a plan takes one pass.
class StructuralHasher {
 public:
  /// Returns the hash of the tree under `node`.
  size_t Hash(const PlanNode& node);
  /// Returns the hash of `expr` (subquery plans included).
  size_t Hash(const Expr& expr);

 private:
  std::unordered_map<const PlanNode*, size_t> plans_;
};

/// Returns whether the trees under `a` and `b` are structurally equal.
bool StructurallyEqual(const PlanNode& a, const PlanNode& b);
/// Returns whether expressions `a` and `b` are structurally equal (null equals only null).
bool StructurallyEqual(const ExprPtr& a, const ExprPtr& b);

/// Returns whether the tree under `node` gives the same rows every time it runs on the same
/// data and can run on its own: no nondeterministic call (rand, uuid, ...), no Python UDF, no
/// sample, and no reference to an enclosing query's row (kOuterColumn), also inside the plans
/// of its subquery expressions.
bool IsSelfContainedAndDeterministic(const PlanNode& node);

}  // namespace basin::plan
