#include "basin/delta/convert.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <parquet/arrow/writer.h>

#include "basin/delta/row_changes.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-convert-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return dir_; }
  io::Location At(const std::string& name) const { return *io::ResolveLocation(dir_ + "/" + name); }

 private:
  std::string dir_;
};

void WriteParquet(const std::string& path, const std::shared_ptr<arrow::Table>& table) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 1024).ok());
  ASSERT_TRUE(out->Close().ok());
}

std::shared_ptr<arrow::Table> IdName(const std::vector<std::optional<int64_t>>& ids,
                                     const std::vector<std::optional<std::string>>& names) {
  arrow::Int64Builder id;
  arrow::StringBuilder name;
  for (const auto& i : ids) EXPECT_TRUE((i ? id.Append(*i) : id.AppendNull()).ok());
  for (const auto& n : names) EXPECT_TRUE((n ? name.Append(*n) : name.AppendNull()).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64()),
                                           arrow::field("name", arrow::utf8())}),
                            {id.Finish().ValueOrDie(), name.Finish().ValueOrDie()});
}

std::shared_ptr<arrow::Table> Ids(const std::vector<int64_t>& ids) {
  arrow::Int64Builder id;
  EXPECT_TRUE(id.AppendValues(ids).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {id.Finish().ValueOrDie()});
}

nlohmann::json CommitInfoOf(const io::Location& root, int64_t version) {
  auto text = *io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(version) + ".json"));
  return nlohmann::json::parse(text.substr(0, text.find('\n')))["commitInfo"];
}

TEST(ConvertTest, ConvertsAFlatFolderWithStatistics) {
  TempDir dir;
  auto root = dir.At("flat");
  WriteParquet(root.path + "/a.parquet", IdName({1, 2, std::nullopt}, {"x", std::nullopt, "z"}));
  WriteParquet(root.path + "/b.parquet", IdName({3}, {"w"}));
  // Hidden files are no data.
  std::ofstream(root.path + "/_SUCCESS") << "";
  std::ofstream(root.path + "/.a.parquet.crc") << "crc";
  auto r = ConvertToDelta(root);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 0);
  EXPECT_FALSE(r->already_delta);
  EXPECT_EQ(r->num_converted_files, 2);

  auto snapshot = *Snapshot::Load(root);
  EXPECT_EQ(snapshot->protocol().min_reader_version, 1);
  EXPECT_EQ(snapshot->protocol().min_writer_version, 2);
  ASSERT_EQ(snapshot->files().size(), 2u);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 4);
  for (const auto& f : snapshot->files()) {
    ASSERT_TRUE(f.stats.has_value());
    auto stats = nlohmann::json::parse(*f.stats);
    if (f.path == "a.parquet") {
      EXPECT_EQ(stats["numRecords"], 3);
      EXPECT_EQ(stats["minValues"]["id"], 1);
      EXPECT_EQ(stats["maxValues"]["name"], "z");
      EXPECT_EQ(stats["nullCount"]["id"], 1);
    }
  }
  auto ci = CommitInfoOf(root, 0);
  EXPECT_EQ(ci["operation"], "CONVERT");
  EXPECT_EQ(ci["isBlindAppend"], false);
  EXPECT_EQ(ci["operationParameters"]["numFiles"], 2);
  EXPECT_EQ(ci["operationParameters"]["partitionedBy"], "[]");
  EXPECT_EQ(ci["operationParameters"]["collectStats"], true);
  EXPECT_EQ(ci["operationParameters"]["sourceFormat"], "parquet");
  EXPECT_EQ(ci["operationMetrics"]["numConvertedFiles"], "2");

  // Converting again does nothing.
  auto again = ConvertToDelta(root);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_delta);
  EXPECT_EQ((*Snapshot::Load(root))->version(), 0);

  // The converted table is a table like any other.
  ASSERT_TRUE(DeleteWhere(root, "id = 3").ok());
  EXPECT_EQ(ReadSnapshot(*Snapshot::Load(root)).ValueOrDie()->num_rows(), 3);
}

