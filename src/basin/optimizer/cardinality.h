#pragma once

// Estimates the optimizer's rules share: output rows of a plan and distinct values of a column,
// from the row counts and min/max statistics scans carry (Delta file statistics), with fixed
// selectivities for filters.

#include <vector>

#include "basin/plan/logical_plan.h"

namespace basin::optimizer {

/// True for `column = column` (the equalities join keys and estimates are made of).
bool IsColumnEquality(const plan::ExprPtr& e);

/// Estimated output rows of `node` (at least 1; 1e6 when nothing is known).
double Estimate(const plan::PlanNode& node);

/// An upper bound of the distinct values of output column `column` of `node`, -1 when unknown.
double Distinct(const plan::PlanNode& node, int column);

/// The distinct values column `column` can hold before any filter (from the scan's min/max
/// bounds), -1 when unknown.
double DomainDistinct(const plan::PlanNode& node, int column);

/// Rows of the relation under `node`'s filters and projections (its scan's rows).
double BaseRows(const plan::PlanNode& node);

/// One side of an equi-join: its estimated rows, its rows before filters, and the domain
/// distinct count (DomainDistinct) of each of its key columns, in key order.
struct KeySide {
  double rows = 1;
  double base_rows = 1;
  std::vector<double> domain_distinct;
};

/// The fraction of row pairs an equi-join keeps. A side whose key may be unique (the product
/// of its columns' domain counts reaches its rows) is taken as a primary key; otherwise the
/// key containment assumption holds on the most selective key column.
double EquiJoinSelectivity(const KeySide& a, const KeySide& b);

}  // namespace basin::optimizer
