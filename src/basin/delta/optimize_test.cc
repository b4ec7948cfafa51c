#include "basin/delta/optimize.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/delta/data_skipping.h"
#include "basin/delta/row_changes.h"
#include "basin/delta/scan.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-optimize-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  io::Location Table() const { return *io::ResolveLocation(dir_ + "/t"); }
  std::string path() const { return dir_ + "/t"; }

 private:
  std::string dir_;
};

// Rows (part, id) for ids [from, from + n), part = id % 2.
std::shared_ptr<arrow::Table> PartIds(int64_t from, int64_t n) {
  arrow::Int64Builder part, ids;
  for (int64_t i = from; i < from + n; ++i) {
    EXPECT_TRUE(part.Append(i % 2).ok());
    EXPECT_TRUE(ids.Append(i).ok());
  }
  return arrow::Table::Make(
      arrow::schema({arrow::field("part", arrow::int64()), arrow::field("id", arrow::int64())}),
      {part.Finish().ValueOrDie(), ids.Finish().ValueOrDie()});
}

std::shared_ptr<arrow::Table> Ids(int64_t from, int64_t n) {
  arrow::Int64Builder ids;
  for (int64_t i = from; i < from + n; ++i) EXPECT_TRUE(ids.Append(i).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {ids.Finish().ValueOrDie()});
}

void Append(const io::Location& root, const std::shared_ptr<arrow::Table>& data,
            std::vector<std::string> partition_by = {},
            std::map<std::string, std::string> properties = {}) {
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.partition_by = std::move(partition_by);
  options.table_properties = std::move(properties);
  auto r = WriteTable(root, data, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

// A table partitioned by `part` with four appends, each adding one file to both partitions.
void MakePartitionedTable(const io::Location& root) {
  for (int i = 0; i < 4; ++i) Append(root, PartIds(i * 10, 10), {"part"});
}

std::shared_ptr<const Snapshot> Load(const io::Location& root) {
  auto s = Snapshot::Load(root);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

int64_t SumIds(const io::Location& root) {
  auto table = ReadSnapshot(Load(root)).ValueOrDie();
  auto column = table->GetColumnByName("id");
  int64_t sum = 0;
  for (const auto& chunk : column->chunks()) {
    auto ints = std::static_pointer_cast<arrow::Int64Array>(chunk);
    for (int64_t i = 0; i < ints->length(); ++i) sum += ints->Value(i);
  }
  return sum;
}

std::vector<nlohmann::json> CommitLines(const std::string& table_path, int64_t version) {
  std::ifstream in(table_path + "/_delta_log/" + VersionStem(version) + ".json");
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::string ErrorOf(const Status& status) {
  auto error_class = ErrorClassOf(status);
  return error_class ? *error_class : status.ToString();
}

TEST(OptimizeTest, CompactsSmallFilesPerPartitionInOneCommit) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  ASSERT_EQ(Load(root)->files().size(), 8u);
  int64_t sum = SumIds(root);

  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->version.has_value());
  EXPECT_EQ(*r->version, 4);
  EXPECT_EQ(r->read_version, 3);
  EXPECT_EQ(r->metrics["numFilesAdded"], 2);
  EXPECT_EQ(r->metrics["numFilesRemoved"], 8);
  EXPECT_EQ(r->metrics["partitionsOptimized"], 2);
  EXPECT_EQ(r->metrics["numBins"], 2);
  EXPECT_EQ(r->metrics["numBatches"], 1);
  EXPECT_EQ(r->metrics["totalConsideredFiles"], 8);
  EXPECT_EQ(r->metrics["totalFilesSkipped"], 0);
  EXPECT_EQ(r->metrics["filesRemoved"]["totalFiles"], 8);
  EXPECT_TRUE(r->metrics["zOrderStats"].is_null());
  EXPECT_TRUE(r->metrics["deletionVectorStats"].is_null());
  EXPECT_EQ(r->operation_metrics["numAddedFiles"], "2");
  EXPECT_EQ(r->operation_metrics["numRemovedFiles"], "8");
  EXPECT_EQ(r->operation_metrics["numDeletionVectorsRemoved"], "0");
  EXPECT_TRUE(r->operation_metrics.contains("p50FileSize"));

  auto snapshot = Load(root);
  EXPECT_EQ(snapshot->files().size(), 2u);
  EXPECT_EQ(SumIds(root), sum);

  // The commit: OPTIMIZE with delta-spark's parameters, adds and removes without data change.
  auto lines = CommitLines(dir.path(), 4);
  int adds = 0, removes = 0;
  for (const auto& line : lines) {
    if (line.contains("commitInfo")) {
      const auto& ci = line["commitInfo"];
      EXPECT_EQ(ci["operation"], "OPTIMIZE");
      EXPECT_EQ(ci["operationParameters"]["predicate"], "[]");
      EXPECT_EQ(ci["operationParameters"]["zOrderBy"], "[]");
      EXPECT_EQ(ci["operationParameters"]["clusterBy"], "[]");
      EXPECT_EQ(ci["operationParameters"]["auto"], false);
      EXPECT_FALSE(ci["isBlindAppend"].get<bool>());
      EXPECT_EQ(ci["operationMetrics"]["numRemovedFiles"], "8");
    }
    if (line.contains("add")) {
      ++adds;
      EXPECT_FALSE(line["add"]["dataChange"].get<bool>());
    }
    if (line.contains("remove")) {
      ++removes;
      EXPECT_FALSE(line["remove"]["dataChange"].get<bool>());
    }
  }
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(removes, 8);
}

TEST(OptimizeTest, SecondOptimizeDoesNothing) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  ASSERT_TRUE(Optimize(root, {}).ok());
  auto again = Optimize(root, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->version.has_value());
  EXPECT_EQ(again->metrics["numFilesAdded"], 0);
  EXPECT_EQ(again->metrics["numBins"], 0);
  EXPECT_EQ(again->metrics["totalConsideredFiles"], 2);
  EXPECT_EQ(again->metrics["totalFilesSkipped"], 2);
  EXPECT_TRUE(again->metrics["filesAdded"]["min"].is_null());
  EXPECT_EQ(Load(root)->version(), 4);
}

TEST(OptimizeTest, FilesAtLeastTheMinimumSizeAreLeftAlone) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  OptimizeOptions options;
  options.min_file_size = 1;  // every file is "large"
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->version.has_value());
  EXPECT_EQ(r->metrics["totalFilesSkipped"], 8);
}

