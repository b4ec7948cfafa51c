#include "basin/exec/operator.h"

#include <arrow/api.h>
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

}  // namespace
}  // namespace basin::exec
