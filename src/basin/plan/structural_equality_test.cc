#include "basin/plan/structural_equality.h"

#include <gtest/gtest.h>

namespace basin::plan {
namespace {

// Each call makes a new function object, as the analyzer binds every call on its own.
std::shared_ptr<const function::BoundScalar> Fn(const std::string& name, TypePtr type,
                                                bool deterministic = true) {
  auto fn = std::make_shared<function::BoundScalar>();
  fn->name = name;
  fn->arg_types = {arrow::int64(), arrow::int64()};
  fn->return_type = std::move(type);
  fn->deterministic = deterministic;
  return fn;
}

std::shared_ptr<const function::BoundAggregate> Sum() {
  auto fn = std::make_shared<function::BoundAggregate>();
  fn->name = "sum";
  fn->arg_types = {arrow::int64()};
  fn->return_type = arrow::int64();
  return fn;
}

ExprPtr Lit(int64_t v) { return Literal(arrow::MakeScalar(v)); }

// What varies between the plans of one test.
struct Spec {
  int64_t version = 3;
  int64_t pushed_bound = 10;
  int64_t factor = 2;
  int summed_column = 1;
  std::string scan_path = "/warehouse/t";
  bool rand_filter = false;
  double literal = 0.0;
  int64_t estimated_rows = 100;
};

// Aggregate [group: #0] [sum(#summed * factor)] over Filter (#2 > bound) over a Delta scan of
// `path` at `version` with the filter pushed, built from scratch (no node is shared).
PlanPtr Build(const Spec& spec) {
  auto table_schema =
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("v", arrow::int64()),
                     arrow::field("w", arrow::int64())});
  auto greater = [&] {
    return Call(Fn(">", arrow::boolean()), {Column(2, arrow::int64(), "w"), Lit(spec.pushed_bound)},
                "(w > bound)");
  };
  auto scan = std::make_shared<PlanNode>();
  scan->kind = PlanKind::kScan;
  scan->schema = table_schema;
  scan->scan.path = spec.scan_path;
  scan->scan.version = spec.version;
  scan->scan.table_schema = table_schema;
  scan->pushed_filters = {greater()};
  scan->estimated_rows = spec.estimated_rows;

  auto filter = std::make_shared<PlanNode>();
  filter->kind = PlanKind::kFilter;
  filter->schema = table_schema;
  filter->children = {scan};
  filter->condition = greater();
  if (spec.rand_filter) {
    auto rand = Call(Fn("rand", arrow::float64(), /*deterministic=*/false), {Lit(42)});
    filter->condition = Call(Fn("<", arrow::boolean()), {rand, Literal(arrow::MakeScalar(0.5))});
  }

  auto aggregate = std::make_shared<PlanNode>();
  aggregate->kind = PlanKind::kAggregate;
  aggregate->schema =
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("s", arrow::int64())});
  aggregate->children = {filter};
  aggregate->group_by = {Column(0, arrow::int64(), "k")};
  auto sum = std::make_shared<Expr>();
  sum->kind = ExprKind::kAggregate;
  sum->type = arrow::int64();
  sum->aggregate = Sum();
  sum->children = {Call(Fn("*", arrow::int64()),
                        {Column(spec.summed_column, arrow::int64(), "v"), Lit(spec.factor)})};
  aggregate->aggregates = {sum};

  auto project = std::make_shared<PlanNode>();
  project->kind = PlanKind::kProject;
  project->schema =
      arrow::schema({arrow::field("k", arrow::int64()), arrow::field("s", arrow::int64()),
                     arrow::field("x", arrow::float64())});
  project->children = {aggregate};
  project->exprs = {Column(0, arrow::int64(), "k"), Column(1, arrow::int64(), "s"),
                    Literal(arrow::MakeScalar(spec.literal))};
  return project;
}

bool Equal(const Spec& a, const Spec& b) {
  const PlanPtr x = Build(a);
  const PlanPtr y = Build(b);
  const bool equal = StructurallyEqual(*x, *y);
  if (equal) {
    StructuralHasher hasher;
    EXPECT_EQ(hasher.Hash(*x), hasher.Hash(*y)) << "equal plans must hash alike";
  }
  return equal;
}

TEST(StructuralEqualityTest, PlansBuiltTwiceAreEqual) {
  EXPECT_TRUE(Equal({}, {}));
  // Readable names and estimates do not matter.
  Spec other_estimate;
  other_estimate.estimated_rows = 7;
  EXPECT_TRUE(Equal({}, other_estimate));
}