TEST(OptimizeTest, WhereSelectsPartitions) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  OptimizeOptions options;
  options.where = "part = 0";
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["numFilesRemoved"], 4);
  EXPECT_EQ(r->metrics["totalConsideredFiles"], 4);
  EXPECT_EQ(r->operation_parameters["predicate"], "[\"part = 0\"]");
  auto snapshot = Load(root);
  EXPECT_EQ(snapshot->files().size(), 5u);
  int in_part_one = 0;
  for (const auto& f : snapshot->files()) in_part_one += f.partition_values.at("part") == "1";
  EXPECT_EQ(in_part_one, 4);
}

TEST(OptimizeTest, WhereOnDateAndTimestampPartitions) {
  TempDir dir;
  auto root = dir.Table();
  for (int i = 0; i < 2; ++i) {
    arrow::Date32Builder d;
    arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                               arrow::default_memory_pool());
    arrow::Int64Builder id;
    for (int day = 0; day < 2; ++day) {
      ASSERT_TRUE(d.Append(18262 + day).ok());                       // 2020-01-01, 2020-01-02
      ASSERT_TRUE(ts.Append(int64_t{1577872800000000} + day).ok());  // 2020-01-01 10:00:00
      ASSERT_TRUE(id.Append(i * 10 + day).ok());
    }
    auto data = arrow::Table::Make(
        arrow::schema({arrow::field("d", arrow::date32()),
                       arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                       arrow::field("id", arrow::int64())}),
        {d.Finish().ValueOrDie(), ts.Finish().ValueOrDie(), id.Finish().ValueOrDie()});
    Append(root, data, {"d", "ts"});
  }
  ASSERT_EQ(Load(root)->files().size(), 4u);
  OptimizeOptions options;
  options.where = "d = DATE'2020-01-02' AND ts > TIMESTAMP'2020-01-01 09:00:00'";
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["totalConsideredFiles"], 2);
  EXPECT_EQ(r->metrics["numFilesRemoved"], 2);
  EXPECT_EQ(Load(root)->files().size(), 3u);
}

