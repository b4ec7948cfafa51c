#include "basin/delta/history.h"

#include <stdlib.h>

#include <filesystem>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/delta/detail.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

std::shared_ptr<arrow::Table> Ids(std::vector<int64_t> ids) {
  arrow::Int64Builder b;
  EXPECT_TRUE(b.AppendValues(ids).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {b.Finish().ValueOrDie()});
}

TEST(HistoryTest, FormatsMillis) {
  EXPECT_EQ(FormatMillisUtc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatMillisUtc(946684800123), "2000-01-01T00:00:00.123Z");
}

TEST(HistoryTest, ListsCommitsNewestFirstAndDetail) {
  char tmpl[] = "/tmp/basin-history-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto root = *io::ResolveLocation(dir);
  WriteOptions o;
  o.mode = SaveMode::kAppend;
  o.partition_by = {};
  o.table_properties["delta.appendOnly"] = "false";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(WriteTable(root, Ids({i, i + 10}), o).ok());
  auto history = ReadHistory(root, 2);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 2);
  EXPECT_EQ((*history)[1].version, 1);
  auto row = HistoryRow((*history)[0]);
  EXPECT_EQ(row["operation"], "WRITE");
  EXPECT_EQ(row["readVersion"], 1);
  EXPECT_EQ(row["operationParameters"]["mode"], "Append");
  EXPECT_EQ(row["operationMetrics"]["numOutputRows"], "2");
  EXPECT_EQ(ReadHistory(root)->size(), 3u);

  auto detail = DescribeDetail(root);
  ASSERT_TRUE(detail.ok()) << detail.status().ToString();
  EXPECT_EQ((*detail)["format"], "delta");
  EXPECT_EQ((*detail)["numFiles"], 3);
  EXPECT_EQ((*detail)["minReaderVersion"], 1);
  EXPECT_EQ((*detail)["minWriterVersion"], 2);
  EXPECT_EQ((*detail)["tableFeatures"], nlohmann::json({"appendOnly", "invariants"}));
  EXPECT_EQ((*detail)["properties"]["delta.appendOnly"], "false");
  EXPECT_EQ((*detail)["location"], root.path);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basin::delta
