#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include "basin/exec/test_plans.h"

namespace basin::exec {
namespace {

using namespace test_plans;  // NOLINT
using plan::ScanSource;
using V = std::vector<std::string>;

std::string Corpus() {
  const char* source = std::getenv("BASIN_SOURCE_DIR");
  return std::string(source ? source : ".") + "/../shared/delta-conformance";
}

std::shared_ptr<plan::PlanNode> DeltaScan(const std::string& path, arrow::FieldVector fields,
                                          std::vector<int> projection) {
  auto node = NodeOf(plan::PlanKind::kScan, {}, arrow::schema(fields));
  node->scan.format = ScanSource::Format::kDelta;
  node->scan.path = path;
  node->projection = std::move(projection);
  return node;
}

TEST(ScanOperatorTest, DeltaTableWithProjectionAndDataSkipping) {
  std::string table = Corpus() + "/dat/basic_partitioned/delta";
  if (!std::filesystem::exists(table)) GTEST_SKIP() << "conformance corpus not found";
  // Table schema: letter, number, a_float.
  auto scan = DeltaScan(
      table, {arrow::field("number", arrow::int64()), arrow::field("letter", arrow::utf8())},
      {1, 0});
  EXPECT_EQ(Sorted(RunPlan(scan)), (V{"1,a", "2,b", "3,c", "4,a", "5,e", "6,null"}));
  // number > 4 lets the scan skip files by their statistics; a Filter keeps rows exact.
  scan->pushed_filters = {Gt(Col(0), Lit(4))};
  ExecOptions options;
  int64_t rows_read = 0;
  options.progress = [&](const Progress& p) { rows_read = p.rows_read; };
  EXPECT_EQ(Sorted(RunPlan(Filter(scan, Gt(Col(0), Lit(4))), options)), (V{"5,e", "6,null"}));
  EXPECT_EQ(rows_read, 2);
}

TEST(ScanOperatorTest, DataSkippingSeesThroughIntegerLiteralCasts) {
  std::string table = Corpus() + "/dat/basic_partitioned/delta";
  if (!std::filesystem::exists(table)) GTEST_SKIP() << "conformance corpus not found";
  // `number = 5` on the bigint column arrives as number = CAST(5 AS BIGINT) (an int literal).
  auto scan = DeltaScan(
      table, {arrow::field("number", arrow::int64()), arrow::field("letter", arrow::utf8())},
      {1, 0});
  auto five = plan::CastTo(plan::Literal(std::make_shared<arrow::Int32Scalar>(5)), arrow::int64());
  auto condition = Eq(Col(0), five);
  scan->pushed_filters = {condition};
  ExecOptions options;
  int64_t rows_read = 0;
  options.progress = [&](const Progress& p) { rows_read = p.rows_read; };
  EXPECT_EQ(Sorted(RunPlan(Filter(scan, condition), options)), (V{"5,e"}));
  EXPECT_EQ(rows_read, 1);
}

TEST(ScanOperatorTest, MetadataColumn) {
  std::string table = Corpus() + "/dat/basic_partitioned/delta";
  if (!std::filesystem::exists(table)) GTEST_SKIP() << "conformance corpus not found";
  auto meta_type = arrow::struct_({arrow::field("file_path", arrow::utf8()),
                                   arrow::field("file_name", arrow::utf8()),
                                   arrow::field("file_size", arrow::int64())});
  auto scan = DeltaScan(
      table, {arrow::field("number", arrow::int64()), arrow::field("_metadata", meta_type)}, {1});
  scan->with_metadata_column = true;
  auto result = ExecuteToTable(scan, {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ((*result)->num_rows(), 6);
  auto meta = (*result)->column(1)->chunk(0)->GetScalar(0).ValueOrDie();
  auto name = static_cast<const arrow::StructScalar&>(*meta).value[1]->ToString();
  EXPECT_NE(name.find(".parquet"), std::string::npos) << name;
}

class FileScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("basin-scan-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "pq");
    auto table = MakeTable({arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())},
                           {"[1, 2, null]", R"(["x", null, "z"])"});
    for (int i = 0; i < 2; ++i) {
      auto out = arrow::io::FileOutputStream::Open(
                     (dir_ / "pq" / ("part-" + std::to_string(i) + ".parquet")).string())
                     .ValueOrDie();
      ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out).ok());
      ASSERT_TRUE(out->Close().ok());
    }
    std::ofstream(dir_ / "pq" / "_SUCCESS") << "";
    std::ofstream(dir_ / "data.csv") << "a,b\n1,x\n2,\n";
    std::ofstream(dir_ / "data.json") << "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2}\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  PlanPtr Scan(ScanSource::Format format, const std::string& path,
               std::vector<std::pair<std::string, std::string>> options = {}) {
    auto schema =
        arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::utf8())});
    auto node = NodeOf(plan::PlanKind::kScan, {}, schema);
    node->scan.format = format;
    node->scan.path = (dir_ / path).string();
    node->scan.table_schema = schema;
    node->scan.options = std::move(options);
    return node;
  }

  std::filesystem::path dir_;
};