TEST(OptimizeTest, ColumnMappedTableKeepsItsRows) {
  TempDir dir;
  auto root = dir.Table();
  for (int i = 0; i < 3; ++i) {
    Append(root, PartIds(i * 10, 10), {"part"}, {{"delta.columnMapping.mode", "name"}});
  }
  int64_t sum = SumIds(root);
  OptimizeOptions options;
  options.where = "part = 1";
  options.zorder_by = {"id"};
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["numFilesRemoved"], 3);
  EXPECT_EQ(SumIds(root), sum);
  EXPECT_EQ(Load(root)->files().size(), 4u);
}

TEST(OptimizeTest, WhereOnDataColumnFails) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  OptimizeOptions options;
  options.where = "part = 0 AND id = 1";
  auto r = Optimize(root, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorOf(r.status()), "DELTA_NON_PARTITION_COLUMN_REFERENCE");
  EXPECT_NE(r.status().message().find("Predicate references non-partition column 'id'. Only the "
                                      "partition columns may be referenced: [part]"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(Load(root)->version(), 3);
}

TEST(OptimizeTest, ZOrderColumnErrors) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  OptimizeOptions on_partition;
  on_partition.zorder_by = {"part"};
  EXPECT_EQ(ErrorOf(Optimize(root, on_partition).status()), "DELTA_ZORDERING_ON_PARTITION_COLUMN");
  OptimizeOptions unknown;
  unknown.zorder_by = {"nope"};
  EXPECT_EQ(ErrorOf(Optimize(root, unknown).status()), "DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST");

  TempDir other;
  auto narrow = other.Table();
  arrow::Int64Builder a, b;
  ASSERT_TRUE(a.AppendValues({1, 2}).ok());
  ASSERT_TRUE(b.AppendValues({3, 4}).ok());
  auto data = arrow::Table::Make(
      arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::int64())}),
      {a.Finish().ValueOrDie(), b.Finish().ValueOrDie()});
  Append(narrow, data, {}, {{"delta.dataSkippingNumIndexedCols", "1"}});
  OptimizeOptions no_stats;
  no_stats.zorder_by = {"b"};
  auto r = Optimize(narrow, no_stats);
  EXPECT_EQ(ErrorOf(r.status()), "DELTA_ZORDERING_ON_COLUMN_WITHOUT_STATS");
  EXPECT_NE(r.status().message().find("Z-Ordering on [b] will be ineffective"), std::string::npos);
}

TEST(OptimizeTest, PurgesDeletionVectorsOfCompactedFiles) {
  TempDir dir;
  auto root = dir.Table();
  Append(root, Ids(0, 10), {}, {{"delta.enableDeletionVectors", "true"}});
  Append(root, Ids(10, 10));
  auto deleted = DeleteWhere(root, "id < 5");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ASSERT_EQ(deleted->deletion_vectors_added, 1);
  int64_t sum = SumIds(root);

  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->version.has_value());
  EXPECT_EQ(r->metrics["numFilesRemoved"], 2);
  EXPECT_EQ(r->metrics["numFilesAdded"], 1);
  EXPECT_EQ(r->metrics["deletionVectorStats"]["numDeletionVectorsRemoved"], 1);
  EXPECT_EQ(r->metrics["deletionVectorStats"]["numDeletionVectorRowsRemoved"], 5);
  EXPECT_EQ(r->operation_metrics["numDeletionVectorsRemoved"], "1");
  auto snapshot = Load(root);
  ASSERT_EQ(snapshot->files().size(), 1u);
  EXPECT_FALSE(snapshot->files()[0].deletion_vector.has_value());
  EXPECT_EQ(SumIds(root), sum);
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 15);
}

