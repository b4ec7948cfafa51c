#include <gtest/gtest.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using V = std::vector<std::string>;

PlanPtr Generate(PlanPtr child, const std::string& generator, ExprPtr arg, arrow::FieldVector extra,
                 bool outer = false) {
  arrow::FieldVector fields = child->schema->fields();
  for (auto& f : extra) fields.push_back(f);
  auto node = NodeOf(plan::PlanKind::kGenerate, {child}, arrow::schema(fields));
  node->generator = generator;
  node->generator_args = {std::move(arg)};
  node->outer = outer;
  return node;
}

PlanPtr Arrays() {
  return Values(
      {arrow::field("id", arrow::int64()), arrow::field("xs", arrow::list(arrow::int64()))},
      {"[1, 2, 3]", "[[10, null], [], null]"});
}

TEST(GenerateOperatorTest, ExplodeAndOuter) {
  auto xs = Col(1, arrow::list(arrow::int64()));
  EXPECT_EQ(RunPlan(Generate(Arrays(), "explode", xs, {arrow::field("x", arrow::int64())})),
            (V{"1,list<item: int64>[10, null],10", "1,list<item: int64>[10, null],null"}));
  auto outer =
      RunPlan(Generate(Arrays(), "explode_outer", xs, {arrow::field("x", arrow::int64())}));
  ASSERT_EQ(outer.size(), 4u);
  EXPECT_EQ(outer[2].substr(0, 2), "2,");
  EXPECT_EQ(outer[2].substr(outer[2].size() - 5), ",null");
}

TEST(GenerateOperatorTest, PosExplodeOuter) {
  auto xs = Col(1, arrow::list(arrow::int64()));
  auto plan = Generate(Arrays(), "posexplode", xs,
                       {arrow::field("pos", arrow::int32()), arrow::field("x", arrow::int64())},
                       /*outer=*/true);
  auto rows = RunPlan(Project(plan, {Col(0), Col(2, arrow::int32()), Col(3)}));
  EXPECT_EQ(rows, (V{"1,0,10", "1,1,null", "2,null,null", "3,null,null"}));
}

TEST(GenerateOperatorTest, ExplodeMapAndInline) {
  auto maps = Values({arrow::field("m", arrow::map(arrow::utf8(), arrow::int64()))},
                     {R"([[["a", 1], ["b", 2]], null])"});
  auto plan = Generate(maps, "explode", Col(0, arrow::map(arrow::utf8(), arrow::int64())),
                       {arrow::field("key", arrow::utf8()), arrow::field("value", arrow::int64())});
  EXPECT_EQ(RunPlan(Project(plan, {Col(1, arrow::utf8()), Col(2)})), (V{"a,1", "b,2"}));
  auto struct_type =
      arrow::struct_({arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())});
  auto structs = Values({arrow::field("s", arrow::list(struct_type))},
                        {R"([[{"a": 1, "b": "x"}, {"a": 2, "b": null}]])"});
  auto inl = Generate(structs, "inline", Col(0, arrow::list(struct_type)),
                      {arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())});
  EXPECT_EQ(RunPlan(Project(inl, {Col(1), Col(2, arrow::utf8())})), (V{"1,x", "2,null"}));
}

}  // namespace
}  // namespace basin::exec
