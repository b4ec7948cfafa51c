#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using plan::JoinType;
using V = std::vector<std::string>;

PlanPtr Left() {
  return Values({arrow::field("id", arrow::int64()), arrow::field("l", arrow::utf8())},
                {"[1, 2, 2, 3, null]", R"(["a", "b", "c", "d", "e"])"});
}
PlanPtr Right() {
  return Values({arrow::field("rid", arrow::int64()), arrow::field("r", arrow::utf8())},
                {"[2, 3, 3, 4, null]", R"(["x", "y", "z", "w", "n"])"});
}
ExprPtr On() { return Eq(Col(0), Col(2)); }

TEST(JoinOperatorTest, Inner) {
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kInner, On()))),
            (V{"2,b,2,x", "2,c,2,x", "3,d,3,y", "3,d,3,z"}));
}

TEST(JoinOperatorTest, LeftRightFull) {
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kLeft, On()))),
            (V{"1,a,null,null", "2,b,2,x", "2,c,2,x", "3,d,3,y", "3,d,3,z", "null,e,null,null"}));
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kRight, On()))),
            (V{"2,b,2,x", "2,c,2,x", "3,d,3,y", "3,d,3,z", "null,null,4,w", "null,null,null,n"}));
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kFull, On()))),
            (V{"1,a,null,null", "2,b,2,x", "2,c,2,x", "3,d,3,y", "3,d,3,z", "null,e,null,null",
               "null,null,4,w", "null,null,null,n"}));
}

TEST(JoinOperatorTest, SemiAndAnti) {
  EXPECT_EQ(RunPlan(Join(Left(), Right(), JoinType::kLeftSemi, On())), (V{"2,b", "2,c", "3,d"}));
  EXPECT_EQ(RunPlan(Join(Left(), Right(), JoinType::kLeftAnti, On())), (V{"1,a", "null,e"}));
}

TEST(JoinOperatorTest, ResidualConditionAppliesToMatches) {
  // ON id = rid AND r <> 'y'
  auto cond = Logical(plan::ExprKind::kAnd, {On(), Binary("not_equal", "!=", Col(3, arrow::utf8()),
                                                          LitS("y"), arrow::boolean())});
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kLeft, cond))),
            (V{"1,a,null,null", "2,b,2,x", "2,c,2,x", "3,d,3,z", "null,e,null,null"}));
  EXPECT_EQ(RunPlan(Join(Left(), Right(), JoinType::kLeftAnti, cond)), (V{"1,a", "null,e"}));
}

TEST(JoinOperatorTest, NullSafeEqualityMatchesNulls) {
  auto cond = Binary("equal", "<=>", Col(0), Col(2), arrow::boolean());
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kInner, cond))),
            (V{"2,b,2,x", "2,c,2,x", "3,d,3,y", "3,d,3,z", "null,e,null,n"}));
}

TEST(JoinOperatorTest, NestedLoopForNonEquiConditionsAndCross) {
  auto less = Lt(Col(0), Col(2));
  EXPECT_EQ(Sorted(RunPlan(Join(Left(), Right(), JoinType::kFull,
                                Logical(plan::ExprKind::kAnd, {less, Gt(Col(0), Lit(2))})))),
            (V{"1,a,null,null", "2,b,null,null", "2,c,null,null", "3,d,4,w", "null,e,null,null",
               "null,null,2,x", "null,null,3,y", "null,null,3,z", "null,null,null,n"}));
  EXPECT_EQ(RunPlan(Join(Left(), Right(), JoinType::kCross, nullptr)).size(), 25u);
  EXPECT_EQ(RunPlan(Join(Left(), Right(), JoinType::kLeftSemi, less)),
            (V{"1,a", "2,b", "2,c", "3,d"}));
}

TEST(JoinOperatorTest, BroadcastLeftHintBuildsTheLeftSide) {
  for (auto type : {JoinType::kInner, JoinType::kLeft, JoinType::kRight, JoinType::kFull}) {
    auto hinted = std::const_pointer_cast<plan::PlanNode>(Join(Left(), Right(), type, On()));
    auto plain = Join(Left(), Right(), type, On());
    hinted->broadcast_side = "left";
    EXPECT_EQ(Sorted(RunPlan(hinted)), Sorted(RunPlan(plain)));
  }
}

TEST(JoinOperatorTest, MultipleKeysOfDifferentTypes) {
  auto left = Values({arrow::field("s", arrow::utf8()), arrow::field("d", arrow::date32()),
                      arrow::field("b", arrow::boolean())},
                     {R"(["a", "a", "b", null])", "[1, 2, 1, 1]", "[true, false, true, true]"});
  auto right = Values({arrow::field("s2", arrow::utf8()), arrow::field("d2", arrow::date32())},
                      {R"(["a", "b", "b", null])", "[2, 1, 1, 1]"});
  auto cond = Logical(
      plan::ExprKind::kAnd,
      {Binary("equal", "=", Col(0, arrow::utf8()), Col(3, arrow::utf8()), arrow::boolean()),
       Binary("equal", "=", Col(1, arrow::date32()), Col(4, arrow::date32()), arrow::boolean())});
  auto rows = Sorted(RunPlan(Join(left, right, JoinType::kInner, cond)));
  EXPECT_EQ(rows, (V{"a,1970-01-03,false,a,1970-01-03", "b,1970-01-02,true,b,1970-01-02",
                     "b,1970-01-02,true,b,1970-01-02"}));
}

TEST(JoinOperatorTest, EmptySides) {
  auto empty = Filter(Right(), Gt(Col(0), Lit(100)));
  EXPECT_EQ(RunPlan(Join(Left(), empty, JoinType::kInner, On())), V{});
  EXPECT_EQ(RunPlan(Join(Left(), empty, JoinType::kLeft, On())).size(), 5u);
  EXPECT_EQ(RunPlan(Join(Left(), empty, JoinType::kLeftAnti, On())).size(), 5u);
  EXPECT_EQ(RunPlan(Join(empty, Left(), JoinType::kRight, Eq(Col(0), Col(2)))).size(), 5u);
}

TEST(JoinOperatorTest, GracePartitionsUnderATinyMemoryLimit) {
  arrow::Int64Builder left_keys;
  arrow::Int64Builder right_keys;
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(left_keys.Append(i).ok());
  for (int i = 0; i < 3000; i += 2) ASSERT_TRUE(right_keys.Append(i).ok());
  auto left = Values(arrow::Table::Make(arrow::schema({arrow::field("a", arrow::int64())}),
                                        {left_keys.Finish().ValueOrDie()}));
  auto right = Values(arrow::Table::Make(arrow::schema({arrow::field("b", arrow::int64())}),
                                         {right_keys.Finish().ValueOrDie()}));
  ExecOptions options;
  options.batch_size = 256;
  options.memory_limit_bytes = 2048;
  int64_t spills = 0;
  options.progress = [&](const Progress& p) { spills = p.spill_files; };
  auto join = Join(left, right, JoinType::kLeft, Eq(Col(0), Col(1)));
  auto counts =
      Aggregate(join, {}, {Agg("count", {}), Agg("count", {Col(1)}), Agg("sum", {Col(1)})});
  EXPECT_EQ(RunPlan(counts, options), (V{"3000,1500,2248500"}));
  EXPECT_GT(spills, 0);
}

}  // namespace
}  // namespace basin::exec
