#include "basin/delta/row_changes.h"

#include <stdlib.h>

#include <filesystem>
#include <set>
#include <tuple>
#include <utility>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/delta/change_data_feed.h"
#include "basin/delta/scan.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-row-changes-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  io::Location Table() const { return *io::ResolveLocation(dir_ + "/t"); }

 private:
  std::string dir_;
};

std::shared_ptr<arrow::Table> Ids(int64_t n) {
  arrow::Int64Builder ids;
  for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(ids.Append(i).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {ids.Finish().ValueOrDie()});
}

void Create(const io::Location& root, bool deletion_vectors) {
  WriteOptions options;
  options.mode = SaveMode::kErrorIfExists;
  if (deletion_vectors) options.table_properties["delta.enableDeletionVectors"] = "true";
  auto r = WriteTable(root, Ids(10), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

int64_t LiveRows(const io::Location& root) {
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  return ReadSnapshot(snapshot).ValueOrDie()->num_rows();
}

class RowChangesTest : public ::testing::TestWithParam<bool> {};

TEST_P(RowChangesTest, DeletesAreCountedOnceAndKeepOtherRows) {
  TempDir dir;
  auto root = dir.Table();
  Create(root, GetParam());
  auto first = DeleteWhere(root, "id < 3");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->deleted_rows, 3);
  auto again = DeleteWhere(root, "id <= 3");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->deleted_rows, 1);
  EXPECT_EQ(LiveRows(root), 6);
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(snapshot->files().size(), 1u);
  EXPECT_EQ(snapshot->files()[0].deletion_vector.has_value(), GetParam());
}

TEST_P(RowChangesTest, ConcurrentDeleteOfTheSameFileConflicts) {
  TempDir dir;
  auto root = dir.Table();
  Create(root, GetParam());
  auto stale = Snapshot::Load(root).ValueOrDie();
  ASSERT_TRUE(DeleteWhere(root, "id = 1").ok());
  RowChanges changes;
  changes.deleted_rows[stale->files()[0].path].add(uint64_t{2});
  auto lost = CommitRowChanges(stale, changes);
  ASSERT_FALSE(lost.ok());
  auto error_class = ErrorClassOf(lost.status());
  ASSERT_TRUE(error_class.has_value()) << lost.status().ToString();
  EXPECT_NE(error_class->find("DELTA_CONCURRENT_DELETE"), std::string::npos) << *error_class;
  // The loser changed nothing: only the winner's row is gone.
  EXPECT_EQ(LiveRows(root), 9);
}

TEST_P(RowChangesTest, UnknownFileAndRowOutOfRangeAreRefused) {
  TempDir dir;
  auto root = dir.Table();
  Create(root, GetParam());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  RowChanges unknown;
  unknown.deleted_rows["no-such-file.parquet"].add(uint64_t{0});
  EXPECT_EQ(ErrorClassOf(CommitRowChanges(snapshot, unknown).status()), "DELTA_FILE_NOT_FOUND");
  RowChanges beyond;
  beyond.deleted_rows[snapshot->files()[0].path].add(uint64_t{10});
  EXPECT_EQ(ErrorClassOf(CommitRowChanges(snapshot, beyond).status()), "DELTA_INVALID_ROW_INDEX");
  EXPECT_EQ(Snapshot::Load(root).ValueOrDie()->version(), 0);
}

TEST_P(RowChangesTest, UpdatedRowsAreAddedInTheSameCommit) {
  TempDir dir;
  auto root = dir.Table();
  Create(root, GetParam());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  RowChanges update;
  update.operation = "UPDATE";
  update.deleted_rows[snapshot->files()[0].path].add(uint64_t{4});
  update.new_rows = Ids(1);  // row 4 becomes id 0
  auto r = CommitRowChanges(snapshot, update);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->commit.version, 1);
  EXPECT_EQ(r->metrics["numDeletedRows"], "1");
  EXPECT_EQ(LiveRows(root), 10);
}

