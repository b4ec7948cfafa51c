#include "basin/delta/deletion_vector.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "basin/delta/partition_value.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {
namespace {

std::string SharedDir() {
  const char* source = std::getenv("BASIN_SOURCE_DIR");
  return std::string(source ? source : ".") + "/../shared/delta-conformance";
}

TEST(DeletionVectorTest, Z85RoundTripAndSpecExample) {
  // ZeroMQ RFC 32's test vector.
  std::string bytes = {char(0x86), 0x4F, char(0xD2), 0x6F, char(0xB5), 0x59, char(0xF7), 0x5B};
  EXPECT_EQ(Z85Encode(bytes), "HelloWorld");
  EXPECT_EQ(Z85Decode("HelloWorld").ValueOrDie(), bytes);
  EXPECT_FALSE(Z85Decode("abc").ok());
  EXPECT_FALSE(Z85Decode("~~~~~").ok());
}

TEST(DeletionVectorTest, InlineWithPartialLastBlock) {
  // From delta-kernel-rs's cdf-table-with-dv: 34 bytes holding the row set {3}.
  DeletionVectorDescriptor dv{"i", "^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093", std::nullopt,
                              34, 1};
  auto rows = LoadDeletionVector(io::Location{}, dv).ValueOrDie();
  EXPECT_EQ(rows.cardinality(), 1u);
  EXPECT_TRUE(rows.contains(uint64_t{3}));
}

TEST(DeletionVectorTest, WriteThenLoad) {
  auto dir = std::filesystem::temp_directory_path() / ("basin_dv_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto root = io::ResolveLocation(dir.string()).ValueOrDie();
  Roaring64Map rows;
  for (uint64_t r : {0ull, 5ull, 70000ull, (1ull << 33) + 7}) rows.add(r);
  auto dv = WriteDeletionVector(root, rows).ValueOrDie();
  EXPECT_EQ(dv.storage_type, "u");
  EXPECT_EQ(dv.cardinality, 4);
  auto loaded = LoadDeletionVector(root, dv).ValueOrDie();
  EXPECT_TRUE(loaded == rows);
  // The same bitmap inline.
  std::string data = SerializeRoaringBitmapArray(rows);
  while (data.size() % 4 != 0) data.push_back('\0');
  DeletionVectorDescriptor inline_dv{"i", Z85Encode(data), std::nullopt,
                                     static_cast<int32_t>(SerializeRoaringBitmapArray(rows).size()), 4};
  EXPECT_TRUE(LoadDeletionVector(root, inline_dv).ValueOrDie() == rows);
  // A wrong cardinality is caught.
  dv.cardinality = 3;
  EXPECT_EQ(ErrorClassOf(LoadDeletionVector(root, dv).status()), "DELTA_CORRUPT_FILE");
  std::filesystem::remove_all(dir);
}

TEST(DeletionVectorTest, ReadsDeltaSparkTableWithDv) {
  auto root = io::ResolveLocation(SharedDir() + "/delta-spark-test-tables/table-with-dv-small")
                  .ValueOrDie();
  auto v0 = Snapshot::Load(root, SnapshotOptions{0, std::nullopt}).ValueOrDie();
  auto v1 = Snapshot::Load(root).ValueOrDie();
  EXPECT_EQ(ReadSnapshot(v0).ValueOrDie()->num_rows(), 10);
  auto rows = ReadSnapshot(v1).ValueOrDie();
  // Version 1 deletes the first and last rows (values 0 and 9).
  ASSERT_EQ(rows->num_rows(), 8);
  auto values = rows->GetColumnByName("value");
  ASSERT_NE(values, nullptr);
  EXPECT_EQ(values->GetScalar(0).ValueOrDie()->ToString(), "1");
}

TEST(PartitionValueTest, ParsesEveryType) {
  EXPECT_EQ(ParsePartitionValue("42", arrow::int32()).ValueOrDie()->ToString(), "42");
  EXPECT_FALSE(ParsePartitionValue(std::nullopt, arrow::int32()).ValueOrDie()->is_valid);
  EXPECT_FALSE(ParsePartitionValue("", arrow::int64()).ValueOrDie()->is_valid);
  EXPECT_EQ(ParsePartitionValue("", arrow::utf8()).ValueOrDie()->ToString(), "");
  EXPECT_EQ(ParsePartitionValue("true", arrow::boolean()).ValueOrDie()->ToString(), "true");
  EXPECT_EQ(ParsePartitionValue("2021-03-04", arrow::date32()).ValueOrDie()->ToString(),
            "2021-03-04");
  auto ts = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  auto a = ParsePartitionValue("2021-03-04 05:06:07.5", ts).ValueOrDie();
  auto b = ParsePartitionValue("2021-03-04T05:06:07.500000Z", ts).ValueOrDie();
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_EQ(ParsePartitionValue("12.50", arrow::decimal128(5, 2)).ValueOrDie()->ToString(), "12.50");
  EXPECT_EQ(ParsePartitionValue("1.5", arrow::float64()).ValueOrDie()->ToString(), "1.5");
  EXPECT_FALSE(ParsePartitionValue("abc", arrow::int32()).ok());
  EXPECT_EQ(UriDecode("a%20b%253A"), "a b%3A");
}

}  // namespace
}  // namespace basin::delta
