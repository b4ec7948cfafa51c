#include "basin/exec/short_string_keys.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "basin/exec/row_grouper.h"

namespace basin::exec {
namespace {

using Opt = std::optional<std::string>;

#define SSK_CONCAT_INNER(a, b) a##b
#define SSK_CONCAT(a, b) SSK_CONCAT_INNER(a, b)
#define ASSERT_OK(expr) ASSERT_TRUE((expr).ok())
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                              \
  auto SSK_CONCAT(result_, __LINE__) = (rexpr);                        \
  ASSERT_TRUE(SSK_CONCAT(result_, __LINE__).ok())                      \
      << SSK_CONCAT(result_, __LINE__).status().ToString();           \
  lhs = std::move(SSK_CONCAT(result_, __LINE__)).ValueOrDie()

std::shared_ptr<arrow::Array> Strings(const std::vector<Opt>& values,
                                      std::shared_ptr<arrow::DataType> type = arrow::utf8()) {
  std::unique_ptr<arrow::ArrayBuilder> builder;
  EXPECT_TRUE(arrow::MakeBuilder(arrow::default_memory_pool(), type, &builder).ok());
  auto& b = static_cast<arrow::BinaryBuilder&>(*builder);
  for (const auto& v : values) EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  std::shared_ptr<arrow::Array> out;
  EXPECT_TRUE(b.Finish(&out).ok());
  return out;
}

std::shared_ptr<arrow::Array> Ints(const std::vector<std::optional<int32_t>>& values) {
  arrow::Int32Builder b;
  for (const auto& v : values) EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  return b.Finish().ValueOrDie();
}

std::vector<uint32_t> Ids(const std::shared_ptr<arrow::UInt32Array>& ids) {
  std::vector<uint32_t> out;
  for (int64_t i = 0; i < ids->length(); ++i) {
    out.push_back(ids->IsNull(i) ? UINT32_MAX : ids->Value(i));
  }
  return out;
}

// The ids a grouper must give: first appearance order over every batch, nulls a key.
template <typename Key>
std::vector<uint32_t> Expected(const std::vector<Key>& rows, std::map<Key, uint32_t>* seen) {
  std::vector<uint32_t> out;
  for (const auto& key : rows) {
    auto [it, added] = seen->emplace(key, static_cast<uint32_t>(seen->size()));
    out.push_back(it->second);
  }
  return out;
}

TEST(ShortStringKeysTest, PlansOneOrTwoColumnsWithAString) {
  auto one = PlanShortKeyPacking({arrow::utf8()});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->words, std::vector<int>({2}));
  auto two = PlanShortKeyPacking({arrow::binary(), arrow::date32()});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->words, std::vector<int>({1, 0}));
  EXPECT_EQ(two->packed_types.size(), 2u);
  EXPECT_FALSE(PlanShortKeyPacking({arrow::int64()}));  // IntegerKeyGrouper's already
  EXPECT_FALSE(PlanShortKeyPacking({arrow::utf8(), arrow::utf8(), arrow::utf8()}));
  EXPECT_FALSE(PlanShortKeyPacking({arrow::utf8(), arrow::float64()}));
  EXPECT_FALSE(PlanShortKeyPacking({arrow::large_utf8()}));
}

TEST(ShortStringKeysTest, TwoStringColumnsGroupAsStrings) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::utf8(), arrow::utf8()}));
  std::vector<Opt> a = {"A", "N", "R", "A", "", std::nullopt, "", std::nullopt, "N", "1234567"};
  std::vector<Opt> b = {"F", "O", "F", "F", "", "", std::nullopt, std::nullopt, "F", "x"};
  ASSERT_OK_AND_ASSIGN(auto ids, grouper->Consume({Strings(a), Strings(b)}, 10));
  std::map<std::tuple<Opt, Opt>, uint32_t> seen;
  std::vector<std::tuple<Opt, Opt>> rows;
  for (size_t i = 0; i < a.size(); ++i) rows.emplace_back(a[i], b[i]);
  EXPECT_EQ(Ids(ids), Expected(rows, &seen));
  EXPECT_EQ(grouper->num_groups(), 9u);  // "" and null differ
  ASSERT_OK_AND_ASSIGN(auto uniques, grouper->Uniques());
  EXPECT_TRUE(uniques[0]->Equals(*Strings({"A", "N", "R", "", std::nullopt, "", std::nullopt,
                                           "N", "1234567"})));
  EXPECT_TRUE(uniques[1]->Equals(*Strings({"F", "O", "F", "", "", std::nullopt, std::nullopt,
                                           "F", "x"})));
}

