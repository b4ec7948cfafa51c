#include "basin/delta/snapshot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/log_listing.h"

namespace basin::delta {
namespace {

std::string SharedDir() {
  const char* source = std::getenv("BASIN_SOURCE_DIR");
  return std::string(source ? source : ".") + "/../shared/delta-conformance";
}

struct Case {
  std::string corpus;
  std::string table;
  std::string expectation;
  std::string root;
};

// Reads every corpus's CASES.tsv and finds each table root as SOURCES.md lays them out.
std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const char* corpus : {"dat", "delta-golden-tables", "delta-kernel-rs-test-tables",
                             "delta-rs-test-tables", "delta-spark-test-tables"}) {
    std::ifstream tsv(SharedDir() + "/" + corpus + "/CASES.tsv");
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line)) {
      std::vector<std::string> cols;
      std::stringstream ss(line);
      std::string col;
      while (std::getline(ss, col, '\t')) cols.push_back(col);
      if (cols.size() < 10) continue;
      Case c{corpus, cols[0], cols[9], ""};
      std::string base = SharedDir() + "/" + corpus + "/" + c.table;
      c.root = std::filesystem::exists(base + "/delta") ? base + "/delta" : base;
      cases.push_back(c);
    }
  }
  return cases;
}

Result<std::shared_ptr<const Snapshot>> Load(const std::string& path, SnapshotOptions options = {}) {
  ASSIGN_OR_RAISE(auto root, io::ResolveLocation(path));
  return Snapshot::Load(root, options);
}

TEST(SnapshotTest, EveryConformanceTableLoadsOrFailsAsExpected) {
  auto cases = AllCases();
  ASSERT_GT(cases.size(), 150u) << "conformance corpus not found under " << SharedDir();
  // Cases whose notes in CASES.tsv say a reader must refuse them, though not marked MUST FAIL.
  const std::set<std::string> refuse = {
      "data-reader-absolute-paths-escaped-chars",  // no metaData action anywhere in the log
      "hive",                                      // a folder of tables, not a table
      "crc-malformed",                             // only a .crc file, no commits
      "table-with-geo",                            // geospatial feature beyond the spec
      "simple_table_features",                     // reader version 5 and unknown feature
  };
  int loaded = 0, refused = 0;
  for (const auto& c : cases) {
    auto snapshot = Load(c.root);
    bool must_fail = c.expectation.find("MUST FAIL") != std::string::npos || refuse.count(c.table);
    if (must_fail) {
      EXPECT_FALSE(snapshot.ok()) << c.corpus << "/" << c.table << " should fail to open";
      if (!snapshot.ok()) {
        EXPECT_TRUE(ErrorClassOf(snapshot.status()).has_value())
            << c.table << ": " << snapshot.status().ToString();
        ++refused;
      }
    } else {
      EXPECT_TRUE(snapshot.ok()) << c.corpus << "/" << c.table << ": "
                                 << snapshot.status().ToString();
      if (snapshot.ok()) ++loaded;
    }
  }
  EXPECT_GE(refused, 8);
  EXPECT_GE(loaded, 150);
}

TEST(SnapshotTest, CheckpointPlusCommits) {
  auto s = Load(SharedDir() + "/delta-golden-tables/checkpoint/delta").ValueOrDie();
  EXPECT_EQ(s->version(), 14);
  EXPECT_EQ(s->log_segment().checkpoint_version, 10);
  EXPECT_EQ(s->log_segment().commits.size(), 4u);
  EXPECT_EQ(s->protocol().min_reader_version, 1);
}

// Writes commit `version` of a hand-made log.
void WriteCommit(const std::string& root, int64_t version, const std::string& lines) {
  std::filesystem::create_directories(root + "/_delta_log");
  std::ofstream(root + "/_delta_log/" + VersionStem(version) + ".json") << lines;
}

std::string Add(const std::string& path, int64_t size) {
  return R"({"add":{"path":")" + path + R"(","partitionValues":{},"size":)" +
         std::to_string(size) + R"(,"modificationTime":1,"dataChange":true}})" + "\n";
}
std::string Remove(const std::string& path) {
  return R"({"remove":{"path":")" + path + R"(","deletionTimestamp":5,"dataChange":true}})" + "\n";
}
std::string MetadataLine(const std::string& name) {
  return R"({"metaData":{"id":"t","name":")" + name +
         R"(","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":[],"configuration":{}}})" +
         "\n";
}

std::map<std::string, int64_t> LiveFiles(const Snapshot& snapshot) {
  std::map<std::string, int64_t> out;
  for (const auto& f : snapshot.files()) out[f.path] = f.size;
  return out;
}

