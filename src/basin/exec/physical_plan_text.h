#pragma once

// The physical plan of EXPLAIN: the operators BuildOperator makes for a plan, under Spark's
// operator names (BroadcastHashJoin, HashAggregate, TakeOrderedAndProject, ...) and drawn as
// Spark draws a tree (":- " before a child with siblings after it, "+- " before the last).

#include <string>

#include "basin/plan/logical_plan.h"

namespace basin::exec {

/// Returns the operator tree that executing `plan` runs, one operator per line.
std::string PhysicalPlanText(const plan::PlanNode& plan);

}  // namespace basin::exec
