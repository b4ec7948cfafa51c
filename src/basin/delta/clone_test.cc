#include "basin/delta/clone.h"

#include <stdlib.h>

#include <cstdlib>

#include <filesystem>
#include <fstream>

#include <arrow/api.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "basin/delta/convert.h"
#include "basin/delta/row_changes.h"
#include "basin/delta/scan.h"
#include "basin/delta/snapshot.h"
#include "basin/delta/write.h"

namespace basin::delta {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/basin-clone-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  io::Location At(const std::string& name) const { return *io::ResolveLocation(dir_ + "/" + name); }
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
};

std::shared_ptr<arrow::Table> Rows(const std::vector<int64_t>& ids) {
  arrow::Int64Builder id;
  arrow::StringBuilder part;
  for (int64_t i : ids) {
    EXPECT_TRUE(id.Append(i).ok());
    EXPECT_TRUE(part.Append(i % 2 == 0 ? "a b" : "c").ok());
  }
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64()),
                                           arrow::field("p", arrow::utf8())}),
                            {id.Finish().ValueOrDie(), part.Finish().ValueOrDie()});
}

// The sorted ids of the table's latest version.
std::vector<int64_t> Ids(const io::Location& root) {
  auto snapshot = Snapshot::Load(root);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  if (!snapshot.ok()) return {};
  auto table = ReadSnapshot(*snapshot);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  if (!table.ok()) return {};
  std::vector<int64_t> out;
  auto column = (*table)->GetColumnByName("id");
  for (const auto& chunk : column->chunks()) {
    auto ids = std::static_pointer_cast<arrow::Int64Array>(chunk);
    for (int64_t i = 0; i < ids->length(); ++i) out.push_back(ids->Value(i));
  }
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json CommitInfoOf(const io::Location& root, int64_t version) {
  auto text = *io::ReadWholeFile(root.Child("_delta_log/" + VersionStem(version) + ".json"));
  return nlohmann::json::parse(text.substr(0, text.find('\n')))["commitInfo"];
}

// A partitioned source with deletion vectors: v0 ids 0..5, v1 deletes 1 (a DV), v2 appends 6, 7.
io::Location MakeSource(const TempDir& dir) {
  auto root = dir.At("source table");
  WriteOptions create;
  create.partition_by = {"p"};
  create.table_properties["delta.enableDeletionVectors"] = "true";
  EXPECT_TRUE(WriteTable(root, Rows({0, 1, 2, 3, 4, 5}), create).ok());
  auto deleted = DeleteWhere(root, "id = 1");
  EXPECT_TRUE(deleted.ok()) << deleted.status().ToString();
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  EXPECT_TRUE(WriteTable(root, Rows({6, 7}), append).ok());
  return root;
}

TEST(CloneTest, ShallowCloneReferencesTheSourceFilesAndDeletionVectors) {
  TempDir dir;
  auto source = MakeSource(dir);
  auto target = dir.At("shallow");
  auto r = CloneTable(source, target);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->source_version, 2);
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7}));

  auto src = *Snapshot::Load(source);
  auto snap = *Snapshot::Load(target);
  EXPECT_NE(snap->metadata().id, src->metadata().id);
  EXPECT_EQ(snap->metadata().schema_string, src->metadata().schema_string);
  EXPECT_EQ(snap->metadata().partition_columns, src->metadata().partition_columns);
  EXPECT_EQ(snap->metadata().created_time, src->metadata().created_time);
  EXPECT_EQ(snap->protocol().writer_features, src->protocol().writer_features);
  int with_dv = 0;
  for (const auto& f : snap->files()) {
    EXPECT_EQ(f.path.rfind("file:/", 0), 0u) << f.path;
    // The space of the source folder's name is escaped as in a URI.
    EXPECT_NE(f.path.find("source%20table/"), std::string::npos) << f.path;
    if (f.deletion_vector) {
      ++with_dv;
      EXPECT_EQ(f.deletion_vector->storage_type, "p");
      EXPECT_EQ(f.deletion_vector->path_or_inline_dv.rfind("file:/", 0), 0u);
    }
  }
  EXPECT_EQ(with_dv, 1);
  // No data file was written into the target.
  for (const auto& entry : std::filesystem::directory_iterator(target.path)) {
    EXPECT_EQ(entry.path().filename(), "_delta_log");
  }

  auto ci = CommitInfoOf(target, 0);
  EXPECT_EQ(ci["operation"], "CLONE");
  EXPECT_EQ(ci["isBlindAppend"], false);
  EXPECT_EQ(ci["operationParameters"]["sourceVersion"], 2);
  EXPECT_EQ(ci["operationParameters"]["isShallow"], true);
  std::string source_param = ci["operationParameters"]["source"];
  EXPECT_EQ(source_param.rfind("delta.`file:/", 0), 0u) << source_param;
  EXPECT_EQ(ci["operationMetrics"]["sourceNumOfFiles"], std::to_string(src->files().size()));
  EXPECT_EQ(ci["operationMetrics"]["numCopiedFiles"], "0");
  EXPECT_EQ(ci["operationMetrics"]["numRemovedFiles"], "0");
  int64_t size = 0;
  for (const auto& f : src->files()) size += f.size;
  EXPECT_EQ(ci["operationMetrics"]["sourceTableSize"], std::to_string(size));

  // The clone is a table of its own: deleting from it leaves the source alone.
  auto deleted = DeleteWhere(target, "id = 2");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 3, 4, 5, 6, 7}));
  EXPECT_EQ(Ids(source), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7}));
}

