#include "basin/format/partition_path.h"

#include <gtest/gtest.h>

namespace basin::format {
namespace {

using Values = std::vector<std::optional<std::string>>;

// Folder names as Spark 4.2 wrote them for the same values.
TEST(PartitionPathTest, EscapesAsSparkDoes) {
  EXPECT_EQ(EscapePartitionPathName("a/b:c%d=e f#?*[]^{}'\"\\é<>|"),
            "a%2Fb%3Ac%25d%3De f%23%3F%2A%5B%5D%5E%7B}%27%22%5Cé<>|");
  EXPECT_EQ(EscapePartitionPathName("2024-01-01 10:00:00.5"), "2024-01-01 10%3A00%3A00.5");
  EXPECT_EQ(EscapePartitionPathName(std::string("a\nb\x7f", 4)), "a%0Ab%7F");
  EXPECT_EQ(EscapePartitionPathName("plain-value_1.0"), "plain-value_1.0");
}

TEST(PartitionPathTest, UnescapeUndoesEscape) {
  for (const std::string v : {"a/b:c%d=e f#?*[]^{}'\"\\é<>|", "%", "100%", "%4", "x%41"}) {
    EXPECT_EQ(UnescapePartitionPathName(EscapePartitionPathName(v)), v) << v;
  }
  EXPECT_EQ(UnescapePartitionPathName("%41%zz%4"), "A%zz%4");
}

TEST(PartitionPathTest, FolderOfValues) {
  EXPECT_EQ(PartitionFolder({"d", "p"}, {std::string("2024-01-01"), std::string("a/b")}),
            "d=2024-01-01/p=a%2Fb");
  EXPECT_EQ(PartitionFolder({"p", "q"}, {std::nullopt, std::string("")}),
            "p=__HIVE_DEFAULT_PARTITION__/q=__HIVE_DEFAULT_PARTITION__");
}

TEST(PartitionPathTest, ParsesFoldersOfAFile) {
  auto parts = ParsePartitionFolders("d=2024-01-01/p=a%2Fb/part-0.parquet");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "d");
  EXPECT_EQ(parts[0].value, "2024-01-01");
  EXPECT_EQ(parts[1].name, "p");
  EXPECT_EQ(parts[1].value, "a/b");
  auto null_value = ParsePartitionFolders("p=__HIVE_DEFAULT_PARTITION__/f.json");
  ASSERT_EQ(null_value.size(), 1u);
  EXPECT_FALSE(null_value[0].value.has_value());
  EXPECT_TRUE(ParsePartitionFolders("part-0.parquet").empty());
  // The walk from the file outwards stops at the first plain folder after a partition folder.
  auto inner = ParsePartitionFolders("a=1/plain/b=2/f.csv");
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].name, "b");
  // A plain folder next to the file does not stop the walk.
  auto outer = ParsePartitionFolders("a=1/plain/f.csv");
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0].name, "a");
}

// Types Spark 4.2 inferred for the same folder values.
TEST(PartitionPathTest, InfersTypesAsSparkDoes) {
  EXPECT_TRUE(InferPartitionType({"1", "-2"})->Equals(*arrow::int32()));
  EXPECT_TRUE(InferPartitionType({"1", "3000000000"})->Equals(*arrow::int64()));
  EXPECT_TRUE(InferPartitionType({"1.5", "2"})->Equals(*arrow::float64()));
  EXPECT_TRUE(
      InferPartitionType({"123456789012345678901234", "1"})->Equals(*arrow::decimal128(24, 0)));
  EXPECT_TRUE(InferPartitionType({"1.0E20"})->Equals(*arrow::decimal128(21, 0)));
  EXPECT_TRUE(InferPartitionType({"2024-01-01"})->Equals(*arrow::date32()));
  // An impossible date is a string; a date and a timestamp widen to a timestamp.
  EXPECT_TRUE(InferPartitionType({"2024-01-01", "2024-02-30"})->Equals(*arrow::utf8()));
  auto timestamp = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  EXPECT_TRUE(InferPartitionType({"2024-01-01 10:00:00", "2024-01-01"})->Equals(*timestamp));
  EXPECT_TRUE(InferPartitionType({"2024-01-01 10:00:00.5"})->Equals(*timestamp));
  // Spark's partition timestamp pattern allows one fraction digit only.
  EXPECT_TRUE(InferPartitionType({"2024-01-01 10:00:00.123"})->Equals(*arrow::utf8()));
  EXPECT_TRUE(InferPartitionType({"1", "x"})->Equals(*arrow::utf8()));
  EXPECT_TRUE(InferPartitionType({"2", "2024-01-01"})->Equals(*arrow::utf8()));
  EXPECT_TRUE(InferPartitionType({std::nullopt, "7"})->Equals(*arrow::int32()));
  EXPECT_TRUE(InferPartitionType({std::nullopt})->Equals(*arrow::null()));
}

TEST(PartitionPathTest, DiscoversColumnsAcrossFiles) {
  auto columns = DiscoverPartitionColumns({"x=1/y=__HIVE_DEFAULT_PARTITION__/a.parquet",
                                           "x=__HIVE_DEFAULT_PARTITION__/y=b/b.parquet",
                                           "x=2/y=2024-01-01/c.parquet"});
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->size(), 2u);
  EXPECT_EQ((*columns)[0].name, "x");
  EXPECT_TRUE((*columns)[0].type->Equals(*arrow::int32()));
  EXPECT_EQ((*columns)[1].name, "y");
  EXPECT_TRUE((*columns)[1].type->Equals(*arrow::utf8()));
  EXPECT_TRUE(DiscoverPartitionColumns({"a.parquet", "b.parquet"})->empty());
}

TEST(PartitionPathTest, ConflictingFolderLayoutsFail) {
  auto columns = DiscoverPartitionColumns({"a=1/b=1/f.parquet", "a=1/g.parquet"});
  ASSERT_FALSE(columns.ok());
  EXPECT_NE(columns.status().message().find("CONFLICTING_PARTITION_COLUMN_NAMES"),
            std::string::npos)
      << columns.status().ToString();
}

}  // namespace
}  // namespace basin::format
