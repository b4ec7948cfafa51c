#include "basin/exec/shared_subplans.h"

#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT

std::shared_ptr<arrow::Table> Data() {
  return MakeTable({arrow::field("k", arrow::int64()), arrow::field("v", arrow::int64())},
                   {"[1, 1, 2, 3, 3, 3]", "[10, -1, 20, 30, 31, 32]"});
}

// Aggregate [group: k] [sum(v)] over Filter (v > bound), built anew on every call (as the
// analyzer does for each reference to a CTE).
PlanPtr Totals(int64_t bound = 0) {
  return Aggregate(Filter(Values(Data()), Gt(Col(1), Lit(bound))), {Col(0)},
                   {Agg("sum", {Col(1)})});
}

// Counts shared results computed and replayed while `plan` runs.
struct Counted {
  std::vector<std::string> rows;
  int64_t shared = 0;
  int64_t reused = 0;
};

Counted RunCounted(const PlanPtr& plan, ExecOptions options = {}) {
  Counted out;
  options.progress = [&](const Progress& p) {
    out.shared = p.shared_results;
    out.reused = p.reused_results;
  };
  out.rows = Sorted(RunPlan(plan, options));
  return out;
}

std::vector<std::string> RunWithoutReuse(const PlanPtr& plan) {
  ExecOptions options;
  options.reuse_subplans = false;
  return Sorted(RunPlan(plan, options));
}

TEST(SharedSubplansTest, FindsTheLargestRepeatedSubtreeOnly) {
  auto plan = SetOp(Totals(), Totals(), plan::SetOpKind::kUnion, /*all=*/true);
  auto shared = SharedSubplans::Find(*plan);
  ASSERT_EQ(shared.size(), 1);
  EXPECT_EQ(shared.consumers(0), 2);
  EXPECT_EQ(shared.GroupOf(plan->children[0].get()), 0);
  EXPECT_EQ(shared.GroupOf(plan->children[1].get()), 0);
  // The filters inside run once, within the one occurrence that is computed.
  EXPECT_EQ(shared.GroupOf(plan->children[0]->children[0].get()), -1);
  EXPECT_EQ(shared.GroupOf(plan->children[1]->children[0].get()), -1);
}

TEST(SharedSubplansTest, SkipsCheapDifferentAndNondeterministicSubtrees) {
  // Values alone are as cheap to read again as to replay.
  auto values = SetOp(Values(Data()), Values(Data()), plan::SetOpKind::kUnion, true);
  EXPECT_EQ(SharedSubplans::Find(*values).size(), 0);
  // Different literals: different results.
  auto different = SetOp(Totals(0), Totals(10), plan::SetOpKind::kUnion, true);
  EXPECT_EQ(SharedSubplans::Find(*different).size(), 0);
  // rand(): every reference is computed on its own, as Spark inlines CTEs.
  auto random = [] {
    auto rand = std::make_shared<function::BoundScalar>();
    rand->name = "rand";
    rand->return_type = arrow::float64();
    rand->deterministic = false;
    return Aggregate(Filter(Values(Data()), Lt(plan::Call(rand, {}), LitD(0.5))), {Col(0)},
                     {Agg("count", {})});
  };
  auto nondeterministic = SetOp(random(), random(), plan::SetOpKind::kUnion, true);
  EXPECT_EQ(SharedSubplans::Find(*nondeterministic).size(), 0);
}

TEST(SharedSubplansTest, UnionAllComputesOnceAndReplays) {
  auto plan = SetOp(Totals(), Totals(), plan::SetOpKind::kUnion, /*all=*/true);
  Counted counted = RunCounted(plan);
  EXPECT_EQ(counted.rows, RunWithoutReuse(plan));
  EXPECT_EQ(counted.rows,
            (std::vector<std::string>{"1,10", "1,10", "2,20", "2,20", "3,93", "3,93"}));
  EXPECT_EQ(counted.shared, 1);
  EXPECT_EQ(counted.reused, 1);
}

TEST(SharedSubplansTest, SelfJoinComputesOnce) {
  auto plan = Join(Totals(), Totals(), plan::JoinType::kInner, Eq(Col(0), Col(2)));
  Counted counted = RunCounted(plan);
  EXPECT_EQ(counted.rows, RunWithoutReuse(plan));
  EXPECT_EQ(counted.rows.size(), 3u);
  EXPECT_EQ(counted.shared, 1);
  EXPECT_EQ(counted.reused, 1);
}

TEST(SharedSubplansTest, ScalarSubqueryReplaysTheOuterOccurrence) {
  // TPC-H q15's shape: rows of a CTE whose total equals the CTE's largest total.
  auto max_total = std::make_shared<plan::Expr>();
  max_total->kind = plan::ExprKind::kScalarSubquery;
  max_total->type = arrow::int64();
  max_total->subquery = Aggregate(Totals(), {}, {Agg("sum", {Col(1)})});
  auto plan = Filter(Totals(), Lt(Col(1), max_total));
  Counted counted = RunCounted(plan);
  EXPECT_EQ(counted.rows, RunWithoutReuse(plan));
  EXPECT_EQ(counted.rows, (std::vector<std::string>{"1,10", "2,20", "3,93"}));
  EXPECT_EQ(counted.shared, 1);
  EXPECT_EQ(counted.reused, 1);
}

TEST(SharedSubplansTest, ComputesAgainWhenTheRowsDoNotFit) {
  auto plan = SetOp(Totals(), Totals(), plan::SetOpKind::kUnion, /*all=*/true);
  ExecOptions options;
  options.memory_limit_bytes = 16;  // less than one batch of totals
  Counted counted = RunCounted(plan, options);
  EXPECT_EQ(counted.rows, RunWithoutReuse(plan));
  EXPECT_EQ(counted.shared, 0);
  EXPECT_EQ(counted.reused, 0);
}

TEST(SharedSubplansTest, StreamedSubplanIsKeptAsItIsRead) {
  // A filter (no blocking operator on top) is kept batch by batch as its first reader reads it.
  auto filtered = [] { return Filter(Values(Data()), Gt(Col(1), Lit(0))); };
  auto plan = SetOp(filtered(), filtered(), plan::SetOpKind::kUnion, /*all=*/true);
  ExecOptions options;
  options.batch_size = 2;
  Counted counted = RunCounted(plan, options);
  EXPECT_EQ(counted.rows, RunWithoutReuse(plan));
  EXPECT_EQ(counted.rows.size(), 10u);
  EXPECT_EQ(counted.shared, 1);
  EXPECT_EQ(counted.reused, 1);

  // Under a LIMIT the first reader stops early: nothing more is read, and nothing is kept.
  auto limited = Limit(SetOp(filtered(), filtered(), plan::SetOpKind::kUnion, true), 1);
  counted = RunCounted(limited, options);
  EXPECT_EQ(counted.rows.size(), 1u);
  EXPECT_EQ(counted.shared, 0);
  EXPECT_EQ(counted.reused, 0);
}

TEST(SharedSubplansTest, OffRunsEveryOccurrence) {
  auto plan = SetOp(Totals(), Totals(), plan::SetOpKind::kUnion, /*all=*/true);
  ExecOptions options;
  options.reuse_subplans = false;
  Counted counted = RunCounted(plan, options);
  EXPECT_EQ(counted.rows.size(), 6u);
  EXPECT_EQ(counted.shared, 0);
  EXPECT_EQ(counted.reused, 0);
}

}  // namespace
}  // namespace basin::exec