TEST(CloneTest, CloneOfAnOlderVersion) {
  TempDir dir;
  auto source = MakeSource(dir);
  auto target = dir.At("v0");
  CloneOptions options;
  options.version = 0;
  auto r = CloneTable(source, target, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->source_version, 0);
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  options.version = 9;
  EXPECT_FALSE(CloneTable(source, dir.At("v9"), options).ok());
}

TEST(CloneTest, DeepCloneCopiesTheFiles) {
  TempDir dir;
  auto source = MakeSource(dir);
  auto target = dir.At("deep");
  CloneOptions options;
  options.shallow = false;
  auto r = CloneTable(source, target, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto src = *Snapshot::Load(source);
  EXPECT_EQ(r->num_copied_files, static_cast<int64_t>(src->files().size()));
  auto ci = CommitInfoOf(target, 0);
  EXPECT_EQ(ci["operationParameters"]["isShallow"], false);
  EXPECT_EQ(ci["operationMetrics"]["numCopiedFiles"], std::to_string(src->files().size()));
  auto snap = *Snapshot::Load(target);
  for (const auto& f : snap->files()) {
    EXPECT_EQ(f.path.find("file:"), std::string::npos) << f.path;
    if (f.deletion_vector) {
      EXPECT_NE(f.deletion_vector->storage_type, "p");
    }
  }
  // The clone does not depend on the source any more.
  std::filesystem::remove_all(source.path);
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7}));
}

TEST(CloneTest, DeepCloneOfAShallowClone) {
  TempDir dir;
  auto source = MakeSource(dir);
  auto shallow = dir.At("shallow");
  ASSERT_TRUE(CloneTable(source, shallow).ok());
  CloneOptions deep;
  deep.shallow = false;
  auto target = dir.At("deep");
  auto r = CloneTable(shallow, target, deep);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::filesystem::remove_all(source.path);
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7}));
}

TEST(CloneTest, ExistingTargetsNeedReplace) {
  TempDir dir;
  auto source = MakeSource(dir);
  auto target = dir.At("t");
  WriteOptions create;
  ASSERT_TRUE(WriteTable(target, Rows({100, 101}), create).ok());
  auto old_id = (*Snapshot::Load(target))->metadata().id;
  EXPECT_EQ(ErrorClassOf(CloneTable(source, target).status()),
            "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION");

  CloneOptions replace;
  replace.replace = true;
  auto r = CloneTable(source, target, replace);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->num_removed_files, 1);
  EXPECT_GT(r->removed_files_size, 0);
  EXPECT_EQ(Ids(target), (std::vector<int64_t>{0, 2, 3, 4, 5, 6, 7}));
  auto snap = *Snapshot::Load(target);
  EXPECT_EQ(snap->metadata().id, old_id);
  EXPECT_EQ(snap->metadata().partition_columns, std::vector<std::string>{"p"});

  // A folder with files but no Delta log is refused even with replace.
  auto plain = dir.At("plain");
  std::filesystem::create_directories(plain.path);
  std::ofstream(plain.path + "/data.txt") << "x";
  EXPECT_EQ(ErrorClassOf(CloneTable(source, plain, replace).status()),
            "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION");
  EXPECT_EQ(ErrorClassOf(CloneTable(dir.At("missing"), dir.At("x")).status()).has_value(), true);
}

TEST(CloneTest, PropertiesUpgradeTheProtocol) {
  TempDir dir;
  auto source = dir.At("plain source");
  WriteOptions create;
  ASSERT_TRUE(WriteTable(source, Rows({1, 2}), create).ok());
  ASSERT_EQ((*Snapshot::Load(source))->protocol().min_writer_version, 2);

  CloneOptions cdf;
  cdf.properties["delta.enableChangeDataFeed"] = "true";
  ASSERT_TRUE(CloneTable(source, dir.At("cdf"), cdf).ok());
  auto cdf_snapshot = *Snapshot::Load(dir.At("cdf"));
  EXPECT_EQ(cdf_snapshot->protocol().min_writer_version, 4);
  EXPECT_EQ(cdf_snapshot->metadata().configuration.at("delta.enableChangeDataFeed"), "true");

  CloneOptions dv;
  dv.properties["delta.enableDeletionVectors"] = "true";
  ASSERT_TRUE(CloneTable(source, dir.At("dv"), dv).ok());
  auto dv_snapshot = *Snapshot::Load(dir.At("dv"));
  EXPECT_EQ(dv_snapshot->protocol().min_writer_version, 7);
  EXPECT_TRUE(dv_snapshot->protocol().HasWriterFeature("deletionVectors"));
  EXPECT_TRUE(dv_snapshot->protocol().HasReaderFeature("deletionVectors"));
  EXPECT_TRUE(dv_snapshot->protocol().HasWriterFeature("appendOnly"));
  ASSERT_TRUE(DeleteWhere(dir.At("dv"), "id = 1").ok());
  EXPECT_EQ(Ids(dir.At("dv")), std::vector<int64_t>{2});

  CloneOptions mapping;
  mapping.properties["delta.columnMapping.mode"] = "name";
  EXPECT_EQ(ErrorClassOf(CloneTable(source, dir.At("cm"), mapping).status()),
            "DELTA_UNSUPPORTED_COLUMN_MAPPING_MODE_CHANGE");
}

}  // namespace
}  // namespace basin::delta
