#include "basin/delta/vacuum.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "basin/delta/snapshot.h"
#include "basin/delta/transaction.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

std::shared_ptr<arrow::Table> Ids(std::vector<int64_t> ids) {
  arrow::Int64Builder b;
  EXPECT_TRUE(b.AppendValues(ids).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {b.Finish().ValueOrDie()});
}

TEST(VacuumTest, DeletionVectorPathFromZ85) {
  // PROTOCOL.md's example: "ab^-aqEH.-t@S}K{vb[*k^" -> ab/deletion_vector_d2c639aa-...bin
  auto p = DeletionVectorRelativePath("u", "ab^-aqEH.-t@S}K{vb[*k^");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
  EXPECT_FALSE(DeletionVectorRelativePath("i", "whatever").has_value());
}

TEST(VacuumTest, RetentionCheckDryRunAndDelete) {
  char tmpl[] = "/tmp/basin-vacuum-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto root = *io::ResolveLocation(dir);
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  ASSERT_TRUE(WriteTable(root, Ids({1}), append).ok());
  WriteOptions overwrite;
  overwrite.mode = SaveMode::kOverwrite;
  ASSERT_TRUE(WriteTable(root, Ids({2}), overwrite).ok());
  std::ofstream(dir + "/stray.parquet") << "x";
  std::ofstream(dir + "/_hidden.txt") << "x";
  auto live = (*Snapshot::Load(root))->files().at(0).path;

  VacuumOptions too_short;
  too_short.retention_hours = 0;
  EXPECT_EQ(ErrorClassOf(VacuumTable(root, too_short).status()),
            "DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT");

  // Eight days from now every unneeded file is past the default retention.
  VacuumOptions dry;
  dry.dry_run = true;
  dry.now_ms = NowMs() + 8LL * 24 * 3'600'000;
  auto listed = VacuumTable(root, dry);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->files.size(), 2u);  // the overwritten data file and stray.parquet
  for (const auto& f : listed->files) EXPECT_NE(f, live);
  EXPECT_TRUE(std::filesystem::exists(dir + "/stray.parquet"));
  EXPECT_FALSE(listed->start_version.has_value());

  // Without the check, a zero retention deletes now, and logs VACUUM START / END.
  VacuumOptions now;
  now.retention_hours = 0;
  now.retention_check = false;
  now.now_ms = NowMs() + 1000;
  auto done = VacuumTable(root, now);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->files.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/stray.parquet"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/_hidden.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/" + live));
  EXPECT_EQ(done->start_version, 2);
  EXPECT_EQ(done->end_version, 3);
  auto text = *io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(3) + ".json"));
  EXPECT_NE(text.find("VACUUM END"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace basin::delta
