#include "basin/delta/snapshot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "basin/delta/checkpoint_writer.h"
#include "basin/delta/log_listing.h"
#include "basin/delta/snapshot_pin.h"

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

// A pinned snapshot answers loads of its version of its table on the pinning thread, and
// nothing else: the latest version, another version, another table, another thread, or any
// load once the pin is gone replay the log.
TEST(SnapshotTest, PinAnswersLoadsOfItsVersionOnly) {
  std::string root = ::testing::TempDir() + "/pin_" + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  WriteCommit(root, 0,
              R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" "\n" +
                  MetadataLine("t") + Add("a", 1));
  WriteCommit(root, 1, Add("b", 1));
  auto v1 = Load(root).ValueOrDie();
  ASSERT_EQ(v1->version(), 1);
  {
    SnapshotPin pin(v1);
    EXPECT_EQ(Load(root, SnapshotOptions{1, std::nullopt}).ValueOrDie(), v1);
    // The latest version is listed, never assumed: a commit made meanwhile is seen.
    WriteCommit(root, 2, Remove("a"));
    auto latest = Load(root).ValueOrDie();
    EXPECT_EQ(latest->version(), 2);
    EXPECT_EQ(LiveFiles(*latest), (std::map<std::string, int64_t>{{"b", 1}}));
    auto v0 = Load(root, SnapshotOptions{0, std::nullopt}).ValueOrDie();
    EXPECT_EQ(v0->version(), 0);
    EXPECT_EQ(LiveFiles(*v0), (std::map<std::string, int64_t>{{"a", 1}}));
    // Time travel by timestamp always resolves the version from the log.
    EXPECT_NE(Load(root, SnapshotOptions{std::nullopt, latest->timestamp_ms()}).ValueOrDie(),
              v1);
    // Another table at the same version.
    std::string other = root + "_other";
    std::filesystem::remove_all(other);
    WriteCommit(other, 0,
                R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" "\n" +
                    MetadataLine("o") + Add("x", 1));
    WriteCommit(other, 1, Add("y", 1));
    auto other_v1 = Load(other, SnapshotOptions{1, std::nullopt}).ValueOrDie();
    EXPECT_EQ(LiveFiles(*other_v1), (std::map<std::string, int64_t>{{"x", 1}, {"y", 1}}));
    std::filesystem::remove_all(other);
    // Another thread does not see this thread's pins.
    std::shared_ptr<const Snapshot> elsewhere;
    std::thread([&] { elsewhere = Load(root, SnapshotOptions{1, std::nullopt}).ValueOrDie(); }).join();
    ASSERT_NE(elsewhere, nullptr);
    EXPECT_NE(elsewhere, v1);
    EXPECT_EQ(LiveFiles(*elsewhere), LiveFiles(*v1));
    {
      // Pins nest: the inner one goes, the outer one still answers.
      SnapshotPin inner(v0);
      EXPECT_EQ(Load(root, SnapshotOptions{0, std::nullopt}).ValueOrDie(), v0);
    }
    EXPECT_NE(Load(root, SnapshotOptions{0, std::nullopt}).ValueOrDie(), v0);
    EXPECT_EQ(Load(root, SnapshotOptions{1, std::nullopt}).ValueOrDie(), v1);
  }
  auto unpinned = Load(root, SnapshotOptions{1, std::nullopt}).ValueOrDie();
  EXPECT_NE(unpinned, v1);
  EXPECT_EQ(LiveFiles(*unpinned), LiveFiles(*v1));
  std::filesystem::remove_all(root);
}

// The same table state, as a full replay gives it.
void ExpectSameState(const Snapshot& got, const Snapshot& want) {
  EXPECT_EQ(got.version(), want.version());
  std::vector<std::string> got_files, want_files, got_tombstones, want_tombstones;
  for (const auto& f : got.files()) got_files.push_back(f.path + ":" + std::to_string(f.size));
  for (const auto& f : want.files()) want_files.push_back(f.path + ":" + std::to_string(f.size));
  for (const auto& r : got.tombstones()) got_tombstones.push_back(r.path);
  for (const auto& r : want.tombstones()) want_tombstones.push_back(r.path);
  EXPECT_EQ(got_files, want_files);  // in log order
  EXPECT_EQ(got_tombstones, want_tombstones);
  EXPECT_EQ(got.metadata().name, want.metadata().name);
  EXPECT_EQ(got.protocol().min_writer_version, want.protocol().min_writer_version);
  std::map<std::string, int64_t> got_txns, want_txns;
  for (const auto& [id, txn] : got.app_transactions()) got_txns[id] = txn.version;
  for (const auto& [id, txn] : want.app_transactions()) want_txns[id] = txn.version;
  EXPECT_EQ(got_txns, want_txns);
  std::set<std::string> got_domains, want_domains;
  for (const auto& [name, d] : got.domain_metadata()) got_domains.insert(name + "=" + d.configuration);
  for (const auto& [name, d] : want.domain_metadata()) want_domains.insert(name + "=" + d.configuration);
  EXPECT_EQ(got_domains, want_domains);
  EXPECT_EQ(got.log_segment().checkpoint_version, want.log_segment().checkpoint_version);
  EXPECT_EQ(got.log_segment().checkpoint_files, want.log_segment().checkpoint_files);
  EXPECT_EQ(got.log_segment().commits.size(), want.log_segment().commits.size());
  EXPECT_EQ(got.timestamp_ms(), want.timestamp_ms());
}

