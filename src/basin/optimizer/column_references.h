#pragma once

// Reading and rewriting the column references of expressions (not descending into subquery
// plans): what the plan-shape rules need.

#include <functional>
#include <set>

#include "basin/plan/expression.h"

namespace basin::optimizer {

/// Adds the input column positions `expr` reads (kColumn) to `out`.
void CollectColumns(const plan::ExprPtr& expr, std::set<int>* out);

/// Returns true when `expr` has a kOuterColumn reference (outside nested subquery plans).
bool HasOuterColumns(const plan::ExprPtr& expr);

/// Returns true when `expr` holds a subquery expression.
bool HasSubquery(const plan::ExprPtr& expr);

/// Returns true when a plan node (or a node below it) reads a column of an enclosing query.
bool PlanHasOuterColumns(const plan::PlanNode& node);

/// Returns true when `expr` holds a subquery whose plan reads columns of the enclosing query
/// (an uncorrelated subquery can move with the expression; a correlated one cannot).
bool HasCorrelatedSubquery(const plan::ExprPtr& expr);

/// Returns `expr` with every kColumn index i replaced by map(i), and every kOuterColumn index i
/// turned into a kColumn with index outer_map(i) when `outer_map` is given.
plan::ExprPtr MapColumns(const plan::ExprPtr& expr, const std::function<int(int)>& map,
                         const std::function<int(int)>& outer_map = nullptr);

/// Splits `expr` at its ANDs.
void SplitConjuncts(const plan::ExprPtr& expr, std::vector<plan::ExprPtr>* out);

/// Joins `conjuncts` with AND (null when empty).
plan::ExprPtr AndAll(const std::vector<plan::ExprPtr>& conjuncts);

/// Joins `disjuncts` with OR (nullptr when empty).
plan::ExprPtr OrAll(const std::vector<plan::ExprPtr>& disjuncts);

}  // namespace basin::optimizer
