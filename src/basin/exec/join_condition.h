#pragma once

// How a join condition splits into equi-join keys (hashed) and a residual condition (checked on
// each candidate pair). The join operator and the physical plan text both use it, so EXPLAIN
// shows the keys the operator hashes.

#include <vector>

#include "basin/plan/logical_plan.h"

namespace basin::exec {

/// One equi-join key: `left` over the left input, `right` over the right input (its columns
/// numbered from 0).
struct EquiKey {
  plan::ExprPtr left;
  plan::ExprPtr right;
  bool null_safe = false;  ///< <=>: NULL matches NULL
};

/// A join condition split into keys and the rest.
struct JoinCondition {
  std::vector<EquiKey> keys;
  plan::ExprPtr residual;  ///< the other conjuncts (AND), or null
};

/// Splits `node`'s condition: conjuncts `l = r` (or <=>) with `l` over the left input
/// (`left_width` columns) and `r` over the right one become keys when `use_keys` and the join is
/// not a cross join; the others form the residual.
JoinCondition SplitJoinCondition(const plan::PlanNode& node, int left_width, bool use_keys);

}  // namespace basin::exec