TEST(OptimizeTest, LoneFileWithDeletionVectorIsKeptAsDeltaSparkDoes) {
  TempDir dir;
  auto root = dir.Table();
  Append(root, Ids(0, 10), {}, {{"delta.enableDeletionVectors", "true"}});
  ASSERT_TRUE(DeleteWhere(root, "id < 5").ok());
  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->version.has_value());
  EXPECT_EQ(r->metrics["totalFilesSkipped"], 1);
}

TEST(OptimizeTest, ReorgPurgeRewritesALoneFileWithADeletionVector) {
  TempDir dir;
  auto root = dir.Table();
  Append(root, Ids(0, 10), {}, {{"delta.enableDeletionVectors", "true"}});
  Append(root, Ids(10, 10));
  ASSERT_TRUE(DeleteWhere(root, "id < 2").ok());
  OptimizeOptions options;
  options.purge_deletion_vectors = true;
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->version.has_value());
  EXPECT_EQ(r->metrics["numFilesRemoved"], 1);  // the file without a DV is left alone
  EXPECT_EQ(r->operation_parameters["applyPurge"], true);
  EXPECT_EQ(r->operation_parameters["predicate"], "[]");
  auto lines = CommitLines(dir.path(), *r->version);
  EXPECT_EQ(lines[0]["commitInfo"]["operation"], "REORG");
  auto snapshot = Load(root);
  EXPECT_EQ(snapshot->files().size(), 2u);
  for (const auto& f : snapshot->files()) EXPECT_FALSE(f.deletion_vector.has_value());
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 18);
}

// A 64 x 64 grid of (x, y) in random order, written as 8 files that each span the whole grid.
void MakeGridTable(const io::Location& root) {
  std::vector<std::pair<int64_t, int64_t>> points;
  for (int64_t x = 0; x < 64; ++x) {
    for (int64_t y = 0; y < 64; ++y) points.emplace_back(x, y);
  }
  std::mt19937 rng(7);
  std::shuffle(points.begin(), points.end(), rng);
  for (int file = 0; file < 8; ++file) {
    arrow::Int64Builder xs, ys;
    for (size_t i = static_cast<size_t>(file) * 512; i < static_cast<size_t>(file + 1) * 512; ++i) {
      ASSERT_TRUE(xs.Append(points[i].first).ok());
      ASSERT_TRUE(ys.Append(points[i].second).ok());
    }
    auto data = arrow::Table::Make(
        arrow::schema({arrow::field("x", arrow::int64()), arrow::field("y", arrow::int64())}),
        {xs.Finish().ValueOrDie(), ys.Finish().ValueOrDie()});
    Append(root, data);
  }
}

size_t MatchingFiles(const io::Location& root, const std::string& predicate) {
  auto snapshot = Load(root);
  auto files = SkipFiles(*snapshot, predicate);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files->size();
}

TEST(OptimizeTest, ZOrderImprovesDataSkippingOnEveryColumn) {
  TempDir dir;
  auto root = dir.Table();
  MakeGridTable(root);
  auto before = Load(root);
  ASSERT_EQ(before->files().size(), 8u);
  EXPECT_EQ(MatchingFiles(root, "x = 37"), 8u);
  EXPECT_EQ(MatchingFiles(root, "y = 37"), 8u);
  int64_t total = 0;
  for (const auto& f : before->files()) total += f.size;
  int64_t sum_x = ReadSnapshot(before).ValueOrDie()->num_rows();

  OptimizeOptions options;
  options.zorder_by = {"x", "y"};
  options.max_file_size = total / 16;
  auto r = Optimize(root, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->version.has_value());
  EXPECT_EQ(r->operation_parameters["zOrderBy"], "[\"x\",\"y\"]");
  ASSERT_TRUE(r->metrics["zOrderStats"].is_object());
  EXPECT_EQ(r->metrics["zOrderStats"]["strategyName"], "all");
  EXPECT_EQ(r->metrics["zOrderStats"]["mergedFiles"]["num"], 8);
  EXPECT_EQ(r->metrics["zOrderStats"]["numOutputCubes"], 1);

  auto after = Load(root);
  size_t files = after->files().size();
  EXPECT_GE(files, 8u);
  EXPECT_EQ(ReadSnapshot(after).ValueOrDie()->num_rows(), sum_x);
  size_t x_files = MatchingFiles(root, "x = 37");
  size_t y_files = MatchingFiles(root, "y = 37");
  EXPECT_LE(x_files * 2, files) << x_files << " of " << files;
  EXPECT_LE(y_files * 2, files) << y_files << " of " << files;
  EXPECT_LE(MatchingFiles(root, "x = 37 AND y = 37"), 2u);
}

