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

/// Rule: trees of inner and cross joins with the filter above them become left-deep trees of
/// equi-joins: single-relation predicates filter their relation, the largest relation is the
/// probe side and the smallest connected relation joins next (estimates from file statistics).
plan::PlanPtr FormJoins(const plan::PlanPtr& plan);

/// Rule: correlated EXISTS / NOT EXISTS become semi / anti joins, and correlated scalar
/// aggregate subqueries (equality correlation) become an aggregate joined to the outer rows.
plan::PlanPtr DecorrelateSubqueries(const plan::PlanPtr& plan);

/// Rule: joins whose left input is estimated to be much smaller than the right one build the
/// left side (inner and outer joins mirrored; semi/anti joins build their left rows).
plan::PlanPtr ChooseBuildSide(const plan::PlanPtr& plan);

/// Rule: as Spark's NullPropagation, an operator that is null when any argument is null
/// (arithmetic, comparisons, casts, NOT...) with a NULL literal argument becomes a NULL literal,
/// so its other arguments are not evaluated (and cannot fail); CASE branches under a NULL
/// condition and NULL literals in COALESCE are dropped; numeric casts and nullif of constants
/// are computed first, and in a filter or join condition a NULL is false.
plan::PlanPtr PropagateNulls(const plan::PlanPtr& plan);

/// Rule: eager aggregation. An Aggregate (sum, count, min, max) over inner equi-joins whose
/// aggregates read one prefix L of the left-deep join tree is pre-aggregated on L by the columns
/// of L used above it, when the join after L brings a string group key and L's keys are at
/// most two integer-like columns (see push_partial_aggregates.cc).
plan::PlanPtr PushPartialAggregates(const plan::PlanPtr& plan);

/// Rule: a Scan reads only the columns the plan above it uses.
plan::PlanPtr PruneScanColumns(const plan::PlanPtr& plan);

}  // namespace basin::optimizer