// Four files of ten rows (ids 0-9, 10-19, ...), as four appends.
void CreateFourFiles(const io::Location& root, bool deletion_vectors) {
  for (int64_t f = 0; f < 4; ++f) {
    arrow::Int64Builder ids;
    for (int64_t i = 0; i < 10; ++i) ASSERT_TRUE(ids.Append(f * 10 + i).ok());
    WriteOptions options;
    options.mode = f == 0 ? SaveMode::kErrorIfExists : SaveMode::kAppend;
    if (deletion_vectors) options.table_properties["delta.enableDeletionVectors"] = "true";
    auto r = WriteTable(root,
                        arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                                           {ids.Finish().ValueOrDie()}),
                        options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

TEST_P(RowChangesTest, OnlyTouchedFilesChangeAndEachRewriteIsOneFile) {
  TempDir dir;
  auto root = dir.Table();
  CreateFourFiles(root, GetParam());
  auto before = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(before->files().size(), 4u);
  std::string untouched;  // the file of ids 20-29
  for (const auto& f : before->files()) {
    auto stats = nlohmann::json::parse(f.stats.value_or("{}"));
    if (stats["minValues"]["id"] == 20) untouched = f.path;
  }
  ASSERT_FALSE(untouched.empty());
  // One row of the first two files, every row of the last; the third file is not touched.
  auto r = DeleteWhere(root, "id = 3 OR id = 14 OR id >= 30");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metrics["numDeletedRows"], "12");
  EXPECT_EQ(r->metrics["numRemovedFiles"], GetParam() ? "1" : "3");
  EXPECT_EQ(r->metrics["numAddedFiles"], GetParam() ? "0" : "2");
  EXPECT_EQ(r->metrics["numCopiedRows"], GetParam() ? "0" : "18");
  EXPECT_EQ(r->metrics["numDeletionVectorsAdded"], GetParam() ? "2" : "0");
  auto after = Snapshot::Load(root).ValueOrDie();
  ASSERT_EQ(after->files().size(), 3u);
  std::set<std::string> paths;
  for (const auto& f : after->files()) {
    paths.insert(f.path);
    auto stats = nlohmann::json::parse(f.stats.value_or("{}"));
    int64_t live = stats["numRecords"].get<int64_t>();
    if (f.deletion_vector) live -= f.deletion_vector->cardinality;
    EXPECT_EQ(live, f.path == untouched ? 10 : 9) << f.path;
  }
  EXPECT_EQ(paths.count(untouched), 1u);
  EXPECT_EQ(LiveRows(root), 28);
}

INSTANTIATE_TEST_SUITE_P(Modes, RowChangesTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "DeletionVectors" : "Rewrite"; });


// ---------------------------------------------------------------------------------------------
// Change data feed writes.

struct CdfCase {
  bool deletion_vectors;
  bool partitioned;
};

std::shared_ptr<arrow::Table> IdsAndParts(const std::vector<int64_t>& ids) {
  arrow::Int64Builder id;
  arrow::StringBuilder part;
  for (int64_t i : ids) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE(part.Append(i % 2 == 0 ? "even" : "odd").ok());
  }
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64()),
                                           arrow::field("p", arrow::utf8())}),
                            {id.Finish().ValueOrDie(), part.Finish().ValueOrDie()});
}

