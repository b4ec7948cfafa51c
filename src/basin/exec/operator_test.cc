#include "basin/exec/operator.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <arrow/util/byte_size.h>
#include <gtest/gtest.h>

namespace basin::exec {
namespace {

TEST(BatchBytesTest, SlicesCountOnlyTheRowsTheyReference) {
  arrow::Int64Builder builder;
  for (int64_t i = 0; i < 100000; ++i) ASSERT_TRUE(builder.Append(i).ok());
  auto array = builder.Finish().ValueOrDie();
  auto schema = arrow::schema({arrow::field("x", arrow::int64(), false)});
  auto whole = arrow::RecordBatch::Make(schema, array->length(), {array});
  auto slice = whole->Slice(0, 1000);
  int64_t whole_bytes = BatchBytes(*whole);
  int64_t slice_bytes = BatchBytes(*slice);
  EXPECT_GE(whole_bytes, 800000);
  // A 1% slice must not be charged as the whole buffer (memory accounting would then spill
  // far below the real limit).
  EXPECT_LE(slice_bytes, 8000 + 64);
}

// Flat columns are counted without ReferencedBufferSize's walk: the same number, for slices at
// any bit offset, with and without validity bitmaps.
TEST(BatchBytesTest, FlatColumnsCountAsReferencedBufferSizeDoes) {
  std::vector<std::pair<std::shared_ptr<arrow::DataType>, std::string>> columns = {
      {arrow::int64(), "[1, null, 3, 4, 5, 6, 7, 8, 9, 10, 11]"},
      {arrow::int32(), "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]"},
      {arrow::float64(), "[1.5, null, 3, 4, 5, 6, 7, 8, 9, 10, 11]"},
      {arrow::boolean(), "[true, null, false, true, true, false, true, true, false, true, false]"},
      {arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), "[1, 2, 3, null, 5, 6, 7, 8, 9, 10, 11]"},
      {arrow::decimal128(10, 2),
       R"(["1.00", null, "3.50", "4.00", "5.00", "6.00", "7.00", "8.00", "9.00", "1.00", "2.00"])"},
      {arrow::utf8(), R"(["a", null, "ccc", "", "eeeee", "f", "g", "hh", "i", "j", "kkk"])"},
      {arrow::large_binary(), R"(["a", null, "ccc", "", "eeeee", "f", "g", "hh", "i", "j", "k"])"},
      {arrow::list(arrow::int32()), "[[1], null, [3, 4], [], [5], [6], [7], [8], [9], [1], [2]]"}};
  for (const auto& [type, json] : columns) {
    auto array = arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
    for (int64_t offset : {0, 1, 3, 9}) {
      for (int64_t length : {int64_t{0}, int64_t{1}, array->length() - offset}) {
        auto slice = array->Slice(offset, length);
        auto batch =
            arrow::RecordBatch::Make(arrow::schema({arrow::field("x", type)}), length, {slice});
        auto expected = arrow::util::ReferencedBufferSize(*slice->data()).ValueOrDie();
        EXPECT_EQ(BatchBytes(*batch), expected)
            << type->ToString() << " offset " << offset << " length " << length;
      }
    }
  }
}

}  // namespace
}  // namespace basin::exec
