#pragma once

// Copies of expressions whose input column references point elsewhere.

#include <functional>

#include "basin/plan/expression.h"

namespace basin::exec {

/// A copy of `expr` in which each input column reference (kColumn) reads column `map(index)`;
/// children and aggregate FILTER clauses included.
plan::ExprPtr RemapColumns(const plan::ExprPtr& expr, const std::function<int(int)>& map);

}  // namespace basin::exec