TEST(OptimizeTest, ZOrderSortIndicesInterleaveBits) {
  arrow::Int64Builder xs, ys;
  // (x, y) for x, y in {0, 1}: Z-order is (0,0), (0,1), (1,0), (1,1) with x the major bit.
  ASSERT_TRUE(xs.AppendValues({1, 0, 1, 0}).ok());
  ASSERT_TRUE(ys.AppendValues({1, 1, 0, 0}).ok());
  auto data = arrow::Table::Make(
      arrow::schema({arrow::field("x", arrow::int64()), arrow::field("y", arrow::int64())}),
      {xs.Finish().ValueOrDie(), ys.Finish().ValueOrDie()});
  auto order = ZOrderSortIndices(*data, {"x", "y"});
  ASSERT_TRUE(order.ok()) << order.status().ToString();
  std::vector<uint64_t> got;
  for (int64_t i = 0; i < (*order)->length(); ++i) got.push_back((*order)->Value(i));
  EXPECT_EQ(got, (std::vector<uint64_t>{3, 1, 2, 0}));
}

TEST(OptimizeTest, ConcurrentDeleteOfARewrittenFileConflicts) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  auto stale = Load(root);
  // Another writer deletes rows, rewriting some of the files OPTIMIZE is about to replace.
  ASSERT_TRUE(DeleteWhere(root, "id = 2").ok());
  auto r = OptimizeSnapshot(stale, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ErrorOf(r.status()), "DELTA_CONCURRENT_DELETE_READ") << r.status().ToString();
  EXPECT_EQ(Load(root)->version(), 4);
}

TEST(OptimizeTest, ConcurrentAppendDoesNotConflict) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  auto stale = Load(root);
  Append(root, PartIds(100, 4), {"part"});
  auto r = OptimizeSnapshot(stale, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 5);
  auto snapshot = Load(root);
  EXPECT_EQ(snapshot->files().size(), 4u);  // two compacted files and the two appended ones
  EXPECT_EQ(ReadSnapshot(snapshot).ValueOrDie()->num_rows(), 44);
}

TEST(OptimizeTest, ResultBatchHasDeltaSparkShape) {
  TempDir dir;
  auto root = dir.Table();
  MakePartitionedTable(root);
  auto r = Optimize(root, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto batch = OptimizeResultBatch(*r);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ((*batch)->num_rows(), 1);
  ASSERT_EQ((*batch)->num_columns(), 2);
  EXPECT_EQ((*batch)->schema()->field(0)->name(), "path");
  auto metrics = std::static_pointer_cast<arrow::StructArray>((*batch)->column(1));
  EXPECT_EQ(metrics->type()->num_fields(), 22);
  auto added =
      std::static_pointer_cast<arrow::Int64Array>(metrics->GetFieldByName("numFilesAdded"));
  EXPECT_EQ(added->Value(0), 2);
  EXPECT_TRUE(metrics->GetFieldByName("zOrderStats")->IsNull(0));
  EXPECT_TRUE(metrics->GetFieldByName("filesAdded")->IsValid(0));
  ASSERT_TRUE((*batch)->ValidateFull().ok());
}

}  // namespace
}  // namespace basin::delta
