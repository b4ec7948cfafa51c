#include "basin/delta/row_changes.h"

#include <stdlib.h>

#include <filesystem>

#include <arrow/api.h>
#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(Modes, RowChangesTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "DeletionVectors" : "Rewrite"; });

}  // namespace
}  // namespace basin::delta