// A later version loaded while an older one is pinned replays only the newer commits on top of
// it, and gives the state a full replay gives, with and without a checkpoint underneath.
TEST(SnapshotTest, PinnedOlderVersionIsExtendedByNewerCommits) {
  std::string root = ::testing::TempDir() + "/pin_extend_" + std::to_string(::getpid());
  std::filesystem::remove_all(root);
  WriteCommit(root, 0,
              R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" "\n" +
                  MetadataLine("first") + Add("a", 1) + Add("b", 1) + Add("c", 1) +
                  R"({"txn":{"appId":"app","version":1}})" "\n" +
                  R"({"domainMetadata":{"domain":"d1","configuration":"x","removed":false}})" "\n" +
                  R"({"domainMetadata":{"domain":"d2","configuration":"y","removed":false}})" "\n");
  WriteCommit(root, 1, Remove("a") + Add("b", 2) +
                           R"({"txn":{"appId":"app","version":2}})" "\n");
  auto v1 = Load(root).ValueOrDie();
  WriteCommit(root, 2, Add("a", 3) + Remove("c") + MetadataLine("second") + Add("d", 1) +
                           R"({"txn":{"appId":"other","version":7}})" "\n" +
                           R"({"domainMetadata":{"domain":"d1","configuration":"x","removed":true}})" "\n");
  WriteCommit(root, 3, Add("b", 4) + Remove("d"));
  auto full3 = Load(root, SnapshotOptions{3, std::nullopt}).ValueOrDie();
  {
    SnapshotPin pin(v1);
    auto extended = Load(root, SnapshotOptions{3, std::nullopt}).ValueOrDie();
    EXPECT_NE(extended, full3);
    ExpectSameState(*extended, *full3);
    auto latest = Load(root).ValueOrDie();
    ExpectSameState(*latest, *full3);
  }
  // A checkpoint at version 2, a pin of the snapshot read from it, then version 4.
  auto v2 = Load(root, SnapshotOptions{2, std::nullopt}).ValueOrDie();
  ASSERT_TRUE(WriteCheckpoint(*v2, 10).ok());
  auto from_checkpoint = Load(root, SnapshotOptions{3, std::nullopt}).ValueOrDie();
  ASSERT_EQ(from_checkpoint->log_segment().checkpoint_version, 2);
  WriteCommit(root, 4, Add("e", 1) + Remove("b"));
  auto full4 = Load(root).ValueOrDie();
  {
    SnapshotPin pin(from_checkpoint);
    ExpectSameState(*Load(root, SnapshotOptions{4, std::nullopt}).ValueOrDie(), *full4);
    // A pin replayed without the checkpoint does not stand for it.
    SnapshotPin other(v1);
    ExpectSameState(*Load(root).ValueOrDie(), *full4);
  }
  {
    SnapshotPin pin(v1);
    ExpectSameState(*Load(root).ValueOrDie(), *full4);
    // The log below the pinned version is not the one it was replayed from any more (the table
    // was made again): a full replay.
    std::filesystem::remove_all(root);
    WriteCommit(root, 0,
                R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})" "\n" +
                    MetadataLine("again") + Add("z", 9));
    WriteCommit(root, 1, Add("y", 8) + Add("x", 7));
    WriteCommit(root, 2, Remove("z"));
    auto again = Load(root).ValueOrDie();
    EXPECT_EQ(LiveFiles(*again), (std::map<std::string, int64_t>{{"x", 7}, {"y", 8}}));
    EXPECT_EQ(again->metadata().name.value_or(""), "again");
  }
  std::filesystem::remove_all(root);
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
