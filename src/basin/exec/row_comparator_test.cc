#include "basin/exec/row_comparator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include <arrow/api.h>
#include <arrow/json/from_string.h>

namespace basin::exec {
namespace {

// Random keys of the types sorts meet, with nulls and many ties (few distinct values).
arrow::ArrayVector RandomKeys(int64_t n, uint32_t seed) {
  std::mt19937 random(seed);
  auto pick = [&](int bound) { return static_cast<int64_t>(random() % static_cast<uint32_t>(bound)); };
  auto is_null = [&] { return random() % 7 == 0; };
  arrow::Int8Builder i8;
  arrow::Int16Builder i16;
  arrow::Int32Builder i32;
  arrow::Int64Builder i64;
  arrow::Date32Builder date;
  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), arrow::default_memory_pool());
  arrow::FloatBuilder f32;
  arrow::DoubleBuilder f64;
  arrow::Decimal128Builder dec(arrow::decimal128(38, 4));
  arrow::StringBuilder str;
  arrow::BinaryBuilder bin;
  arrow::BooleanBuilder boolean;
  const double specials[] = {NAN, -0.0, 0.0, INFINITY, -INFINITY, 1.5, -2.25};
  for (int64_t r = 0; r < n; ++r) {
    const int64_t v = pick(9) - 4;
    auto add = [&](auto& b, auto value) {
      ASSERT_TRUE((is_null() ? b.AppendNull() : b.Append(value)).ok());
    };
    add(i8, static_cast<int8_t>(v * 30));
    add(i16, static_cast<int16_t>(v * 8000));
    add(i32, static_cast<int32_t>(v * 500000000));
    add(i64, v * 2000000000000000000LL);
    add(date, static_cast<int32_t>(v * 1000));
    add(ts, v * 86400000000LL);
    add(f32, static_cast<float>(specials[pick(7)]));
    add(f64, specials[pick(7)]);
    add(dec, arrow::Decimal128(v) * arrow::Decimal128("1000000000000000000000000"));
    const std::string text = std::string(static_cast<size_t>(pick(3)), 'a') +
                             std::string(1, static_cast<char>('a' + pick(3))) +
                             (pick(2) ? std::string("\xff") : std::string());
    add(str, text);
    add(bin, text);
    add(boolean, pick(2) == 0);
  }
  arrow::ArrayVector out;
  for (arrow::ArrayBuilder* b : std::vector<arrow::ArrayBuilder*>{&i8, &i16, &i32, &i64, &date, &ts, &f32, &f64, &dec, &str, &bin, &boolean}) {
    out.push_back(b->Finish().ValueOrDie());
  }
  return out;
}

// The order RowComparator gives (stable: ties by position).
std::vector<int64_t> Reference(const arrow::ArrayVector& keys, int64_t n,
                               const std::vector<SortOrder>& orders) {
  std::vector<int64_t> indices(static_cast<size_t>(n));
  std::iota(indices.begin(), indices.end(), 0);
  RowComparator comparator(orders);
  std::stable_sort(indices.begin(), indices.end(), [&](int64_t x, int64_t y) {
    return comparator.Compare(keys, x, keys, y) < 0;
  });
  return indices;
}

TEST(SortIndicesTest, TypedKeysOrderAsRowComparator) {
  const int64_t n = 3000;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    auto all = RandomKeys(n, seed);
    std::mt19937 random(seed * 7919);
    // Two or three keys of random types, directions and null placements; some sliced.
    arrow::ArrayVector keys;
    std::vector<SortOrder> orders;
    const int count = 2 + static_cast<int>(random() % 2);
    const int64_t start = seed % 3 == 0 ? 17 : 0;
    for (int k = 0; k < count; ++k) {
      keys.push_back(all[random() % all.size()]->Slice(start, n - start));
      orders.push_back(SortOrder{random() % 2 == 0, random() % 2 == 0});
    }
    const int64_t length = n - start;
    auto want = Reference(keys, length, orders);
    EXPECT_EQ(SortIndices(keys, length, orders), want) << "seed " << seed;
    auto top = SortIndices(keys, length, orders, 25);
    EXPECT_EQ(top, std::vector<int64_t>(want.begin(), want.begin() + 25)) << "seed " << seed;
  }
}

TEST(SortIndicesTest, NullTypeAndStructKeysUseTheGenericPath) {
  auto nulls = std::make_shared<arrow::NullArray>(4);
  auto ints = arrow::json::ArrayFromJSONString(arrow::int32(), "[3, 1, null, 1]").ValueOrDie();
  auto structs = std::make_shared<arrow::StructArray>(
      arrow::struct_({arrow::field("a", arrow::int32())}), 4, arrow::ArrayVector{ints});
  EXPECT_EQ(SortIndices({nulls, ints}, 4, {SortOrder{true, true}, SortOrder{false, false}}),
            (std::vector<int64_t>{0, 1, 3, 2}));
  EXPECT_EQ(SortIndices({structs}, 4, {SortOrder{true, true}}),
            (std::vector<int64_t>{2, 1, 3, 0}));
}

}  // namespace
}  // namespace basin::exec