TEST(StructuralEqualityTest, DifferentLiteralColumnOrFunctionDiffer) {
  Spec literal;
  literal.factor = 3;
  EXPECT_FALSE(Equal({}, literal));
  Spec column;
  column.summed_column = 2;
  EXPECT_FALSE(Equal({}, column));
  // 0.0 and -0.0 are different values (1 / x tells them apart).
  Spec negative_zero;
  negative_zero.literal = -0.0;
  EXPECT_FALSE(Equal({}, negative_zero));

  auto a = Call(Fn("+", arrow::int64()), {Column(0, arrow::int64(), "a"), Lit(1)});
  auto b = Call(Fn("-", arrow::int64()), {Column(0, arrow::int64(), "a"), Lit(1)});
  auto c = Call(Fn("+", arrow::int64()), {Column(0, arrow::int64(), "other name"), Lit(1)});
  EXPECT_FALSE(StructurallyEqual(a, b));
  EXPECT_TRUE(StructurallyEqual(a, c));
  EXPECT_FALSE(StructurallyEqual(a, CastTo(a, arrow::int32())));
  EXPECT_FALSE(StructurallyEqual(CastTo(a, arrow::int32()), CastTo(a, arrow::int32(), true)));
}

TEST(StructuralEqualityTest, DifferentScanSourceDiffers) {
  Spec version;
  version.version = 4;
  EXPECT_FALSE(Equal({}, version));
  Spec pushed;
  pushed.pushed_bound = 11;
  EXPECT_FALSE(Equal({}, pushed));
  Spec path;
  path.scan_path = "/warehouse/u";
  EXPECT_FALSE(Equal({}, path));

  // The same filters, but not pushed into the scan.
  PlanPtr x = Build({});
  auto y = std::make_shared<PlanNode>(*x);
  auto aggregate = std::make_shared<PlanNode>(*y->children[0]);
  auto filter = std::make_shared<PlanNode>(*aggregate->children[0]);
  auto scan = std::make_shared<PlanNode>(*filter->children[0]);
  scan->pushed_filters.clear();
  filter->children = {scan};
  aggregate->children = {filter};
  y->children = {aggregate};
  EXPECT_FALSE(StructurallyEqual(*x, *y));
  // Reader options count too.
  scan->pushed_filters = x->children[0]->children[0]->children[0]->pushed_filters;
  EXPECT_TRUE(StructurallyEqual(*x, *y));
  scan->scan.options = {{"header", "true"}};
  EXPECT_FALSE(StructurallyEqual(*x, *y));
}

TEST(StructuralEqualityTest, NondeterministicPlansAreEqualButNotDeterministic) {
  Spec rand;
  rand.rand_filter = true;
  EXPECT_TRUE(Equal(rand, rand));                               // equal trees, ...
  EXPECT_FALSE(IsSelfContainedAndDeterministic(*Build(rand)));  // ... but each run differs
  EXPECT_TRUE(IsSelfContainedAndDeterministic(*Build({})));
}

TEST(StructuralEqualityTest, SubqueriesAreComparedByTheirPlans) {
  auto subquery = [](int64_t factor) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kScalarSubquery;
    e->type = arrow::int64();
    Spec spec;
    spec.factor = factor;
    e->subquery = Build(spec);
    return ExprPtr(e);
  };
  EXPECT_TRUE(StructurallyEqual(subquery(2), subquery(2)));
  EXPECT_FALSE(StructurallyEqual(subquery(2), subquery(5)));

  // A correlated subquery (a reference to the enclosing row) never runs on its own.
  auto project = std::make_shared<PlanNode>(*Build({}));
  auto correlated = std::make_shared<Expr>(*subquery(2));
  auto inner = std::make_shared<PlanNode>(*correlated->subquery);
  auto outer = std::make_shared<Expr>();
  outer->kind = ExprKind::kOuterColumn;
  outer->type = arrow::int64();
  outer->column_index = 0;
  inner->exprs[2] = outer;
  correlated->subquery = inner;
  EXPECT_TRUE(IsSelfContainedAndDeterministic(*project));
  project->exprs[2] = correlated;
  EXPECT_FALSE(IsSelfContainedAndDeterministic(*project));
}

}  // namespace
}  // namespace basin::plan