// Newest action wins for files, txns, domains and metadata, with and without a checkpoint
// under the commits (PROTOCOL.md, "Action Reconciliation").
TEST(SnapshotTest, ReconciliationNewestActionWins) {
  std::string root = ::testing::TempDir() + "/reconcile_" + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  WriteCommit(root, 0,
              R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" "\n" +
                  MetadataLine("first") + Add("a", 1) + Add("b", 1) + Add("c", 1) +
                  R"({"txn":{"appId":"app","version":1}})" "\n" +
                  R"({"domainMetadata":{"domain":"d1","configuration":"x","removed":false}})" "\n");
  WriteCommit(root, 1, Remove("a") + Add("b", 2) +
                           R"({"txn":{"appId":"app","version":2}})" "\n" +
                           R"({"domainMetadata":{"domain":"d1","configuration":"x","removed":true}})" "\n");
  WriteCommit(root, 2, Add("a", 3) + Remove("c") + MetadataLine("second") + Add("d", 1));
  auto check = [&](const Snapshot& s) {
    EXPECT_EQ(LiveFiles(s), (std::map<std::string, int64_t>{{"a", 3}, {"b", 2}, {"d", 1}}));
    ASSERT_EQ(s.tombstones().size(), 1u);
    EXPECT_EQ(s.tombstones()[0].path, "c");
    EXPECT_EQ(s.metadata().name.value_or(""), "second");
    ASSERT_EQ(s.app_transactions().count("app"), 1u);
    EXPECT_EQ(s.app_transactions().at("app").version, 2);
    EXPECT_EQ(s.domain_metadata().count("d1"), 0u);
  };
  auto from_commits = Load(root);
  ASSERT_TRUE(from_commits.ok()) << from_commits.status().ToString();
  check(**from_commits);
  // The files keep log order: b was last written in version 1, a and d in version 2.
  std::vector<std::string> order;
  for (const auto& f : (*from_commits)->files()) order.push_back(f.path);
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a", "d"}));

  // A checkpoint at version 1, then version 2 replayed over it.
  auto v1 = Load(root, SnapshotOptions{.version = 1});
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(WriteCheckpoint(**v1, 10).ok());
  auto from_checkpoint = Load(root);
  ASSERT_TRUE(from_checkpoint.ok()) << from_checkpoint.status().ToString();
  EXPECT_EQ((*from_checkpoint)->log_segment().checkpoint_version, 1);
  check(**from_checkpoint);
  std::filesystem::remove_all(root);
}

TEST(SnapshotTest, CorruptLastCheckpointFallsBackToListing) {
  auto s = Load(SharedDir() + "/delta-golden-tables/corrupted-last-checkpoint/delta").ValueOrDie();
  EXPECT_EQ(s->version(), 10);
  EXPECT_EQ(s->files().size(), 11u);
}

TEST(SnapshotTest, TimeTravelByVersion) {
  std::string root = SharedDir() + "/dat/basic_append/delta";
  auto v0 = Load(root, SnapshotOptions{0, std::nullopt}).ValueOrDie();
  auto latest = Load(root).ValueOrDie();
  EXPECT_EQ(v0->version(), 0);
  EXPECT_EQ(latest->version(), 1);
  EXPECT_LT(v0->files().size(), latest->files().size());
  auto missing = Load(root, SnapshotOptions{7, std::nullopt});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(ErrorClassOf(missing.status()), "DELTA_VERSION_NOT_FOUND");
}

TEST(SnapshotTest, TimeTravelByTimestamp) {
  std::string path = SharedDir() + "/dat/basic_append/delta";
  auto root = io::ResolveLocation(path).ValueOrDie();
  auto stamps = CommitTimestamps(root).ValueOrDie();
  ASSERT_EQ(stamps.size(), 2u);
  auto at_first = Load(path, SnapshotOptions{std::nullopt, stamps[0]}).ValueOrDie();
  EXPECT_EQ(at_first->version(), 0);
  auto at_last = Load(path, SnapshotOptions{std::nullopt, stamps[1]}).ValueOrDie();
  EXPECT_EQ(at_last->version(), 1);
  auto too_early = Load(path, SnapshotOptions{std::nullopt, stamps[0] - 1});
  EXPECT_EQ(ErrorClassOf(too_early.status()), "DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION");
  auto too_late = Load(path, SnapshotOptions{std::nullopt, stamps[1] + 1});
  EXPECT_EQ(ErrorClassOf(too_late.status()), "DELTA_TIMESTAMP_GREATER_THAN_COMMIT");
}

TEST(SnapshotTest, UnsupportedFeatureIsNamed) {
  Protocol p;
  p.min_reader_version = 3;
  p.min_writer_version = 7;
  p.reader_features = std::vector<std::string>{"deletionVectors", "fancyNewThing"};
  Status st = CheckReadSupported(p, "t");
  EXPECT_EQ(ErrorClassOf(st), "DELTA_UNSUPPORTED_FEATURES_FOR_READ");
  EXPECT_NE(st.message().find("fancyNewThing"), std::string::npos);
  p.min_reader_version = 99;
  EXPECT_EQ(ErrorClassOf(CheckReadSupported(p, "t")), "DELTA_INVALID_PROTOCOL_VERSION");
}

TEST(SnapshotTest, NotADeltaTable) {
  auto missing = Load("/nonexistent/basin/table");
  EXPECT_EQ(ErrorClassOf(missing.status()), "PATH_NOT_FOUND");
  auto plain = Load(SharedDir());
  EXPECT_EQ(ErrorClassOf(plain.status()), "DELTA_MISSING_DELTA_TABLE");
}

TEST(LogListingTest, RecognisesEveryCheckpointKind) {
  auto multi = ListLog(io::ResolveLocation(SharedDir() +
                                           "/delta-spark-test-tables/kernel-pagination-multi-part-checkpoints")
                           .ValueOrDie())
                   .ValueOrDie();
  ASSERT_FALSE(multi.checkpoints.empty());
  EXPECT_EQ(multi.checkpoints.front().kind, CheckpointFiles::Kind::kMultiPart);
  EXPECT_TRUE(multi.checkpoints.front().complete());
  EXPECT_GT(multi.checkpoints.front().parts_expected, 1);
  auto v2 = ListLog(io::ResolveLocation(SharedDir() + "/delta-golden-tables/v2-checkpoint-json/delta")
                        .ValueOrDie())
                .ValueOrDie();
  ASSERT_FALSE(v2.checkpoints.empty());
  EXPECT_EQ(v2.checkpoints.front().kind, CheckpointFiles::Kind::kV2);
}

}  // namespace
}  // namespace basin::delta