TEST(ConvertTest, PartitionedFolders) {
  TempDir dir;
  auto root = dir.At("part");
  WriteParquet(root.path + "/p=a/q=1/x.parquet", Ids({1}));
  WriteParquet(root.path + "/p=b%3Dc/q=2/y.parquet", Ids({2, 3}));
  WriteParquet(root.path + "/p=__HIVE_DEFAULT_PARTITION__/q=3/z.parquet", Ids({4}));

  auto unpartitioned = ConvertToDelta(root);
  EXPECT_EQ(ErrorClassOf(unpartitioned.status()),
            "DELTA_UNEXPECTED_NUM_PARTITION_COLUMNS_FROM_FILE_NAME");
  EXPECT_NE(unpartitioned.status().message().find("Expecting 0 partition column(s): [], but "
                                                  "found 2 partition column(s): [`p`, `q`]"),
            std::string::npos)
      << unpartitioned.status().message();
  ConvertOptions wrong_name;
  wrong_name.partition_schema = arrow::schema(
      {arrow::field("p", arrow::utf8()), arrow::field("r", arrow::int32())});
  EXPECT_EQ(ErrorClassOf(ConvertToDelta(root, wrong_name).status()),
            "DELTA_UNEXPECTED_PARTITION_COLUMN_FROM_FILE_NAME");
  ConvertOptions wrong_type;
  wrong_type.partition_schema = arrow::schema(
      {arrow::field("p", arrow::int32()), arrow::field("q", arrow::int32())});
  EXPECT_EQ(ErrorClassOf(ConvertToDelta(root, wrong_type).status()),
            "DELTA_FAILED_CAST_PARTITION_VALUE");
  EXPECT_FALSE(std::filesystem::exists(root.path + "/_delta_log/" + VersionStem(0) + ".json"));

  ConvertOptions options;
  options.partition_schema = arrow::schema(
      {arrow::field("p", arrow::utf8()), arrow::field("q", arrow::int32())});
  auto r = ConvertToDelta(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto snapshot = *Snapshot::Load(root);
  EXPECT_EQ(snapshot->metadata().partition_columns, (std::vector<std::string>{"p", "q"}));
  ASSERT_EQ(snapshot->schema()->num_fields(), 3);
  EXPECT_EQ(snapshot->schema()->field(0)->name(), "id");
  EXPECT_EQ(snapshot->schema()->field(2)->name(), "q");
  auto table = ReadSnapshot(snapshot).ValueOrDie()->CombineChunks().ValueOrDie();
  ASSERT_EQ(table->num_rows(), 4);
  std::map<int64_t, std::pair<std::optional<std::string>, int32_t>> rows;
  auto ids = std::static_pointer_cast<arrow::Int64Array>(table->GetColumnByName("id")->chunk(0));
  auto ps = std::static_pointer_cast<arrow::StringArray>(table->GetColumnByName("p")->chunk(0));
  auto qs = std::static_pointer_cast<arrow::Int32Array>(table->GetColumnByName("q")->chunk(0));
  for (int64_t i = 0; i < table->num_rows(); ++i) {
    rows[ids->Value(i)] = {ps->IsNull(i) ? std::nullopt : std::optional(ps->GetString(i)),
                           qs->Value(i)};
  }
  EXPECT_EQ(rows[1].first, "a");
  EXPECT_EQ(rows[3].first, "b=c");
  EXPECT_EQ(rows[3].second, 2);
  EXPECT_EQ(rows[4].first, std::nullopt);
  auto ci = CommitInfoOf(root, 0);
  EXPECT_EQ(ci["operationParameters"]["partitionedBy"], "[\"p\",\"q\"]");
}

TEST(ConvertTest, SchemasAreMergedOrRefused) {
  TempDir dir;
  auto merged = dir.At("merged");
  WriteParquet(merged.path + "/a.parquet", Ids({1}));
  WriteParquet(merged.path + "/b.parquet", IdName({2}, {"n"}));
  ASSERT_TRUE(ConvertToDelta(merged).ok());
  auto snapshot = *Snapshot::Load(merged);
  EXPECT_EQ(snapshot->schema()->num_fields(), 2);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 2);

  auto mismatch = dir.At("mismatch");
  WriteParquet(mismatch.path + "/a.parquet", Ids({1}));
  arrow::StringBuilder text;
  ASSERT_TRUE(text.Append("x").ok());
  WriteParquet(mismatch.path + "/b.parquet",
               arrow::Table::Make(arrow::schema({arrow::field("id", arrow::utf8())}),
                                  {text.Finish().ValueOrDie()}));
  auto r = ConvertToDelta(mismatch);
  EXPECT_EQ(ErrorClassOf(r.status()), "DELTA_FAILED_MERGE_SCHEMA_FILE");
  EXPECT_NE(r.status().message().find(" |-- id: string (nullable = true)"), std::string::npos)
      << r.status().message();
}

TEST(ConvertTest, EmptyAndMissingFolders) {
  TempDir dir;
  auto empty = dir.At("empty");
  std::filesystem::create_directories(empty.path + "/_temporary");
  std::ofstream(empty.path + "/_SUCCESS") << "";
  EXPECT_EQ(ErrorClassOf(ConvertToDelta(empty).status()), "DELTA_EMPTY_DIRECTORY");
  EXPECT_EQ(ErrorClassOf(ConvertToDelta(dir.At("missing")).status()), "PATH_NOT_FOUND");
}

TEST(ConvertTest, NoStatistics) {
  TempDir dir;
  auto root = dir.At("nostats");
  WriteParquet(root.path + "/a.parquet", Ids({1, 2}));
  ConvertOptions options;
  options.collect_stats = false;
  ASSERT_TRUE(ConvertToDelta(root, options).ok());
  auto snapshot = *Snapshot::Load(root);
  EXPECT_FALSE(snapshot->files()[0].stats.has_value());
  EXPECT_EQ(CommitInfoOf(root, 0)["operationParameters"]["collectStats"], false);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 2);
}

}  // namespace
}  // namespace basin::delta
