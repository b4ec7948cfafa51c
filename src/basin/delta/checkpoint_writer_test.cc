#include "basin/delta/checkpoint_writer.h"

#include <cstdlib>

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

namespace basin::delta {
namespace {

std::string SharedDir() {
  const char* source = std::getenv("BASIN_SOURCE_DIR");
  return std::string(source ? source : ".") + "/../shared/delta-conformance";
}

// Drops field names of map entries and list elements, which writers name differently.
std::string Shape(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::MAP: {
      const auto& m = static_cast<const arrow::MapType&>(type);
      return "map<" + Shape(*m.key_type()) + "," + Shape(*m.item_type()) + ">";
    }
    case arrow::Type::LIST:
      return "list<" + Shape(*static_cast<const arrow::ListType&>(type).value_type()) + ">";
    case arrow::Type::STRUCT: {
      std::string out = "struct<";
      for (const auto& f : type.fields()) out += f->name() + ":" + Shape(*f->type()) + ",";
      return out + ">";
    }
    default:
      return type.ToString();
  }
}

TEST(CheckpointWriterTest, SchemaMatchesDeltaSparkCheckpoint) {
  std::string path = SharedDir() +
                     "/delta-golden-tables/checkpoint/delta/_delta_log/"
                     "00000000000000000010.checkpoint.parquet";
  auto file = arrow::io::ReadableFile::Open(path);
  ASSERT_TRUE(file.ok()) << "conformance data not found: " << path;
  auto reader = parquet::arrow::OpenFile(*file, arrow::default_memory_pool());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::shared_ptr<arrow::Schema> spark;
  ASSERT_TRUE((*reader)->GetSchema(&spark).ok());
  auto ours = CheckpointSchema();
  ASSERT_EQ(ours->num_fields(), spark->num_fields());
  for (const auto& f : spark->fields()) {
    auto mine = ours->GetFieldByName(f->name());
    ASSERT_NE(mine, nullptr) << f->name();
    // delta-spark's schema has deletionVector.maxRowIndex too; ours matches it field by field.
    EXPECT_EQ(Shape(*mine->type()), Shape(*f->type())) << f->name();
  }
}

TEST(CheckpointWriterTest, ParsesIntervals) {
  EXPECT_EQ(*ParseIntervalMs("interval 1 week"), 604'800'000);
  EXPECT_EQ(*ParseIntervalMs("interval 168 hours"), 604'800'000);
  EXPECT_EQ(*ParseIntervalMs("7 days"), 604'800'000);
  EXPECT_EQ(*ParseIntervalMs("INTERVAL 2 HOURS 30 minutes"), 9'000'000);
  EXPECT_FALSE(ParseIntervalMs("a while").ok());
  EXPECT_EQ(*DeletedFileRetentionMs({}), 604'800'000);
  EXPECT_EQ(CheckpointInterval({}), 10);
  EXPECT_EQ(CheckpointInterval({{"delta.checkpointInterval", "3"}}), 3);
}

}  // namespace
}  // namespace basin::delta
