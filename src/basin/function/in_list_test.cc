#include "basin/function/in_list.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <arrow/compute/api.h>

namespace basin::function {
namespace {

namespace cp = arrow::compute;

// The item-by-item evaluation the one-pass version replaces: equal, or_kleene, invert.
arrow::Datum ItemByItem(const arrow::Datum& value, const std::vector<arrow::Datum>& items,
                        bool negated) {
  arrow::Datum acc(std::make_shared<arrow::BooleanScalar>(false));
  for (const auto& item : items) {
    auto eq = cp::CallFunction("equal", {value, item}).ValueOrDie();
    acc = cp::CallFunction("or_kleene", {acc, eq}).ValueOrDie();
  }
  if (negated) acc = cp::CallFunction("invert", {acc}).ValueOrDie();
  if (acc.is_scalar()) {
    acc = arrow::MakeArrayFromScalar(*acc.scalar(), value.length()).ValueOrDie();
  }
  return acc;
}

// Random arrays of `type` drawn from a small domain (so items match often; strings of 0 to 12
// bytes, so lists of short items only and lists with longer ones), with nulls, sliced
// at an odd offset; items from the same domain, sometimes a null one, 0 to 20 of them (below
// and above the linear-search limit). Every result must equal the item-by-item one.
void CheckAgainstItemByItem(const std::shared_ptr<arrow::DataType>& type) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 60; ++round) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % 300);
    const int domain = 1 + static_cast<int>(rng() % 40);
    auto random_scalar = [&]() -> std::shared_ptr<arrow::Scalar> {
      const int v = static_cast<int>(rng() % domain) - domain / 2;
      if (arrow::is_base_binary_like(type->id())) {
        std::string s(static_cast<size_t>(std::abs(v) % 13), static_cast<char>('a' + (v & 3)));
        if (v < 0) s += "-";
        return arrow::MakeScalar(type, s).ValueOrDie();
      }
      return arrow::MakeScalar(arrow::int64(), v).ValueOrDie()->CastTo(type).ValueOrDie();
    };
    auto builder = arrow::MakeBuilder(type).ValueOrDie();
    for (int64_t i = 0; i < n + 7; ++i) {
      if (rng() % 6 == 0) {
        ASSERT_TRUE(builder->AppendNull().ok());
      } else {
        ASSERT_TRUE(builder->AppendScalar(*random_scalar()).ok());
      }
    }
    auto array = builder->Finish().ValueOrDie()->Slice(3, n);
    std::vector<arrow::Datum> items;
    const int count = static_cast<int>(rng() % 21);
    for (int k = 0; k < count; ++k) {
      items.emplace_back(rng() % 10 == 0 ? arrow::MakeNullScalar(type) : random_scalar());
    }
    for (bool negated : {false, true}) {
      auto fast = InListOfConstants(arrow::Datum(array), items, negated);
      if (items.empty()) {
        EXPECT_FALSE(fast.has_value());
        continue;
      }
      ASSERT_TRUE(fast.has_value()) << type->ToString();
      auto expected = ItemByItem(arrow::Datum(array), items, negated);
      ASSERT_TRUE(fast->make_array()->Equals(*expected.make_array()))
          << type->ToString() << " round " << round << " items " << count << " negated "
          << negated << "\n got " << fast->make_array()->ToString() << "\n want "
          << expected.make_array()->ToString();
    }
  }
}

TEST(InListTest, MatchesItemByItemComparison) {
  for (const auto& type : {arrow::int8(), arrow::int16(), arrow::int32(), arrow::int64(),
                           arrow::date32(), arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                           arrow::utf8(), arrow::binary(), arrow::large_utf8()}) {
    CheckAgainstItemByItem(type);
  }
}

TEST(InListTest, LeavesOtherCasesToTheCaller) {
  auto doubles = arrow::MakeArrayFromScalar(arrow::DoubleScalar(1.0), 4).ValueOrDie();
  EXPECT_FALSE(InListOfConstants(arrow::Datum(doubles), {arrow::Datum(1.0)}, false));
  auto ints = arrow::MakeArrayFromScalar(arrow::Int32Scalar(1), 4).ValueOrDie();
  // An item of another type, an array item, a scalar value, no items.
  EXPECT_FALSE(InListOfConstants(arrow::Datum(ints), {arrow::Datum(int64_t{1})}, false));
  EXPECT_FALSE(InListOfConstants(arrow::Datum(ints), {arrow::Datum(ints)}, false));
  EXPECT_FALSE(
      InListOfConstants(arrow::Datum(arrow::Int32Scalar(1)), {arrow::Datum(int32_t{1})}, false));
  EXPECT_FALSE(InListOfConstants(arrow::Datum(ints), {}, false));
}

}  // namespace
}  // namespace basin::function
