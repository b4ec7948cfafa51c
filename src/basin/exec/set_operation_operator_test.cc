#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using plan::SetOpKind;
using V = std::vector<std::string>;

PlanPtr Left() {
  return Values({arrow::field("x", arrow::int64())}, {"[1, 1, 1, 2, null, null, 3]"});
}
PlanPtr Right() { return Values({arrow::field("y", arrow::int64())}, {"[1, 1, null, 4]"}); }

TEST(SetOperationOperatorTest, Union) {
  EXPECT_EQ(RunPlan(SetOp(Left(), Right(), SetOpKind::kUnion, true)).size(), 11u);
  EXPECT_EQ(Sorted(RunPlan(SetOp(Left(), Right(), SetOpKind::kUnion, false))),
            (V{"1", "2", "3", "4", "null"}));
}

TEST(SetOperationOperatorTest, IntersectTreatsNullsAsEqual) {
  EXPECT_EQ(Sorted(RunPlan(SetOp(Left(), Right(), SetOpKind::kIntersect, false))),
            (V{"1", "null"}));
  EXPECT_EQ(Sorted(RunPlan(SetOp(Left(), Right(), SetOpKind::kIntersect, true))),
            (V{"1", "1", "null"}));
}

TEST(SetOperationOperatorTest, Except) {
  EXPECT_EQ(Sorted(RunPlan(SetOp(Left(), Right(), SetOpKind::kExcept, false))), (V{"2", "3"}));
  EXPECT_EQ(Sorted(RunPlan(SetOp(Left(), Right(), SetOpKind::kExcept, true))),
            (V{"1", "2", "3", "null"}));
}

TEST(SetOperationOperatorTest, DistinctNode) {
  auto node = NodeOf(plan::PlanKind::kDistinct, {Left()}, Left()->schema);
  EXPECT_EQ(RunPlan(node), (V{"1", "2", "null", "3"}));
}

}  // namespace
}  // namespace basin::exec
