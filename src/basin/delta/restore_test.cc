#include "basin/delta/restore.h"

#include <stdlib.h>

#include <filesystem>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/delta/snapshot.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

std::shared_ptr<arrow::Table> Ids(std::vector<int64_t> ids) {
  arrow::Int64Builder b;
  EXPECT_TRUE(b.AppendValues(ids).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {b.Finish().ValueOrDie()});
}

TEST(RestoreTest, RestoresAnOlderVersion) {
  char tmpl[] = "/tmp/basin-restore-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto root = *io::ResolveLocation(dir);
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  ASSERT_TRUE(WriteTable(root, Ids({1}), append).ok());      // v0
  ASSERT_TRUE(WriteTable(root, Ids({2}), append).ok());      // v1
  WriteOptions overwrite;
  overwrite.mode = SaveMode::kOverwrite;
  ASSERT_TRUE(WriteTable(root, Ids({3}), overwrite).ok());   // v2
  auto r = RestoreTable(root, RestoreOptions{1, std::nullopt});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 3);
  EXPECT_EQ(r->num_restored_files, 2);
  EXPECT_EQ(r->num_removed_files, 1);
  EXPECT_EQ(r->num_of_files_after_restore, 2);
  auto snapshot = *Snapshot::Load(root);
  EXPECT_EQ(snapshot->files().size(), 2u);
  auto text = *io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(3) + ".json"));
  auto ci = nlohmann::json::parse(text.substr(0, text.find('\n')))["commitInfo"];
  EXPECT_EQ(ci["operation"], "RESTORE");
  EXPECT_EQ(ci["operationMetrics"]["numRestoredFiles"], "2");
  EXPECT_EQ(ci["operationMetrics"]["numOfFilesAfterRestore"], "2");

  // Out-of-range versions and vanished files are refused.
  EXPECT_EQ(ErrorClassOf(RestoreTable(root, RestoreOptions{9, std::nullopt}).status()),
            "DELTA_CANNOT_RESTORE_TABLE_VERSION");
  auto v2 = *Snapshot::Load(root, SnapshotOptions{2, std::nullopt});
  for (const auto& f : v2->files()) std::filesystem::remove(dir + "/" + f.path);
  EXPECT_EQ(ErrorClassOf(RestoreTable(root, RestoreOptions{2, std::nullopt}).status()),
            "DELTA_CANNOT_RESTORE_TABLE_VERSION");
  EXPECT_EQ((*Snapshot::Load(root))->version(), 3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basin::delta