TEST_F(FileScanTest, ParquetFolderSkipsHiddenFiles) {
  EXPECT_EQ(Sorted(RunPlan(Scan(ScanSource::Format::kParquet, "pq"))),
            (V{"1,x", "1,x", "2,null", "2,null", "null,z", "null,z"}));
}

TEST_F(FileScanTest, ParquetReadsOnlyTheColumnsItReturns) {
  // A file with a nested column between two flat ones: the scan reads the leaves of the
  // columns it returns, in its own order, and a scan of no column only counts the rows.
  auto point =
      arrow::struct_({arrow::field("x", arrow::int32()), arrow::field("y", arrow::utf8())});
  auto fields = arrow::FieldVector{arrow::field("a", arrow::int64()), arrow::field("s", point),
                                   arrow::field("c", arrow::utf8())};
  auto table = MakeTable(fields, {"[1, 2, 3]", R"([{"x": 1, "y": "p"}, null, {"x": 3, "y": null}])",
                                  R"(["u", "v", null])"});
  std::filesystem::create_directories(dir_ / "nested");
  auto out =
      arrow::io::FileOutputStream::Open((dir_ / "nested" / "f.parquet").string()).ValueOrDie();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out).ok());
  ASSERT_TRUE(out->Close().ok());
  auto scan = [&](std::vector<int> projection) {
    arrow::FieldVector wanted;
    for (int i : projection) wanted.push_back(fields[static_cast<size_t>(i)]);
    auto node = NodeOf(plan::PlanKind::kScan, {}, arrow::schema(wanted));
    node->scan.format = ScanSource::Format::kParquet;
    node->scan.path = (dir_ / "nested").string();
    node->scan.table_schema = arrow::schema(fields);
    node->projection = std::move(projection);
    return node;
  };
  EXPECT_EQ(RunPlan(scan({2, 1})),
            (V{"u,{x:int32 = 1, y:string = p}", "v,null", "null,{x:int32 = 3, y:string = null}"}));
  EXPECT_EQ(RunPlan(scan({2})), (V{"u", "v", "null"}));
  auto counted = ExecuteToTable(scan({}), {});
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ((*counted)->num_rows(), 3);
  EXPECT_EQ((*counted)->num_columns(), 0);
}

TEST_F(FileScanTest, CsvWithHeaderAndJsonLines) {
  // As in Spark, an empty CSV field reads as null.
  EXPECT_EQ(RunPlan(Scan(ScanSource::Format::kCsv, "data.csv", {{"header", "true"}})),
            (V{"1,x", "2,null"}));
  EXPECT_EQ(RunPlan(Scan(ScanSource::Format::kJson, "data.json")), (V{"1,x", "2,null"}));
}

}  // namespace
}  // namespace basin::exec