TEST(ShortStringKeysTest, EmbeddedZeroBytesAndLengthsAreDistinct) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::binary()}));
  std::vector<Opt> v = {std::string("a"), std::string("a\0", 2), std::string("a\0\0", 3),
                        std::string(""), std::string("\0", 1), std::string("a")};
  ASSERT_OK_AND_ASSIGN(auto ids, grouper->Consume({Strings(v, arrow::binary())}, 6));
  EXPECT_EQ(Ids(ids), std::vector<uint32_t>({0, 1, 2, 3, 4, 0}));
  ASSERT_OK_AND_ASSIGN(auto uniques, grouper->Uniques());
  EXPECT_TRUE(uniques[0]->Equals(*Strings({v[0], v[1], v[2], v[3], v[4]}, arrow::binary())));
}

TEST(ShortStringKeysTest, LoneStringUsesTwoWordsUpToFifteenBytes) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::utf8()}));
  std::vector<Opt> v = {"UNITED KINGDOM", "UNITED STATES", "4-NOT SPECIFIED", "12345678",
                        "123456789", "UNITED KINGDOM", "12345678", "4-NOT SPECIFIED"};
  ASSERT_OK_AND_ASSIGN(auto ids, grouper->Consume({Strings(v)}, 8));
  EXPECT_EQ(Ids(ids), std::vector<uint32_t>({0, 1, 2, 3, 4, 0, 3, 2}));
  ASSERT_OK_AND_ASSIGN(auto uniques, grouper->Uniques());
  EXPECT_TRUE(uniques[0]->Equals(
      *Strings({"UNITED KINGDOM", "UNITED STATES", "4-NOT SPECIFIED", "12345678", "123456789"})));
}

TEST(ShortStringKeysTest, ALongerStringMovesTheGroupsToArrowsGrouperWithTheSameIds) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::utf8(), arrow::int32()}));
  std::map<std::tuple<Opt, std::optional<int32_t>>, uint32_t> seen;
  auto run = [&](const std::vector<Opt>& s, const std::vector<std::optional<int32_t>>& n) {
    ASSERT_OK_AND_ASSIGN(auto ids, grouper->Consume({Strings(s), Ints(n)}, s.size()));
    std::vector<std::tuple<Opt, std::optional<int32_t>>> rows;
    for (size_t i = 0; i < s.size(); ++i) rows.emplace_back(s[i], n[i]);
    EXPECT_EQ(Ids(ids), Expected(rows, &seen));
  };
  run({"a", "b", std::nullopt, "a"}, {1, 1, 2, 1});
  run({"b", "a longer one", "a", std::nullopt}, {1, 3, 2, 2});  // 12 bytes: leaves packing
  run({"a longer one", "c", "a"}, {3, std::nullopt, 1});
  EXPECT_EQ(grouper->num_groups(), seen.size());
  ASSERT_OK_AND_ASSIGN(auto uniques, grouper->Uniques());
  EXPECT_TRUE(uniques[0]->Equals(*Strings({"a", "b", std::nullopt, "a longer one", "a", "c"})));
  EXPECT_TRUE(uniques[1]->Equals(*Ints({1, 1, 2, 3, 2, std::nullopt})));
}

TEST(ShortStringKeysTest, LookupFindsShortKeysAndNeverALongerOne) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::utf8(), arrow::utf8()}));
  ASSERT_OK(grouper->Consume({Strings({"x", "", "y"}), Strings({"1", "2", std::nullopt})}, 3)
                .status());
  // "x1234567" is 8 bytes: too long to pack, so never consumed; its first 7 bytes are "x123456".
  ASSERT_OK_AND_ASSIGN(
      auto ids, grouper->Lookup({Strings({"y", "x", "x1234567", "", "z", ""}),
                                 Strings({std::nullopt, "1", "1", "2", "1", std::nullopt})},
                                6));
  EXPECT_EQ(Ids(ids), std::vector<uint32_t>({2, 0, UINT32_MAX, 1, UINT32_MAX, UINT32_MAX}));
}

TEST(ShortStringKeysTest, SlicedArraysPackFromTheirOffset) {
  ASSERT_OK_AND_ASSIGN(auto grouper, RowGrouper::Make({arrow::utf8()}));
  auto all = Strings({"skip", "me", "b", std::nullopt, "b", "c"});
  ASSERT_OK_AND_ASSIGN(auto ids, grouper->Consume({all->Slice(2)}, 4));
  EXPECT_EQ(Ids(ids), std::vector<uint32_t>({0, 1, 0, 2}));
}

}  // namespace
}  // namespace basin::exec