void CreateCdf(const io::Location& root, const CdfCase& c) {
  WriteOptions options;
  options.table_properties["delta.enableChangeDataFeed"] = "true";
  if (c.deletion_vectors) options.table_properties["delta.enableDeletionVectors"] = "true";
  if (c.partitioned) options.partition_by = {"p"};
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < 10; ++i) ids.push_back(i);
  auto r = WriteTable(root, IdsAndParts(ids), options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

// (id, p, _change_type) of the changes of `version`, sorted.
std::multiset<std::tuple<int64_t, std::string, std::string>> Changes(const io::Location& root,
                                                                     int64_t version) {
  auto table = ReadChanges(root, version, version);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  std::multiset<std::tuple<int64_t, std::string, std::string>> out;
  if (!table.ok()) return out;
  auto combined = (*table)->CombineChunks().ValueOrDie();
  auto ids = std::static_pointer_cast<arrow::Int64Array>(
      combined->GetColumnByName("id")->chunk(0));
  auto parts = std::static_pointer_cast<arrow::StringArray>(
      combined->GetColumnByName("p")->chunk(0));
  auto types = std::static_pointer_cast<arrow::StringArray>(
      combined->GetColumnByName("_change_type")->chunk(0));
  for (int64_t i = 0; i < combined->num_rows(); ++i) {
    out.emplace(ids->Value(i), parts->GetString(i), types->GetString(i));
  }
  return out;
}

// The actions of commit `version`, as JSON lines.
std::vector<nlohmann::json> CommitActions(const io::Location& root, int64_t version) {
  auto text = io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(version) + ".json"));
  EXPECT_TRUE(text.ok());
  std::vector<nlohmann::json> out;
  size_t start = 0;
  while (text.ok() && start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    if (end > start) out.push_back(nlohmann::json::parse(text->substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

std::vector<nlohmann::json> CdcActions(const io::Location& root, int64_t version) {
  std::vector<nlohmann::json> out;
  for (const auto& a : CommitActions(root, version)) {
    if (a.contains("cdc")) out.push_back(a["cdc"]);
  }
  return out;
}

std::string Part(int64_t id) { return id % 2 == 0 ? "even" : "odd"; }

class ChangeDataFeedWriteTest : public ::testing::TestWithParam<CdfCase> {};

TEST_P(ChangeDataFeedWriteTest, DeleteRecordsDeletedRows) {
  TempDir dir;
  auto root = dir.Table();
  CreateCdf(root, GetParam());
  auto deleted = DeleteWhere(root, "id < 3");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ASSERT_EQ(deleted->commit.version, 1);
  std::multiset<std::tuple<int64_t, std::string, std::string>> expected = {
      {0, "even", "delete"}, {1, "odd", "delete"}, {2, "even", "delete"}};
  EXPECT_EQ(Changes(root, 1), expected);
  auto cdc = CdcActions(root, 1);
  // Rewritten files hold copied rows, which are no change: their commit needs change files.
  // Deletion vectors alone are read back exactly from the add and remove actions.
  if (GetParam().deletion_vectors) {
    EXPECT_TRUE(cdc.empty());
    EXPECT_EQ(deleted->metrics["numAddedChangeFiles"], "0");
  } else {
    ASSERT_FALSE(cdc.empty());
    EXPECT_EQ(deleted->metrics["numAddedChangeFiles"], std::to_string(cdc.size()));
    for (const auto& c : cdc) {
      std::string path = c["path"];
      EXPECT_EQ(path.rfind(GetParam().partitioned ? "_change_data/p=" : "_change_data/cdc-", 0),
                0u) << path;
      EXPECT_NE(path.find("cdc-"), std::string::npos) << path;
      EXPECT_EQ(c["dataChange"], false);
      if (GetParam().partitioned) {
        EXPECT_TRUE(c["partitionValues"].contains("p"));
      }
      EXPECT_TRUE(std::filesystem::exists(root.path + "/" + path)) << path;
    }
  }
  EXPECT_EQ(LiveRows(root), 7);
}

TEST_P(ChangeDataFeedWriteTest, UpdateRecordsPreAndPostImagesAndInserts) {
  TempDir dir;
  auto root = dir.Table();
  CreateCdf(root, GetParam());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  // Update id 4 to id 40 (same partition), delete id 5, insert id 100: find the rows' positions.
  RowChanges changes;
  changes.operation = "UPDATE";
  for (const auto& file : snapshot->files()) {
    auto rows = ReadDataFile(snapshot, file, nullptr, false).ValueOrDie()->CombineChunks().ValueOrDie();
    auto ids = std::static_pointer_cast<arrow::Int64Array>(rows->GetColumnByName("id")->chunk(0));
    for (int64_t i = 0; i < ids->length(); ++i) {
      if (ids->Value(i) == 4) {
        changes.deleted_rows[file.path].add(static_cast<uint64_t>(i));
        changes.updated_rows[file.path].add(static_cast<uint64_t>(i));
      }
      if (ids->Value(i) == 5) changes.deleted_rows[file.path].add(static_cast<uint64_t>(i));
    }
  }
  changes.new_rows = IdsAndParts({40, 100});
  changes.update_postimage_rows = 1;
  auto r = CommitRowChanges(snapshot, changes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(CdcActions(root, 1).empty());
  std::multiset<std::tuple<int64_t, std::string, std::string>> expected = {
      {4, "even", "update_preimage"},
      {40, "even", "update_postimage"},
      {5, "odd", "delete"},
      {100, "even", "insert"}};
  EXPECT_EQ(Changes(root, 1), expected);
  EXPECT_EQ(LiveRows(root), 10);
}

TEST_P(ChangeDataFeedWriteTest, WholeFileDeletesGoIntoChangeFilesWithOtherChanges) {
  TempDir dir;
  auto root = dir.Table();
  CreateCdf(root, GetParam());
  // A second file holding 20 and 21.
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  ASSERT_TRUE(WriteTable(root, IdsAndParts({20, 21}), append).ok());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  RowChanges changes;
  changes.operation = "UPDATE";
  std::multiset<std::tuple<int64_t, std::string, std::string>> expected;
  for (const auto& file : snapshot->files()) {
    auto rows = ReadDataFile(snapshot, file, nullptr, false).ValueOrDie()->CombineChunks().ValueOrDie();
    auto ids = std::static_pointer_cast<arrow::Int64Array>(rows->GetColumnByName("id")->chunk(0));
    bool second = false;
    for (int64_t i = 0; i < ids->length(); ++i) second |= ids->Value(i) >= 20;
    for (int64_t i = 0; i < ids->length(); ++i) {
      if (second) {  // every row of the second write goes
        changes.deleted_rows[file.path].add(static_cast<uint64_t>(i));
        expected.emplace(ids->Value(i), Part(ids->Value(i)), "delete");
      } else if (ids->Value(i) == 1) {  // one updated row of the first
        changes.deleted_rows[file.path].add(static_cast<uint64_t>(i));
        changes.updated_rows[file.path].add(static_cast<uint64_t>(i));
        expected.emplace(1, "odd", "update_preimage");
      }
    }
  }
  changes.new_rows = IdsAndParts({11});
  changes.update_postimage_rows = 1;
  expected.emplace(11, "odd", "update_postimage");
  auto r = CommitRowChanges(snapshot, changes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(CdcActions(root, 2).empty());
  EXPECT_EQ(Changes(root, 2), expected);
  EXPECT_EQ(LiveRows(root), 10);
}

TEST_P(ChangeDataFeedWriteTest, NoChangeFilesWithoutTheProperty) {
  TempDir dir;
  auto root = dir.Table();
  WriteOptions options;
  if (GetParam().deletion_vectors) options.table_properties["delta.enableDeletionVectors"] = "true";
  if (GetParam().partitioned) options.partition_by = {"p"};
  ASSERT_TRUE(WriteTable(root, IdsAndParts({1, 2, 3, 4}), options).ok());
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  RowChanges changes;
  changes.deleted_rows[snapshot->files()[0].path].add(uint64_t{0});
  changes.updated_rows[snapshot->files()[0].path].add(uint64_t{0});
  changes.new_rows = IdsAndParts({8});
  changes.update_postimage_rows = 1;
  ASSERT_TRUE(CommitRowChanges(snapshot, changes).ok());
  EXPECT_TRUE(CdcActions(root, 1).empty());
  EXPECT_FALSE(std::filesystem::exists(root.path + "/_change_data"));
}

INSTANTIATE_TEST_SUITE_P(
    Modes, ChangeDataFeedWriteTest,
    ::testing::Values(CdfCase{false, false}, CdfCase{true, false}, CdfCase{false, true},
                      CdfCase{true, true}),
    [](const auto& info) {
      return std::string(info.param.deletion_vectors ? "DeletionVectors" : "Rewrite") +
             (info.param.partitioned ? "Partitioned" : "Flat");
    });

TEST(ChangeDataFeedWriteColumnMappingTest, ChangeFilesUsePhysicalNames) {
  TempDir dir;
  auto root = dir.Table();
  WriteOptions options;
  options.table_properties["delta.enableChangeDataFeed"] = "true";
  options.table_properties["delta.columnMapping.mode"] = "name";
  options.partition_by = {"p"};
  ASSERT_TRUE(WriteTable(root, IdsAndParts({1, 2, 3, 4, 5}), options).ok());
  auto deleted = DeleteWhere(root, "id = 3");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  auto cdc = CdcActions(root, 1);
  ASSERT_EQ(cdc.size(), 1u);
  std::multiset<std::tuple<int64_t, std::string, std::string>> expected = {{3, "odd", "delete"}};
  EXPECT_EQ(Changes(root, 1), expected);
}

TEST(ChangeDataFeedWriteProtocolTest, LegacyWriterVersionFourAndTableFeaturesAreWritable) {
  TempDir dir;
  auto root = dir.Table();
  CreateCdf(root, CdfCase{false, false});
  auto snapshot = Snapshot::Load(root).ValueOrDie();
  // A new table gets table features, as delta-spark 4.4 writes it.
  EXPECT_EQ(snapshot->protocol().min_writer_version, 7);
  EXPECT_TRUE(snapshot->protocol().HasWriterFeature("changeDataFeed"));
  EXPECT_TRUE(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()).ok());
  Protocol legacy;
  legacy.min_reader_version = 1;
  legacy.min_writer_version = 4;
  EXPECT_TRUE(CheckWriteSupported(legacy, snapshot->metadata()).ok());
  Protocol features;
  features.min_reader_version = 1;
  features.min_writer_version = 7;
  features.writer_features = std::vector<std::string>{"changeDataFeed", "appendOnly", "invariants"};
  EXPECT_TRUE(CheckWriteSupported(features, snapshot->metadata()).ok());
}

}  // namespace
}  // namespace basin::delta
