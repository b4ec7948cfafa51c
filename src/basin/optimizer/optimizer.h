#pragma once

// The optimizer: rewrites a resolved logical plan into a cheaper one with the same result. Each
// rule lives in a file of its own; Optimize runs them in order.

#include "basin/base/status.h"
#include "basin/plan/logical_plan.h"

namespace basin::optimizer {

/// Runs every rule over `plan`.
Result<plan::PlanPtr> Optimize(const plan::PlanPtr& plan);

/// Rule: predicates of a Filter directly over a Scan are handed to the scan for file skipping
/// (the Filter stays: skipping is by file statistics, not by row).
plan::PlanPtr PushFiltersIntoScan(const plan::PlanPtr& plan);

/// Rule: a Scan reads only the columns the plan above it uses.
plan::PlanPtr PruneScanColumns(const plan::PlanPtr& plan);

}  // namespace basin::optimizer
