#pragma once

// Estimates the optimizer's rules share: output rows of a plan and distinct values of a column,
// from the row counts and min/max statistics scans carry (Delta file statistics), with fixed
// selectivities for filters.

#include "basin/plan/logical_plan.h"

namespace basin::optimizer {

/// Estimated output rows of `node` (at least 1; 1e6 when nothing is known).
double Estimate(const plan::PlanNode& node);

/// An upper bound of the distinct values of output column `column` of `node`, -1 when unknown.
double Distinct(const plan::PlanNode& node, int column);

}  // namespace basin::optimizer
